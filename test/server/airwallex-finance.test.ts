// The Airwallex finance client against the simulator over real HTTP: every page, every filter, each shape of each guess, exact amounts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AirwallexClient } from '../../server/airwallex/client';
import { AirwallexFormatError } from '../../server/airwallex/errors';
import { AirwallexFinance } from '../../server/airwallex/finance';
import { appErrorOf } from '../../server/services/upstream-errors';
import { sourceOf } from '../../server/airwallex/inferred-finance';
import { createLogger } from '../../server/logger';
import type { FinanceSettings } from '../../server/simulator';
import { airwallex, createRefund, CREDENTIALS, eventually, login, paidIntent, startSimulator, type Harness } from './simulator/helpers';

const logger = createLogger('silent');
const DAY = 24 * 3600_000;
const MARCH_10 = Date.UTC(2026, 2, 10, 10, 0, 0);

let clock = MARCH_10;
let h: Harness;
let token: string;
let attempts: Array<[string, string]>;
let finance: AirwallexFinance;

beforeEach(async () => {
  clock = MARCH_10;
  h = await startSimulator({ now: () => clock, faults: { refundAcceptDelayMs: 5, refundSettleDelayMs: 600_000 } });
  token = await login(h);
  attempts = [];
  finance = financeOn(h.airwallex);
});
afterEach(() => h.close());

function financeOn(baseUrl: string, onAttempt?: (operation: string, status: string) => void): AirwallexFinance {
  const client = new AirwallexClient({
    baseUrl,
    clientId: CREDENTIALS.clientId,
    apiKey: CREDENTIALS.apiKey,
    logger,
    now: () => clock,
    maxAttempts: 1,
    onAttempt: (operation, status) => {
      attempts.push([operation, status]);
      onAttempt?.(operation, status);
    },
  });
  return new AirwallexFinance({ client, logger });
}

/** A payment of `amount` at the next second of the clock (lists are in created_at order to the second). */
async function pay(amount: number, currency = 'CNY'): Promise<any> {
  clock += 1000;
  token = await login(h);
  return paidIntent(h, token, { amount, currency });
}

async function refund(intentId: string, amount: number): Promise<any> {
  clock += 1000;
  const created = await createRefund(h, token, { payment_intent_id: intentId, amount });
  return eventually(() => airwallex(h, token, 'GET', `/api/v1/pa/refunds/${created.body.id}`).then((r) => r.body), (r) => r.status === 'ACCEPTED', 3000, 'ACCEPTED');
}

const SHAPES: Array<Partial<FinanceSettings>> = [
  { casing: 'snake', signs: 'negative', settlementIdField: 'id' },
  { casing: 'camel', signs: 'positive', settlementIdField: 'settlement_id' },
  { casing: 'camel', signs: 'negative', settlementIdField: 'id' },
  { casing: 'snake', signs: 'positive', settlementIdField: 'settlement_id' },
];

