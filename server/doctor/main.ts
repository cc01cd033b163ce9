// Entry point of `npm run doctor` (node dist/doctor/main.js in a production install): checks the environment the server would get, prints one line per check, exits 1 on any ✗.
import '../node-version'; // first: refuses an unsupported Node before anything loads native code
import fs from 'node:fs';
import path from 'node:path';
import { formatHuman, formatJson } from './report';
import { PROJECT_ROOT, runDoctor } from './run';

const USAGE = `npm run doctor [-- options]      (a production install: node dist/doctor/main.js [options])

Checks what going live needs, with the environment the server gets (set -a; . ./.env; set +a first):
the boot checks, the database, Airwallex (login, environment, permissions, the webhook subscription),
WeChat (AppID and secret), PUBLIC_URL (https, certificate, /healthz, /webhooks/airwallex with a
signed ping), and the mini program (AppID, server URL, request domain). Run it on the server's
machine: WeChat's IP allow-list and the firewall see this machine's address.

  --json            one JSON document instead of lines (exit code the same)
  --ca FILE         also trust this CA certificate (PEM) for PUBLIC_URL (a private test CA;
                    NODE_EXTRA_CA_CERTS=FILE extends the trust of every call instead)
  --project DIR     the checkout holding project.config.json and miniprogram/ (default: ${PROJECT_ROOT})
  --timeout MS      give up on each network call after MS milliseconds (default 10000)

Exit code: 0 when no check failed, 1 when one did, 2 on a usage error.`;

interface Args {
  json: boolean;
  ca?: string;
  project: string;
  timeoutMs: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, project: PROJECT_ROOT, timeoutMs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--json') args.json = true;
    else if (flag === '--ca') args.ca = fs.readFileSync(path.resolve(value()), 'utf8');
    else if (flag === '--project') args.project = path.resolve(value());
    else if (flag === '--timeout') {
      args.timeoutMs = Number(value());
      if (!Number.isInteger(args.timeoutMs) || args.timeoutMs < 100) throw new Error('--timeout must be a whole number of milliseconds, at least 100');
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${flag}`);
  }
  return args;
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const report = await runDoctor({ env: process.env, projectRoot: args.project, ca: args.ca, timeoutMs: args.timeoutMs });
  process.stdout.write(args.json ? formatJson(report) : formatHuman(report));
  process.exit(report.ok ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`the doctor itself failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
