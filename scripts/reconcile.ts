// `npm run reconcile -- --date YYYY-MM-DD`: reconciles a day of the merchant's calendar now, through a running server's
// admin API (the same run, lease and audit as the console's button), prints its totals and flags, and exits 0 when
// nothing is flagged, 1 when something is, 2 on bad usage, 3 when the run could not complete (cron-friendly).
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import { decimalText } from '../server/money';
import { Options } from './lib/stats';
import type { ReconciliationResponse } from '../server/contract-admin';

const USAGE = `npm run reconcile -- --date YYYY-MM-DD [--base URL] [--json]
  --date YYYY-MM-DD  the day to reconcile, on the merchant's calendar (MERCHANT_TIME_ZONE of the server)
  --base URL         the server (default: BASE_URL, else http://localhost:3000)
  --json             print the run and its items as the admin API answers them
ADMIN_TOKEN (environment) is the server's admin token.
Exit status: 0 nothing flagged, 1 something flagged, 2 bad usage, 3 the run did not complete.`;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let options: Options;
try {
  options = new Options(process.argv.slice(2), ['date', 'base', 'json', 'help']);
} catch (err) {
  usage((err as Error).message);
}
if (options.flag('help')) {
  console.log(USAGE);
  process.exit(0);
}
const date = options.string('date');
if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) usage('--date YYYY-MM-DD is required');
const baseOption = options.string('base');
if (baseOption === true) usage('--base needs a value');
const base = (baseOption ?? process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const token = process.env.ADMIN_TOKEN;
if (!token) usage('ADMIN_TOKEN is not set: the server\'s admin token (see .env.example)');

/** The admin API's answer (contract-admin.ts), or its error. */
type Answer = ReconciliationResponse & { error?: { code: string; message: string } };

async function main(): Promise<number> {
  let response: Response;
  try {
    response = await fetch(`${base}/admin/api/reconciliations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-reconcile-client': 'npm-run-reconcile' },
      body: JSON.stringify({ date }),
      signal: AbortSignal.timeout(15 * 60_000),
    });
  } catch (err) {
    console.error(`could not reach ${base}: ${(err as Error).message}`);
    return 3;
  }
  const answer = (await response.json().catch(() => ({}))) as Answer;
  if (response.status !== 201) {
    console.error(`the reconciliation of ${date} did not complete: HTTP ${response.status} ${answer.error?.code ?? ''} ${answer.error?.message ?? ''}`.trim());
    return response.status === 400 ? 2 : 3;
  }
  if (options.flag('json')) {
    console.log(JSON.stringify(answer, null, 2));
    return answer.run.summary?.flagged ? 1 : 0;
  }
  const { run, items } = answer;
  const summary = run.summary!;
  console.log(`${run.day} (${run.timeZone}): run ${run.id}, ${summary.transactions} transactions, ${summary.matched} matched, ${summary.flagged} flagged, ${summary.waiting} waiting`);
  for (const c of run.totals?.currencies ?? []) {
    const m = (minor: number) => decimalText(minor, c.currency);
    console.log(
      `  ${c.currency}: gross ${m(c.gross)} (${c.payments}), fees ${m(c.fees)}, refunded ${m(c.refunded)} (${c.refunds}), other ${m(c.other)}, net ${m(c.net)}; ` +
        `shop: paid ${m(c.shopPaid)} (${c.shopPayments}), refunded ${m(c.shopRefunded)} (${c.shopRefunds})`,
    );
  }
  for (const item of items.filter((i) => i.flag)) {
    const amount = (minor: number | null) => (minor === null || item.currency === null ? '-' : decimalText(minor, item.currency));
    const links = [item.orderId && `order ${item.orderId}`, item.refundId && `refund ${item.refundId}`, item.transactionId && `transaction ${item.transactionId}`, item.batchId && `batch ${item.batchId}`].filter(Boolean).join(', ');
    console.log(`  #${item.seq} ${item.flag} (${item.subject}): shop ${amount(item.expected)}, Airwallex ${amount(item.actual)}${links ? `; ${links}` : ''}`);
  }
  if (run.recheckAt) console.log(`  some items wait within their grace: the server runs this day again at ${run.recheckAt}`);
  console.log(`  ${base}/admin/reconciliations/${run.id}`);
  return summary.flagged > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(3);
  },
);