describe('AirwallexFinance', () => {
  test.each(SHAPES)('reads a day of transactions and its settlement the same way whatever the shape: %o', async (shape) => {
    h.sim.finance.setSettings(shape);
    const payment = await pay(12.34);
    const refunded = await refund(payment.id, 2.5);

    const { items, hasMore } = await finance.listFinancialTransactions({ from: '2026-03-10', to: '2026-03-10' });
    expect(hasMore).toBe(false);
    expect(items.map((ft) => [ft.transactionType, ft.amountMinor, ft.feeMinor, ft.netMinor, ft.currency, ft.batchId, ft.status])).toEqual([
      ['PAYMENT', 1234, 7, 1227, 'CNY', 'bat_20260310_CNY_1', 'PENDING'],
      ['REFUND', -250, 0, -250, 'CNY', 'bat_20260310_CNY_1', 'PENDING'],
    ]);
    expect(items.map(sourceOf)).toEqual([
      { kind: 'payment_attempt', attemptId: payment.latest_payment_attempt.id },
      { kind: 'refund', refundId: refunded.id },
    ]);
    expect(items[0]).toMatchObject({ createdAtMs: MARCH_10 + 1000, estimatedSettledAtMs: Date.UTC(2026, 2, 11), settledAtMs: null });

    clock = MARCH_10 + DAY;
    const settlement = await finance.getSettlement('bat_20260310_CNY_1');
    expect(settlement).toMatchObject({ id: 'bat_20260310_CNY_1', currency: 'CNY', status: 'SETTLED', amountMinor: 977, feeMinor: 7, settledAtMs: Date.UTC(2026, 2, 11) });
    const listed = await finance.listSettlements({ currency: 'CNY', status: 'SETTLED', from: '2026-03-11', to: '2026-03-11' });
    expect(listed.items.map((s) => s.id)).toEqual(['bat_20260310_CNY_1']);
    const batch = await finance.listAllFinancialTransactions({ batchId: 'bat_20260310_CNY_1', status: 'SETTLED' });
    expect(batch.items.reduce((sum, ft) => sum + ft.netMinor, 0)).toBe(settlement!.amountMinor);
    expect(batch.items.reduce((sum, ft) => sum + ft.feeMinor, 0)).toBe(settlement!.feeMinor);
  });

  test('walks every page, each transaction once, and reports an id a moving list showed twice', async () => {
    for (let i = 1; i <= 7; i++) await pay(i);
    const all = await finance.listAllFinancialTransactions({}, { pageSize: 3 });
    expect(all.pages).toBe(3);
    expect(all.items.map((ft) => ft.amountMinor)).toEqual([100, 200, 300, 400, 500, 600, 700]);
    expect(all.repeatedIds).toEqual([]);
    expect(await finance.listFinancialTransactions({}, { pageNum: 2, pageSize: 3 })).toMatchObject({ hasMore: false, items: [expect.objectContaining({ amountMinor: 700 })] });

    // A transaction booked with an earlier created_at while the pages are read shifts the offsets by one.
    let planted = false;
    const moving = financeOn(h.airwallex, (operation, status) => {
      if (operation !== 'ft_list' || status !== '200' || planted) return;
      planted = true;
      h.sim.finance.plant({ source_id: 'att_late', amount: 9, currency: 'CNY', created_at: '2026-03-10T09:00:00+0000' });
    });
    const shifted = await moving.listAllFinancialTransactions({}, { pageSize: 3 });
    expect(shifted.repeatedIds).toEqual([all.items[2].id]);
    expect(shifted.items.map((ft) => ft.amountMinor)).toEqual([100, 200, 300, 400, 500, 600, 700]); // att_late landed before the first page
  });

  test('passes each filter, combined, with days and instants as inclusive bounds', async () => {
    const first = await pay(1);
    await pay(2, 'USD');
    clock = MARCH_10 + DAY;
    await pay(3);
    const amounts = async (query: Parameters<AirwallexFinance['listFinancialTransactions']>[0]) =>
      (await finance.listFinancialTransactions(query)).items.map((ft) => `${ft.amountMinor} ${ft.currency}`);
    expect(await amounts({ sourceId: first.latest_payment_attempt.id })).toEqual(['100 CNY']);
    expect(await amounts({ batchId: 'bat_20260311_CNY_1' })).toEqual(['300 CNY']);
    expect(await amounts({ status: 'SETTLED', currency: 'USD' })).toEqual(['200 USD']);
    expect(await amounts({ status: 'PENDING' })).toEqual(['300 CNY']);
    expect(await amounts({ to: new Date(MARCH_10 + 1999) })).toEqual(['100 CNY']);
    expect(await amounts({ from: new Date(MARCH_10 + 2000), to: '2026-03-11' })).toEqual(['200 USD', '300 CNY']);
    await expect(finance.listFinancialTransactions({ from: '10 March' })).rejects.toThrow(RangeError);
    await expect(finance.listFinancialTransactions({}, { pageSize: 1001 })).rejects.toThrow(RangeError);
  });

  test('keeps amounts exact: 0.10 + 0.20 settles as 0.30, JPY has no decimals, KWD three', async () => {
    h.sim.finance.setSettings({ feeRate: '0' });
    await pay(0.1);
    await pay(0.2);
    h.sim.finance.setSettings({ feeRate: '0.006' });
    await pay(1000, 'JPY');
    await pay(1.234, 'KWD');
    await h.sim.finance.settle('2026-03-10');
    const settled = await finance.listAllSettlements({ currency: 'CNY', status: 'SETTLED', from: '2026-03-10', to: '2026-03-10' });
    expect(settled.items.map((s) => [s.id, s.amountMinor, s.feeMinor])).toEqual([['bat_20260310_CNY_1', 30, 0]]);
    const items = (await finance.listAllFinancialTransactions()).items;
    expect(items.map((ft) => [ft.currency, ft.amountMinor, ft.feeMinor, ft.netMinor])).toEqual([
      ['CNY', 10, 0, 10],
      ['CNY', 20, 0, 20],
      ['JPY', 1000, 6, 994],
      ['KWD', 1234, 7, 1227],
    ]);
    expect(await finance.getSettlement('bat_20260310_KWD_1')).toMatchObject({ amountMinor: 1227, feeMinor: 7 });
  });

  test.each([
    ['pa', [['login', '201'], ['ft_list', '404'], ['ft_list', '200'], ['ft_list', '200']]],
    ['v1', [['login', '201'], ['ft_list', '200'], ['ft_list', '200']]],
    ['both', [['login', '201'], ['ft_list', '200'], ['ft_list', '200']]],
  ] as const)('finds the financial transactions path the account serves (%s) and keeps to it', async (paths, expected) => {
    await pay(5);
    h.sim.finance.setSettings({ paths });
    expect((await finance.listFinancialTransactions()).items).toHaveLength(1);
    expect((await finance.listFinancialTransactions()).items).toHaveLength(1);
    expect(attempts).toEqual(expected);
  });

  test('answers undefined for an unknown transaction or batch without trying the other path', async () => {
    await pay(5);
    const [ft] = (await finance.listFinancialTransactions()).items;
    expect((await finance.getFinancialTransaction(ft.id))?.amountMinor).toBe(500);
    attempts = [];
    expect(await finance.getFinancialTransaction('7f687fe6-dcf4-4462-92fa-80335301d9d2')).toBeUndefined();
    expect(attempts).toEqual([['ft_retrieve', '404']]);
    expect(await finance.getSettlement('bat_20990101_CNY_1')).toBeUndefined();
  });
});

