// Reconciliation runs against the real server and its simulator's money side: a clean day adds up, each planted
// discrepancy is flagged once (linked, counted in /metrics, logged at error, listed as an anomaly), and a day run
// again gives the same result without counting anything twice; busy days, failures and the admin API's gates.
import { feeFor } from '../../server/simulator/finance';
import { CART_TOTAL, startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = 'reconciliation-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  server = await startTestServer(testConfig({ ADMIN_TOKEN, METRICS_TOKEN: 'metrics-token-for-reconciliation-0001', ...env }));
  return server;
}

const today = () => server.reconciliation.today();

async function reconcile(date = today()) {
  return server.request<any>('POST', '/admin/api/reconciliations', { headers: admin, body: { date } });
}

async function refund(orderId: string, amount: number) {
  const answer = await server.request<any>('POST', `/admin/api/orders/${orderId}/refunds`, { headers: { ...admin, 'idempotency-key': `k-${orderId}-${amount}` }, body: { amount } });
  expect(answer.status).toBe(201);
  // Until Airwallex accepts it (a webhook, a moment later), the refund is pending.
  for (let i = 0; i < 100; i++) {
    const read = await server.request<any>('GET', `/admin/api/orders/${orderId}`, { headers: admin });
    if (read.body.order.refunds.every((r: { status: string }) => r.status !== 'pending')) return read.body.order;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('refund still pending');
}

const metric = async (name: string, labels: string) => {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-for-reconciliation-0001' } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('a clean day', () => {
  test('matches every payment and refund, flags nothing, and its totals are the paid orders minus refunds, fees shown', async () => {
    await start();
    const a = await server.paidOrder(await server.sessionFor('amy'));
    const b = await server.paidOrder(await server.sessionFor('ben'));
    await refund(a.id, 500);
    expect(server.simulator!.finance.settle()).toHaveLength(1); // the day closes: its batch settles

    const answer = await reconcile();
    expect(answer.status).toBe(201);
    const { run, items } = answer.body;
    expect(run).toMatchObject({ day: today(), timeZone: 'Asia/Shanghai', status: 'completed', trigger: 'api', actor: expect.stringMatching(/^admin:/), error: null, recheckAt: null });
    expect(run.summary).toEqual({ transactions: 3, matched: 4, flagged: 0, waiting: 0, flags: {} });
    const fee = feeFor(CART_TOTAL, '0.006');
    expect(run.totals.currencies).toEqual([
      {
        currency: 'CNY', payments: 2, gross: 2 * CART_TOTAL, fees: 2 * fee, refunds: 1, refunded: 500, other: 0, net: 2 * CART_TOTAL - 2 * fee - 500,
        shopPayments: 2, shopPaid: 2 * CART_TOTAL, shopRefunds: 1, shopRefunded: 500,
      },
    ]);
    expect(run.totals.batches).toEqual([
      expect.objectContaining({ currency: 'CNY', status: 'SETTLED', transactions: 3, net: 2 * CART_TOTAL - 2 * fee - 500, settlementAmount: 2 * CART_TOTAL - 2 * fee - 500, settlementFee: 2 * fee }),
    ]);
    // Each item names both sides.
    expect(items.filter((i: any) => i.subject === 'payment').map((i: any) => [i.orderId, i.state, i.expected, i.actual, i.fee])).toEqual(
      expect.arrayContaining([
        [a.id, 'matched', CART_TOTAL, CART_TOTAL, fee],
        [b.id, 'matched', CART_TOTAL, CART_TOTAL, fee],
      ]),
    );
    expect(items.find((i: any) => i.subject === 'refund')).toMatchObject({ orderId: a.id, state: 'matched', expected: -500, actual: -500, refundId: expect.stringMatching(/^ref_/), sourceId: expect.stringMatching(/^rfd_/) });
    expect(items.find((i: any) => i.subject === 'batch')).toMatchObject({ state: 'matched', batchId: expect.stringMatching(/^bat_\d{8}_CNY_1$/) });
    // Audited, listed, readable again.
    const audit = await server.request<any>('GET', `/admin/api/audit?target=${run.id}`, { headers: admin });
    expect(audit.body.entries).toEqual([expect.objectContaining({ action: 'reconciliation.run', detail: expect.objectContaining({ day: today(), status: 'completed', flagged: 0, via: 'api' }) })]);
    expect((await server.request<any>('GET', '/admin/api/reconciliations', { headers: admin })).body.runs.map((r: any) => r.id)).toEqual([run.id]);
    expect((await server.request<any>('GET', `/admin/api/reconciliations/${run.id}`, { headers: admin })).body).toEqual(answer.body);
    expect(await metric('shop_reconciliation_runs_total', 'outcome="clean"')).toBe(1);
  });

  test('before its batch settles, the day matches and the batch waits for its settlement (checked again then)', async () => {
    await start();
    await server.paidOrder(await server.sessionFor('cleo'));
    const { run, items } = (await reconcile()).body;
    expect(run.summary).toMatchObject({ matched: 1, flagged: 0, waiting: 1 });
    expect(items.find((i: any) => i.subject === 'batch')).toMatchObject({ state: 'waiting', detail: expect.objectContaining({ status: 'PENDING' }) });
    expect(Date.parse(run.recheckAt)).toBe(Date.parse(run.totals.batches[0].estimatedSettledAt));
  });
});

