// The simulated money side over real HTTP: a capture and a refund book transactions, batches settle the next day, the API is as awkward as the real one, and the controls plant discrepancies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { financeFromEnv, validateResponse } from '../../../server/simulator';
import { feeFor } from '../../../server/simulator/finance';
import { airwallex, call, createRefund, eventually, login, paidIntent, startSimulator, type Harness } from './helpers';

const FT_V1 = '/api/v1/financial_transactions';
const FT_PA = '/api/v1/pa/financial/transactions';
const SETTLEMENTS = '/api/v1/pa/financial/settlements';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/;
const DAY = 24 * 3600_000;
const MARCH_10 = Date.UTC(2026, 2, 10, 10, 0, 0);

/** The property names a schema of the spec subset declares, to check that an answer has no other field. */
const spec = parseYaml(fs.readFileSync(path.join(__dirname, '../../../server/simulator/airwallex-openapi-subset.yaml'), 'utf8'));
const declared = (schema: string): string[] => Object.keys(spec.components.schemas[schema].properties);

let clock = MARCH_10;
let h: Harness;
let token: string;

beforeEach(async () => {
  clock = MARCH_10;
  h = await startSimulator({ now: () => clock, faults: { refundAcceptDelayMs: 5, refundSettleDelayMs: 600_000 } });
  token = await login(h);
});
afterEach(() => h.close());

const get = (url: string) => airwallex(h, token, 'GET', url);
const control = (method: string, url: string, body?: unknown) => call(`${h.airwallex}${url}`, { method, body });
/** The intent's refund, once ACCEPTED (it books its transaction then). */
async function acceptedRefund(intentId: string, amount: number): Promise<any> {
  const created = await createRefund(h, token, { payment_intent_id: intentId, amount });
  expect(created.status).toBe(201);
  return eventually(() => get(`/api/v1/pa/refunds/${created.body.id}`).then((r) => r.body), (r) => r.status === 'ACCEPTED', 3000, 'ACCEPTED');
}

