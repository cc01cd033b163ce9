// Entry point of `npm start`: reads the configuration, starts the server, stops it cleanly on a signal.
import './node-version'; // first: refuses an unsupported Node before anything loads native code
import { ConfigError, describeDatabase, loadConfig } from './config';
import { eventsNotes } from './config-events';
import { operatorNotes } from './config-safety';
import { createLogger } from './logger';
import { startServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  const server = await startServer(config, { logger });
  // Before the first line is written: a supervisor (or a test) that signals as soon as it reads the start must get a
  // clean stop, not the default action of a signal nobody handles yet (exit 143).
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  logger.info(
    { mode: config.mode, url: server.url, database: describeDatabase(config) },
    config.mode === 'simulator'
      ? `Listening on ${server.url} with the embedded Airwallex + WeChat simulator (no credentials set)`
      : `Listening on ${server.url}, talking to Airwallex at ${config.airwallex.baseUrl}`,
  );

  for (const note of [...operatorNotes(config, server.url), ...eventsNotes(config)]) logger.info(note);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