describe('AirwallexFinance on answers it cannot read exactly', () => {
  let server: http.Server;
  let answer: unknown;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const body = req.url!.endsWith('/login') ? { token: 't', expires_at: '2099-01-01T00:00:00+0000' } : answer;
      res.writeHead(req.url!.endsWith('/login') ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const item = { id: 'ftx_1', amount: 12.34, fee: 0.07, net: 12.27, currency: 'CNY', transaction_type: 'PAYMENT', source_type: 'PAYMENT_ATTEMPT', source_id: 'att_1', status: 'PENDING', created_at: '2021-03-22T16:08:02' };

  test.each([
    [{ has_more: false, items: [{ ...item, amount: 12.345 }] }, /financial transaction ftx_1: amount 12.345 is not a CNY amount/],
    [{ has_more: false, items: [{ ...item, fee: '0.0x' }] }, /fee "0.0x" is not a CNY amount/],
    [{ has_more: false, items: [{ ...item, id: undefined }] }, /without id/],
    [{ has_more: false }, /without an items array/],
  ])('refuses %j as a format error (UPSTREAM_REJECTED for the app) rather than guess', async (body, message) => {
    answer = body;
    const error = await financeOn(url).listFinancialTransactions().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AirwallexFormatError);
    expect(error).toMatchObject({ kind: 'format', message: expect.stringMatching(message) });
    expect(appErrorOf(error)).toMatchObject({ code: 'UPSTREAM_REJECTED', message: expect.stringMatching(message) });
  });

  test('reads decimal strings, a time without a zone as UTC, and a type that goes either way by its sign', async () => {
    answer = { hasMore: false, items: [{ ...item, amount: '12.34', fee: '-0.07', net: '12.27' }, { ...item, id: 'ftx_2', transaction_type: 'ADJUSTMENT', amount: -5, fee: 0, net: -5 }] };
    const { items } = await financeOn(url).listFinancialTransactions();
    expect(items.map((ft) => [ft.amountMinor, ft.feeMinor, ft.netMinor, ft.createdAtMs])).toEqual([
      [1234, 7, 1227, Date.UTC(2021, 2, 22, 16, 8, 2)],
      [-500, 0, -500, Date.UTC(2021, 2, 22, 16, 8, 2)],
    ]);
  });
});