describe('the lifecycle', () => {
  it('books a PENDING payment and refund in the day batch, which settles the next day with its totals', async () => {
    const intent = await paidIntent(h, token, { amount: 12.34 });
    clock += 1000; // lists are in created_at order to the second, then by id
    const refund = await acceptedRefund(intent.id, 2.5);

    const list = await get(FT_V1);
    expect(list.status).toBe(200);
    expect(validateResponse('get', FT_V1, 200, list.body).errors).toEqual([]);
    expect(list.body.has_more).toBe(false);
    const [payment, refunded] = list.body.items;
    expect(payment).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      amount: 12.34,
      fee: -0.07, // 12.34 × 0.6% = 0.07404, rounded half up to the fen; negative: money out
      net: 12.27,
      currency: 'CNY',
      status: 'PENDING',
      source_id: intent.latest_payment_attempt.id,
      source_type: 'PAYMENT_ATTEMPT',
      transaction_type: 'PAYMENT',
      batch_id: 'bat_20260310_CNY_1',
      created_at: expect.stringMatching(/^2026-03-10T10:00:00\+0000$/),
      estimated_settled_at: '2026-03-11T00:00:00+0000',
    });
    expect(refunded).toMatchObject({ amount: -2.5, fee: 0, net: -2.5, source_id: refund.id, source_type: 'REFUND', transaction_type: 'REFUND', batch_id: 'bat_20260310_CNY_1', status: 'PENDING' });
    for (const item of list.body.items) expect(Object.keys(item).filter((key) => !declared('FinancialTransaction').includes(key))).toEqual([]);

    const pending = await get(`${SETTLEMENTS}?currency=CNY&status=PENDING&from_settled_at=2026-03-11&to_settled_at=2026-03-11`);
    expect(validateResponse('get', SETTLEMENTS, 200, pending.body).errors).toEqual([]);
    expect(pending.body).toEqual({
      has_more: false,
      items: [{ id: 'bat_20260310_CNY_1', amount: 9.77, fee: 0.07, currency: 'CNY', status: 'PENDING', created_at: expect.stringMatching(TIMESTAMP), estimated_settled_at: '2026-03-11T00:00:00+0000' }],
    });

    // The next day: the batch and its transactions have settled at midnight, with the same totals.
    clock = MARCH_10 + DAY;
    token = await login(h);
    const settled = await get(`${SETTLEMENTS}/bat_20260310_CNY_1`);
    expect(validateResponse('get', `${SETTLEMENTS}/{id}`, 200, settled.body).errors).toEqual([]);
    expect(settled.body).toMatchObject({ amount: 9.77, fee: 0.07, status: 'SETTLED', settled_at: '2026-03-11T00:00:00+0000' });
    const after = (await get(`${FT_PA}?batch_id=bat_20260310_CNY_1`)).body.items;
    expect(after.map((ft: any) => [ft.status, ft.settled_at])).toEqual([['SETTLED', '2026-03-11T00:00:00+0000'], ['SETTLED', '2026-03-11T00:00:00+0000']]);
    const sumNet = after.reduce((sum: number, ft: any) => sum + Math.round(ft.net * 100), 0);
    expect(sumNet).toBe(977);
    expect((await get(`${SETTLEMENTS}?currency=CNY&status=SETTLED&from_settled_at=2026-03-11&to_settled_at=2026-03-11`)).body.items).toHaveLength(1);
    expect((await get(`${SETTLEMENTS}?currency=CNY&status=PENDING&from_settled_at=2026-03-01&to_settled_at=2026-03-31`)).body.items).toEqual([]);

    // A capture on the new day opens that day's batch.
    await paidIntent(h, token, { amount: 1 });
    expect(h.sim.finance.transactions().at(-1)).toMatchObject({ batch_id: 'bat_20260311_CNY_1', status: 'PENDING' });
  });

  it('books nothing for a refund that fails', async () => {
    h.sim.setFaults({ refundFailRate: 1 });
    const intent = await paidIntent(h, token);
    const created = await createRefund(h, token, { payment_intent_id: intent.id, amount: 1 });
    await eventually(() => get(`/api/v1/pa/refunds/${created.body.id}`).then((r) => r.body.status), (s) => s === 'FAILED', 3000, 'FAILED');
    expect(h.sim.finance.transactions().map((ft) => ft.transaction_type)).toEqual(['PAYMENT']);
  });

  it('settles on demand with _settle, and opens batch _2 for what is booked that day afterwards', async () => {
    await paidIntent(h, token, { amount: 10 });
    const settled = await control('POST', '/_settle', { through: '2026-03-10' });
    expect(settled.status).toBe(200);
    expect(settled.body.settled).toEqual([expect.objectContaining({ id: 'bat_20260310_CNY_1', status: 'SETTLED', settled_at: '2026-03-10T10:00:00+0000', amount: 9.94 })]);
    clock += 1000;
    await paidIntent(h, token, { amount: 10 });
    expect(h.sim.finance.transactions().map((ft) => [ft.batch_id, ft.status])).toEqual([
      ['bat_20260310_CNY_1', 'SETTLED'],
      ['bat_20260310_CNY_2', 'PENDING'],
    ]);
    expect((await control('POST', '/_settle', { through: '10/03/2026' })).body).toMatchObject({ code: 'validation_error', source: 'through' });
  });

  it('keeps one batch per currency, at each currency\'s precision', async () => {
    await paidIntent(h, token, { amount: 1000, currency: 'JPY' });
    clock += 1000;
    await paidIntent(h, token, { amount: 1.234, currency: 'KWD' });
    expect(h.sim.finance.transactions().map((ft) => [ft.batch_id, ft.amount, ft.fee, ft.net])).toEqual([
      ['bat_20260310_JPY_1', 1000, -6, 994],
      ['bat_20260310_KWD_1', 1.234, -0.007, 1.227],
    ]);
  });
});

