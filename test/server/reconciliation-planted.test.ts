// Each discrepancy planted through the simulator's HTTP controls (POST and DELETE /simulator/airwallex/_financial_transactions,
// POST …/_settle), as a demo or another test would, is flagged once by a reconciliation through the real server's admin
// API, linked to its order or transaction and listed as an anomaly; the day run again flags the same, opens nothing new.
import { CART_TOTAL, eventually, startTestServer, testConfig, type TestServer } from './helpers';

const ADMIN_TOKEN = 'reconciliation-planted-admin-token-0123';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const control = (method: string, path: string, body?: unknown) => server.request<any>(method, `/simulator/airwallex${path}`, { body });

test('unknown source, other amount, other currency, dropped, booked twice, a refund whose payment is gone: each flagged once', async () => {
  server = await startTestServer(testConfig({ ADMIN_TOKEN, RECONCILE_GRACE_BUSINESS_DAYS: '0' }));
  const orders: Array<{ id: string; paymentIntentId: string }> = [];
  for (const shopper of ['ada', 'bo', 'cai', 'dee', 'eli', 'fen']) orders.push(await server.paidOrder(await server.sessionFor(shopper)));
  const [amount, dropped, twice, currency, refunded, fine] = orders;
  const refund = await server.request<any>('POST', `/admin/api/orders/${refunded.id}/refunds`, { headers: { ...admin, 'idempotency-key': 'planted-refund' }, body: { amount: 700 } });
  expect(refund.status).toBe(201);
  await eventually(async () => (await server.store.getOrder(refunded.id))!.refunds.every((r) => r.status === 'succeeded'));

  const unknown = await control('POST', '/_financial_transactions', { source_id: 'att_unknown_to_the_shop', amount: 12.34, currency: 'CNY' });
  expect(unknown.status).toBe(201);
  expect((await control('POST', '/_financial_transactions', { payment_intent_id: amount.paymentIntentId, amount: 19.99, replace: true })).status).toBe(201);
  expect((await control('POST', '/_financial_transactions', { payment_intent_id: currency.paymentIntentId, currency: 'USD', replace: true })).status).toBe(201);
  expect((await control('POST', '/_financial_transactions', { payment_intent_id: twice.paymentIntentId })).status).toBe(201);
  expect((await control('DELETE', `/_financial_transactions?payment_intent_id=${dropped.paymentIntentId}`)).body).toEqual({ deleted: 1 });
  // Only the payment of the refunded order: its refund stays booked.
  const booked = (await control('GET', '/_financial_transactions')).body.items as Array<{ id: string; transaction_type: string; source_id: string }>;
  const attempt = (await server.store.getOrder(refunded.id))!.paymentAttemptId;
  const payment = booked.find((ft) => ft.transaction_type === 'PAYMENT' && ft.source_id === attempt)!;
  expect((await control('DELETE', `/_financial_transactions?id=${payment.id}`)).body).toEqual({ deleted: 1 });
  expect((await control('POST', '/_settle', {})).body.settled.map((b: any) => b.currency).sort()).toEqual(['CNY', 'USD']); // the planted USD one has its own batch

  const run = async () => {
    const answer = await server.request<any>('POST', '/admin/api/reconciliations', { headers: admin, body: { date: server.reconciliation.today() } });
    expect(answer.status).toBe(201);
    return answer.body;
  };
  const first = await run();
  const flagged = first.items.filter((i: any) => i.state === 'flagged').map((i: any) => [i.flag, i.orderId, i.transactionId === null ? null : 'tx']);
  expect(flagged.sort()).toEqual(
    [
      ['missing_in_shop', null, 'tx'],
      ['amount_mismatch', amount.id, 'tx'],
      ['currency_mismatch', currency.id, 'tx'],
      ['duplicate', twice.id, 'tx'],
      ['missing_in_airwallex', dropped.id, null],
      ['missing_in_airwallex', refunded.id, null],
      ['refund_without_payment', refunded.id, 'tx'],
    ].sort(),
  );
  expect(first.items.find((i: any) => i.flag === 'missing_in_shop').transactionId).toBe(unknown.body.id);
  expect(first.items.find((i: any) => i.flag === 'amount_mismatch')).toMatchObject({ expected: CART_TOTAL, actual: 1999 });
  expect(first.items.find((i: any) => i.orderId === fine.id && i.subject === 'payment')).toMatchObject({ state: 'matched' });
  // Listed as anomalies, one per flag, each linked.
  const open = async () => (await server.request<any>('GET', '/admin/api/anomalies?open=true', { headers: admin })).body.anomalies.map((a: any) => [a.kind, a.orderId]).sort();
  const anomalies = await open();
  expect(anomalies).toEqual(
    [
      ['recon_missing_in_shop', null],
      ['recon_amount_mismatch', amount.id],
      ['recon_currency_mismatch', currency.id],
      ['recon_duplicate', twice.id],
      ['recon_missing_in_airwallex', dropped.id],
      ['recon_missing_in_airwallex', refunded.id],
      ['recon_refund_without_payment', refunded.id],
    ].sort(),
  );

  // Again: the same flags, no anomaly opened twice.
  const second = await run();
  expect(second.run.summary).toEqual(first.run.summary);
  expect(await open()).toEqual(anomalies);
});
