// Runs the simulator as its own process (`npm run simulator`); the only simulator file that reads process.env.
//
//   PORT                       listen port (default 4010)
//   HOST                       listen address (default 127.0.0.1)
//   SIMULATOR_WEBHOOK_URL      where to POST webhooks; unset = keep them queued
//   AIRWALLEX_WEBHOOK_SECRET   webhook signing secret (default SIMULATOR_CREDENTIALS.webhookSecret)
//   SIMULATOR_DATABASE_PATH    SQLite file for the simulator's state (default ":memory:")
//   LOG_LEVEL                  pino level (default info)
//   SIMULATOR_WEBHOOK_EVENTS   events to send: unset = the recommended subscription, "*" = all, or a comma list
//   SIMULATOR_* fault vars     see faultsFromEnv in ./settings.ts
//   SIMULATOR_FEE_RATE, …      the money side: see financeFromEnv in ./finance-settings.ts
// Credentials (client id/key, WeChat appid/secret) are SIMULATOR_CREDENTIALS from ./settings.ts.
import '../node-version'; // first: refuses an unsupported Node before anything loads native code
import Fastify from 'fastify';
import { financeFromEnv } from './finance-settings';
import { registerSimulator } from './index';
import { faultsFromEnv, SIMULATOR_CREDENTIALS, webhookEventsFromEnv } from './settings';

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT?.trim() || 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer between 0 and 65535, got "${env.PORT}"`);
  const host = env.HOST?.trim() || '127.0.0.1';
  const webhookUrl = env.SIMULATOR_WEBHOOK_URL?.trim() || undefined;
  const app = Fastify({ logger: { level: env.LOG_LEVEL?.trim() || 'info' } });
  const simulator = await registerSimulator(app, {
    clientId: SIMULATOR_CREDENTIALS.clientId,
    apiKey: SIMULATOR_CREDENTIALS.apiKey,
    webhookSecret: env.AIRWALLEX_WEBHOOK_SECRET?.trim() || SIMULATOR_CREDENTIALS.webhookSecret,
    webhookUrl: () => webhookUrl,
    wechatAppId: SIMULATOR_CREDENTIALS.wechatAppId,
    wechatAppSecret: SIMULATOR_CREDENTIALS.wechatAppSecret,
    databasePath: env.SIMULATOR_DATABASE_PATH?.trim() || ':memory:',
    faults: faultsFromEnv(env),
    finance: financeFromEnv(env),
    webhookEvents: webhookEventsFromEnv(env.SIMULATOR_WEBHOOK_EVENTS),
  });
  const address = await app.listen({ port, host });
  const lines = [
    `Airwallex API  ${address}/simulator/airwallex  (client id "${SIMULATOR_CREDENTIALS.clientId}", api key "${SIMULATOR_CREDENTIALS.apiKey}")`,
    `WeChat API     ${address}/simulator/wechat     (appid "${SIMULATOR_CREDENTIALS.wechatAppId}")`,
    `Controls       ${address}/simulator/stats, /simulator/faults, /simulator/wechat/login, /simulator/wechat/pay, /simulator/airwallex/_intents, /simulator/airwallex/_refunds, /simulator/wechat/_subscriptions, /simulator/wechat/_messages, /simulator/wechat/_templates, /simulator/wechat/_switches, /simulator/airwallex/_financial_transactions, /simulator/airwallex/_settle, /simulator/airwallex/_finance`,
    `Webhooks       ${webhookUrl ?? '(SIMULATOR_WEBHOOK_URL unset: events stay queued)'}`,
  ];
  // Before the banner: whoever signals once they read it gets a clean stop, not an unhandled signal's exit 143.
  const shutdown = (): void => {
    void app.close().then(() => simulator.close()).finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