describe('the API', () => {
  it('pages oldest first by whole second then id, stably, with has_more', async () => {
    for (let i = 0; i < 5; i++) await paidIntent(h, token, { amount: i + 1 });
    const all = (await get(`${FT_V1}?page_size=1000`)).body.items;
    expect(all.map((ft: any) => ft.created_at)).toEqual(Array(5).fill('2026-03-10T10:00:00+0000'));
    expect(all.map((ft: any) => ft.id)).toEqual([...all.map((ft: any) => ft.id)].sort());
    const pages = [];
    for (let page = 0; page < 3; page++) pages.push((await get(`${FT_V1}?page_num=${page}&page_size=2`)).body);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages.flatMap((p) => p.items)).toEqual(all);
    expect((await get(`${FT_V1}?page_num=3&page_size=2`)).body).toEqual({ has_more: false, items: [] });
  });

  it('filters by source, batch, status, currency and inclusive created_at bounds, combined', async () => {
    const first = await paidIntent(h, token, { amount: 1 });
    clock += 3600_000 * 13 + 59 * 60_000 + 59_000; // 23:59:59
    token = await login(h);
    await paidIntent(h, token, { amount: 2, currency: 'USD' });
    clock = MARCH_10 + DAY;
    token = await login(h);
    await paidIntent(h, token, { amount: 3 });
    const amounts = async (query: string) => (await get(`${FT_V1}?${query}`)).body.items.map((ft: any) => ft.amount);

    expect(await amounts(`source_id=${first.latest_payment_attempt.id}`)).toEqual([1]);
    expect(await amounts('batch_id=bat_20260311_CNY_1')).toEqual([3]);
    expect(await amounts('status=SETTLED')).toEqual([1, 2]);
    expect(await amounts('currency=CNY&status=PENDING')).toEqual([3]);
    expect(await amounts('from_created_at=2026-03-10&to_created_at=2026-03-10')).toEqual([1, 2]);
    expect(await amounts('to_created_at=2026-03-10T23:59:59%2B0000')).toEqual([1, 2]);
    expect(await amounts('to_created_at=2026-03-10T23:59:58Z')).toEqual([1]);
    expect(await amounts('from_created_at=2026-03-11T07:59:59%2B08:00')).toEqual([2, 3]);
    expect(await amounts('from_created_at=2026-03-11&currency=USD')).toEqual([]);
  });

  it('answers Airwallex errors: required parameters, bounds, bad values, unknown ids, no token', async () => {
    const missing = await get(`${SETTLEMENTS}?currency=CNY&status=SETTLED&from_settled_at=2026-03-10`);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ code: 'validation_error', message: 'to_settled_at must be provided', source: 'to_settled_at', trace_id: expect.any(String) });
    const cases: Array<[string, string]> = [
      [`${FT_V1}?page_size=0`, 'page_size'],
      [`${FT_V1}?page_size=1001`, 'page_size'],
      [`${FT_V1}?page_num=2001`, 'page_num'],
      [`${FT_V1}?page_num=first`, 'page_num'],
      [`${FT_V1}?status=DONE`, 'status'],
      [`${FT_V1}?currency=cny`, 'currency'],
      [`${FT_V1}?from_created_at=2026-03-10T10:00:00`, 'from_created_at'],
      [`${FT_V1}?to_created_at=2026-02-30`, 'to_created_at'],
      [`${SETTLEMENTS}?currency=CNY&status=DONE&from_settled_at=2026-03-10&to_settled_at=2026-03-10`, 'status'],
    ];
    for (const [url, source] of cases) {
      const answer = await get(url);
      expect([url, answer.status, answer.body.code, answer.body.source]).toEqual([url, 400, 'validation_error', source]);
    }
    expect((await get(`${FT_V1}/nope`)).body.code).toBe('resource_not_found');
    expect((await get(`${FT_PA}/nope`)).status).toBe(404);
    expect((await get(`${SETTLEMENTS}/bat_20260310_CNY_9`)).body.code).toBe('resource_not_found');
    expect((await call(`${h.airwallex}${FT_V1}`)).status).toBe(401);
  });

  it('answers the other shapes the sources disagree on, when told to', async () => {
    await paidIntent(h, token, { amount: 5 });
    await control('POST', '/_finance', { casing: 'camel', signs: 'positive', settlementIdField: 'settlement_id', paths: 'pa' });
    const camel = await get(FT_PA);
    expect(Object.keys(camel.body)).toEqual(['hasMore', 'items']);
    expect(Object.keys(camel.body.items[0]).filter((key) => !declared('CoreBankingFinancialTransaction').includes(key))).toEqual([]);
    expect(camel.body.items[0]).toMatchObject({ amount: 5, fee: 0.03, net: 4.97, sourceType: 'PAYMENT_ATTEMPT', batchId: 'bat_20260310_CNY_1' });
    expect((await get(FT_V1)).body).toMatchObject({ code: 'not_found' });
    const settlement = (await get(`${SETTLEMENTS}/bat_20260310_CNY_1`)).body;
    expect(settlement.settlement_id).toBe('bat_20260310_CNY_1');
    expect(settlement.id).toBeUndefined();

    expect((await control('POST', '/_finance', { casing: 'kebab', feeRate: 2 })).body.message).toMatch(/casing must be one of snake, camel; feeRate must be/);
    expect((await control('DELETE', '/_finance')).body).toMatchObject({ casing: 'snake', signs: 'negative', paths: 'both', feeRate: '0.006' });
  });
});