describe('planted discrepancies', () => {
  test('each is flagged once, linked, counted, logged and listed as an anomaly; the day run again gives the same result', async () => {
    await start({ RECONCILE_GRACE_BUSINESS_DAYS: '0' });
    const sim = server.simulator!.finance;
    const tokens = await Promise.all(['dan', 'eve', 'fay', 'gus'].map((shopper) => server.sessionFor(shopper)));
    // Four paid orders: one booked with another amount, one never booked, one booked twice, one fine.
    const orders: Array<{ id: string; paymentIntentId: string }> = [];
    for (const token of tokens) orders.push(await server.paidOrder(token));
    const unknown = sim.plant({ source_id: 'att_never_heard_of', amount: 9.99, currency: 'CNY' });
    sim.plant({ payment_intent_id: orders[0].paymentIntentId, amount: 20.99, replace: true });
    expect(sim.drop({ payment_intent_id: orders[1].paymentIntentId })).toBe(1);
    const duplicate = sim.plant({ payment_intent_id: orders[2].paymentIntentId });
    sim.settle();

    const first = await reconcile();
    expect(first.status).toBe(201);
    const flagged = first.body.items.filter((i: any) => i.state === 'flagged');
    expect(flagged.map((i: any) => [i.flag, i.orderId, i.transactionId])).toEqual(
      expect.arrayContaining([
        ['missing_in_shop', null, unknown.id],
        ['amount_mismatch', orders[0].id, expect.any(String)],
        ['missing_in_airwallex', orders[1].id, null],
        ['duplicate', orders[2].id, expect.any(String)],
      ]),
    );
    // Booked in the same second, either of the two is the duplicate of the other (the same one at every run).
    const doubledItem = flagged.find((i: any) => i.flag === 'duplicate');
    const booked = sim.transactions().filter((ft) => ft.source_id === duplicate.source_id).map((ft) => ft.id);
    expect([doubledItem.transactionId, doubledItem.detail.original].sort()).toEqual([...booked].sort());
    expect(flagged).toHaveLength(4);
    expect(first.body.run.summary.flags).toEqual({ missing_in_shop: 1, amount_mismatch: 1, missing_in_airwallex: 1, duplicate: 1 });
    expect(flagged.find((i: any) => i.flag === 'amount_mismatch')).toMatchObject({ expected: CART_TOTAL, actual: 2099 });
    // The fourth order matches.
    expect(first.body.items.find((i: any) => i.orderId === orders[3].id)).toMatchObject({ state: 'matched' });

    // Anomalies: one per flag, linked to the order (or the transaction), with the run.
    const anomalies = (await server.request<any>('GET', '/admin/api/anomalies?open=true', { headers: admin })).body.anomalies;
    expect(anomalies.map((a: any) => [a.kind, a.orderId]).sort()).toEqual(
      [
        ['recon_amount_mismatch', orders[0].id],
        ['recon_duplicate', orders[2].id],
        ['recon_missing_in_airwallex', orders[1].id],
        ['recon_missing_in_shop', null],
      ].sort(),
    );
    expect(anomalies.find((a: any) => a.kind === 'recon_missing_in_shop').detail).toMatchObject({ transactionId: unknown.id, runId: first.body.run.id, day: today() });
    // On the orders' timelines, counted and logged at error, once each.
    const timeline = (await server.request<any>('GET', `/admin/api/orders/${orders[1].id}`, { headers: admin })).body.timeline;
    expect(timeline.filter((e: any) => e.kind === 'anomaly').map((e: any) => e.source)).toEqual(['recon_missing_in_airwallex']);
    for (const flag of ['missing_in_shop', 'amount_mismatch', 'missing_in_airwallex', 'duplicate']) {
      expect(await metric('shop_reconciliation_flags_total', `flag="${flag}"`)).toBe(1);
      expect(await metric('shop_anomalies_total', `kind="recon_${flag}"`)).toBe(1);
    }
    const errors = () => server.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 50 && entry.msg === 'reconciliation flag: needs an operator');
    expect(errors()).toHaveLength(4);

    // Again: the same result, a new run in the history, nothing opened or counted twice.
    const second = await reconcile();
    expect(second.body.run.id).not.toBe(first.body.run.id);
    const strip = (items: any[]) => items.map(({ detail, ...rest }) => ({ ...rest, detail: { ...detail, runId: undefined } }));
    expect(strip(second.body.items)).toEqual(strip(first.body.items));
    expect(second.body.run.summary).toEqual(first.body.run.summary);
    expect(second.body.run.totals).toEqual(first.body.run.totals);
    expect((await server.request<any>('GET', '/admin/api/anomalies?open=true', { headers: admin })).body.anomalies).toEqual(anomalies);
    expect(await metric('shop_reconciliation_flags_total', 'flag="duplicate"')).toBe(1);
    expect(errors()).toHaveLength(4);
    expect(await metric('shop_reconciliation_runs_total', 'outcome="flagged"')).toBe(2);
    const history = (await server.request<any>('GET', `/admin/api/reconciliations?day=${today()}`, { headers: admin })).body.runs;
    expect(history.map((r: any) => r.id)).toEqual([second.body.run.id, first.body.run.id]);
  });
});

