// `npm run fuzz`: property-based fuzzing of the HTTP API over real HTTP, against its own in-process server in simulator mode.
// Usage: npm run fuzz [-- --cases 10000 --seed 42 --concurrency 8 --postgres --json]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { providePostgres, type TestPostgres } from './lib/postgres';
import { formatReport, runFuzz } from './fuzz/run';

class UsageError extends Error {}

function parseArgs(argv: string[]) {
  const options = { cases: 10_000, seed: Date.now() % 2 ** 31, concurrency: 8, json: false, postgres: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const raw = argv[++i];
      if (raw === undefined || !/^-?\d+$/.test(raw)) throw new UsageError(`${arg} needs an integer, got ${JSON.stringify(raw)}`);
      return Number(raw);
    };
    if (arg === '--cases') options.cases = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--concurrency') options.concurrency = value();
    else if (arg === '--json') options.json = true;
    else if (arg === '--postgres') options.postgres = true;
    else if (arg === '--help' || arg === '-h') {
      console.log('npm run fuzz -- [--cases N (10000)] [--seed S] [--concurrency C (8)] [--postgres] [--json]');
      console.log('  --postgres: the server on PostgreSQL: a fresh database on the server at DATABASE_URL, else a throwaway cluster');
      process.exit(0);
    } else throw new UsageError(`unknown option ${arg} (try --help)`);
  }
  if (options.cases < 1 || options.concurrency < 1) throw new UsageError('--cases and --concurrency must be at least 1');
  return options;
}

async function main(): Promise<void> {
  // Until the report says otherwise: a run that ends without one (the event loop emptied under it) is no pass.
  process.exitCode = 2;
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(
    `fuzz: seed ${options.seed}, ${options.cases} cases, concurrency ${options.concurrency}, ${options.postgres ? 'PostgreSQL' : 'SQLite'} ` +
      `(replay: npm run fuzz -- --seed ${options.seed} --cases ${options.cases} --concurrency ${options.concurrency}${options.postgres ? ' --postgres' : ''})`,
  );
  const postgres: TestPostgres | undefined = options.postgres ? await providePostgres(log) : undefined;
  let report;
  try {
    report = await runFuzz({
      cases: options.cases,
      seed: options.seed,
      concurrency: options.concurrency,
      databaseUrl: postgres?.url,
      onProgress: options.json || !process.stderr.isTTY ? undefined : (done, total) => process.stderr.write(`\r${done}/${total} cases…`),
    });
  } finally {
    await postgres?.stop();
  }
  if (!options.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else log(formatReport(report));
  process.exitCode = report.pass ? 0 : 1;
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 2;
});