describe('planting discrepancies', () => {
  it('adds an unknown source, a different amount, a duplicate, a cancelled one; drops an intent\'s and a refund\'s', async () => {
    const intent = await paidIntent(h, token, { amount: 10 });
    const other = await paidIntent(h, token, { amount: 20 });
    const refund = await acceptedRefund(other.id, 5);
    const plant = (body: unknown) => {
      clock += 1000;
      return control('POST', '/_financial_transactions', body);
    };

    const unknown = await plant({ source_id: 'att_unknown_to_the_shop', amount: 3.3, currency: 'CNY' });
    expect(unknown.status).toBe(201);
    expect(unknown.body).toMatchObject({ source_id: 'att_unknown_to_the_shop', transaction_type: 'PAYMENT', amount: 3.3, fee: -0.02, status: 'PENDING', batch_id: 'bat_20260310_CNY_1' });
    const different = await plant({ payment_intent_id: intent.id, amount: 9.99, replace: true });
    expect(different.body).toMatchObject({ source_id: intent.latest_payment_attempt.id, amount: 9.99 });
    await plant({ payment_intent_id: other.id });
    await plant({ payment_intent_id: other.id, status: 'CANCELLED', currency: 'USD', fee: 0 });
    const bySource = (id: string) => h.sim.finance.transactions().filter((ft) => ft.source_id === id);
    expect(bySource(intent.latest_payment_attempt.id).map((ft) => ft.amount)).toEqual([9.99]);
    expect(bySource(other.latest_payment_attempt.id).map((ft) => [ft.amount, ft.currency, ft.status])).toEqual([
      [20, 'CNY', 'PENDING'],
      [20, 'CNY', 'PENDING'],
      [20, 'USD', 'CANCELLED'],
    ]);

    expect((await control('DELETE', `/_financial_transactions?refund_id=${refund.id}`)).body).toEqual({ deleted: 1 });
    expect((await control('DELETE', `/_financial_transactions?payment_intent_id=${intent.id}`)).body).toEqual({ deleted: 1 });
    expect((await control('DELETE', `/_financial_transactions?payment_intent_id=${intent.id}`)).body.code).toBe('resource_not_found');
    expect(h.sim.finance.transactions().map((ft) => ft.source_id)).toEqual([
      other.latest_payment_attempt.id, 'att_unknown_to_the_shop', other.latest_payment_attempt.id, other.latest_payment_attempt.id,
    ]);

    expect((await plant({ payment_intent_id: intent.id, colour: 'red' })).body).toMatchObject({ code: 'validation_error', source: 'colour' });
    expect((await plant({ source_id: 'att_x', amount: 1.234, currency: 'CNY' })).body).toMatchObject({ code: 'validation_error', source: 'amount' });
    expect((await plant({ source_id: 'att_x', amount: 1 })).body).toMatchObject({ code: 'validation_error', source: 'currency' });
    expect((await plant({ payment_intent_id: 'int_nope' })).body.code).toBe('resource_not_found');
    expect((await control('DELETE', '/_financial_transactions')).body.code).toBe('validation_error');
  });

  it('leaves a settled batch whose total no longer matches its transactions when one is dropped afterwards', async () => {
    const intent = await paidIntent(h, token, { amount: 10 });
    await paidIntent(h, token, { amount: 5 });
    h.sim.finance.settle('2026-03-10');
    expect(h.sim.finance.drop({ payment_intent_id: intent.id })).toBe(1);
    const [batch] = h.sim.finance.settlements();
    const transactions = h.sim.finance.transactions();
    expect(batch).toMatchObject({ amount: 14.91, fee: 0.09 });
    expect(transactions.map((ft) => ft.net)).toEqual([4.97]);
  });
});