describe('the admin API', () => {
  test('needs the admin token, takes a day that has begun, and says so when the day is being run elsewhere', async () => {
    await start();
    expect((await server.request('POST', '/admin/api/reconciliations', { body: { date: today() } })).status).toBe(401);
    for (const date of ['2026-02-30', 'today', '2026-1-1']) {
      const answer = await reconcile(date);
      expect([answer.status, answer.body.error.code]).toEqual([400, expect.stringMatching(/^(VALIDATION_FAILED|RECONCILIATION_DATE_INVALID)$/)]);
    }
    const future = await reconcile('2999-01-01');
    expect([future.status, future.body.error.code]).toEqual([400, 'RECONCILIATION_DATE_INVALID']);
    expect((await server.request<any>('GET', '/admin/api/reconciliations/rec_nope', { headers: admin })).body.error.code).toBe('RECONCILIATION_NOT_FOUND');

    // Another instance holds the day.
    const now = Date.now();
    await server.store.claimReconciliation({ id: 'rec_other', day: today(), timeZone: 'Asia/Shanghai', trigger: 'schedule', actor: null, now, leaseUntil: now + 60_000 });
    const busy = await reconcile();
    expect([busy.status, busy.body.error.code]).toEqual([409, 'RECONCILIATION_RUNNING']);
    expect(busy.body.error.message).toContain('rec_other');
    const audit = (await server.request<any>('GET', '/admin/api/audit', { headers: admin })).body.entries;
    expect(audit[0]).toMatchObject({ action: 'reconciliation.refused', detail: expect.objectContaining({ code: 'RECONCILIATION_RUNNING' }) });
  });

  test('an Airwallex failure fails the run (saying why), writes nothing of it, and the next run completes', async () => {
    await start();
    await server.paidOrder(await server.sessionFor('hal'));
    server.simulator!.setFaults({ endpoints: { settlement_retrieve: { errorRate5xx: 1 } } });
    const failed = await reconcile();
    expect([failed.status, failed.body.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
    const [run] = (await server.request<any>('GET', '/admin/api/reconciliations', { headers: admin })).body.runs;
    expect(run).toMatchObject({ status: 'failed', error: expect.any(String), summary: null });
    expect((await server.request<any>('GET', `/admin/api/reconciliations/${run.id}`, { headers: admin })).body.items).toEqual([]);
    server.simulator!.resetFaults();
    expect((await reconcile()).body.run.status).toBe('completed');
  });
});

