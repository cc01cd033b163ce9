// `npm run reconcile -- --date …` as a real process against the real server and simulator: a clean day exits 0 with its
// totals, a planted discrepancy exits 1 naming the flag and its links, bad usage exits 2.
import path from 'node:path';
import { decimalText } from '../../server/money';
import { feeFor } from '../../server/simulator/finance';
import { CART_TOTAL, startTestServer, testConfig, type TestServer } from './helpers';
import { ROOT, runNode } from './processes';

const ADMIN_TOKEN = 'reconcile-cli-admin-token-0123456789';
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
jest.setTimeout(30_000);

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function reconcile(args: string[], env: Record<string, string> = { ADMIN_TOKEN }) {
  const proc = runNode([TSX, 'scripts/reconcile.ts', ...args], env);
  return { code: await proc.exited, output: proc.output() };
}

test('a clean day exits 0 with its totals; a planted discrepancy exits 1 naming it; bad usage exits 2', async () => {
  server = await startTestServer(testConfig({ ADMIN_TOKEN, RECONCILE_GRACE_BUSINESS_DAYS: '0' }));
  const order = await server.paidOrder(await server.sessionFor('cli'));
  server.simulator!.finance.settle();
  const day = server.reconciliation.today();

  const clean = await reconcile(['--date', day, '--base', server.url]);
  expect(clean.code).toBe(0);
  const fee = feeFor(CART_TOTAL, '0.006');
  expect(clean.output).toContain(`${day} (Asia/Shanghai): run rec_`);
  expect(clean.output).toContain(`CNY: gross ${decimalText(CART_TOTAL, 'CNY')} (1), fees ${decimalText(fee, 'CNY')}, refunded 0.00 (0), other 0.00, net ${decimalText(CART_TOTAL - fee, 'CNY')}`);

  // The run says it was npm run reconcile's.
  const runs = (await server.request<any>('GET', '/admin/api/reconciliations', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.runs;
  expect(runs).toEqual([expect.objectContaining({ trigger: 'cli', actor: expect.stringMatching(/^admin:/), status: 'completed' })]);

  const planted = server.simulator!.finance.plant({ payment_intent_id: order.paymentIntentId, amount: 1.23, replace: true });
  const flagged = await reconcile(['--date', day, '--base', server.url]);
  expect(flagged.code).toBe(1);
  expect(flagged.output).toMatch(new RegExp(`#\\d+ amount_mismatch \\(payment\\): shop 26.99, Airwallex 1.23; order ${order.id}, transaction ${planted.id}`));

  expect((await reconcile(['--base', server.url])).code).toBe(2);
  expect((await reconcile(['--date', day, '--base', server.url], {})).output).toContain('ADMIN_TOKEN is not set');
  const wrongToken = await reconcile(['--date', day, '--base', server.url], { ADMIN_TOKEN: 'not-the-token-0123456789' });
  expect([wrongToken.code, wrongToken.output]).toEqual([3, expect.stringContaining('HTTP 401')]);
});