describe('persistence and settings', () => {
  it('keeps transactions and batches across a restart, and settles them after it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-finance-'));
    const databasePath = path.join(dir, 'simulator.sqlite');
    try {
      const first = await startSimulator({ databasePath, now: () => clock });
      const firstToken = await login(first);
      await paidIntent(first, firstToken, { amount: 8 });
      first.sim.finance.plant({ source_id: 'att_planted', amount: 1, currency: 'CNY' });
      const before = first.sim.finance.transactions();
      const batches = first.sim.finance.settlements();
      await first.close();

      const second = await startSimulator({ databasePath, now: () => clock });
      try {
        expect(second.sim.finance.transactions()).toEqual(before);
        expect(second.sim.finance.settlements()).toEqual(batches);
        clock += DAY;
        expect(second.sim.finance.settlements()).toEqual([expect.objectContaining({ id: 'bat_20260310_CNY_1', status: 'SETTLED', amount: 8.94 })]);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads its settings from the environment, naming every bad one', () => {
    expect(financeFromEnv({ SIMULATOR_FEE_RATE: '0.0125', SIMULATOR_SETTLEMENT_DAYS: '2', SIMULATOR_FINANCE_SIGNS: 'positive', SIMULATOR_FINANCE_CASING: 'camel', SIMULATOR_SETTLEMENT_ID_FIELD: 'settlement_id', SIMULATOR_FINANCE_PATHS: 'v1' })).toEqual({
      feeRate: '0.0125', settlementDays: 2, signs: 'positive', casing: 'camel', settlementIdField: 'settlement_id', paths: 'v1',
    });
    expect(financeFromEnv({})).toEqual({});
    expect(() => financeFromEnv({ SIMULATOR_FEE_RATE: '0.6%', SIMULATOR_SETTLEMENT_DAYS: '0', SIMULATOR_FINANCE_PATHS: 'all' })).toThrow(
      /SIMULATOR_FEE_RATE must be a decimal share[\s\S]*SIMULATOR_SETTLEMENT_DAYS must be[\s\S]*SIMULATOR_FINANCE_PATHS must be one of both, v1, pa/,
    );
  });

  it('rounds the fee half up to the minor unit, in integers', () => {
    expect(feeFor(1234, '0.006')).toBe(7); // 7.404
    expect(feeFor(1250, '0.006')).toBe(8); // 7.5
    expect(feeFor(1249, '0.006')).toBe(7); // 7.494
    expect(feeFor(100, '0')).toBe(0);
    expect(feeFor(9_007_199_254_740, '0.999999')).toBe(9_007_190_247_541);
  });
});
