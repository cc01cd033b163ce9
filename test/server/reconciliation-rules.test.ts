// The reconciliation's pure rules and the merchant's calendar: each flag from the facts that raise it (and none from
// the facts that must not), graces in business days, transactions booked on another day, batches, and the totals.
import type { FinancialTransaction, Settlement } from '../../server/airwallex/finance';
import { addBusinessDays, addDays, dayOf, dayStartMs, dayWindow, isDay, minuteOfDay } from '../../server/services/merchant-day';
import type { DayFacts } from '../../server/services/reconciliation-facts';
import { decideDay } from '../../server/services/reconciliation-rules';
import type { OrderRecord, RefundRecord } from '../../server/store/types';

const TZ = 'Asia/Shanghai';
const DAY = '2026-05-12'; // a Tuesday
const { from, to } = dayWindow(DAY, TZ);
const HOUR = 3_600_000;

let n = 0;
function ft(overrides: Partial<FinancialTransaction> = {}): FinancialTransaction {
  n++;
  return {
    id: `ftx_${String(n).padStart(3, '0')}`, sourceId: 'att_1', sourceType: 'PAYMENT_ATTEMPT', transactionType: 'PAYMENT', batchId: 'bat_20260512_CNY_1',
    status: 'SETTLED', currency: 'CNY', amountMinor: 2699, feeMinor: 16, netMinor: 2683, description: null, createdAtMs: from + HOUR + n,
    estimatedSettledAtMs: to, settledAtMs: to, raw: {}, ...overrides,
  };
}

function order(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    id: 'ord_1', openId: 'o', shopperRef: 'abc', status: 'paid', currency: 'CNY', totalAmount: 2699, items: [], refunds: [], paymentIntentId: 'int_1',
    intentStatus: 'SUCCEEDED', paymentAttemptId: 'att_1', intentUpdatedAt: null, createRequestId: 'r', confirmSeq: 1, confirmedAt: from + HOUR,
    idempotencyKey: null, requestHash: null, lastPaymentError: null, createdAt: from + HOUR, updatedAt: from + HOUR, expiresAt: to, paidAt: from + HOUR,
    checkedAt: null, retrievedAt: null, nextCheckAt: null, checkFailures: 0, ...overrides,
  };
}

function refund(overrides: Partial<RefundRecord> = {}): RefundRecord {
  return {
    id: 'ref_1', orderId: 'ord_1', airwallexRefundId: 'rfd_1', requestId: 'q', amount: 500, currency: 'CNY', reason: null, status: 'succeeded',
    airwallexStatus: 'ACCEPTED', airwallexUpdatedAt: null, failure: null, origin: 'admin', createdBy: null, idempotencyKey: null, requestHash: null,
    createdAt: from + 2 * HOUR, updatedAt: from + 2 * HOUR, ...overrides,
  };
}

const refundFt = (overrides: Partial<FinancialTransaction> = {}) =>
  ft({ sourceId: 'rfd_1', sourceType: 'REFUND', transactionType: 'REFUND', amountMinor: -500, feeMinor: 0, netMinor: -500, ...overrides });

function settlement(transactions: FinancialTransaction[], overrides: Partial<Settlement> = {}): Settlement {
  const net = transactions.filter((t) => t.status !== 'CANCELLED').reduce((sum, t) => sum + t.netMinor, 0);
  const fee = transactions.filter((t) => t.status !== 'CANCELLED').reduce((sum, t) => sum + t.feeMinor, 0);
  return { id: 'bat_20260512_CNY_1', currency: 'CNY', status: 'SETTLED', amountMinor: net, feeMinor: fee, createdAtMs: from, estimatedSettledAtMs: to, settledAtMs: to, raw: {}, ...overrides };
}

function facts(overrides: Partial<DayFacts> = {}): DayFacts {
  const transactions = overrides.transactions ?? [];
  return {
    runId: 'rec_test', day: DAY, window: { from, to }, now: to + 10 * HOUR, transactions, repeatedIds: [], bySource: new Map(),
    batches: transactions.length ? [{ batchId: 'bat_20260512_CNY_1', settlement: settlement(transactions), transactions }] : [],
    orders: [], intentStatuses: new Map(), missingAfter: (at) => addBusinessDays(at, 2, TZ), pendingGraceMs: 24 * HOUR, ...overrides,
  };
}

const flagsOf = (verdict: ReturnType<typeof decideDay>) => verdict.items.filter((i) => i.flag).map((i) => [i.flag, i.anomalyKey]);

describe('the merchant calendar', () => {
  test('a Shanghai day starts at 16:00 UTC the day before; days, minutes and business days on its clock', () => {
    expect(new Date(from).toISOString()).toBe('2026-05-11T16:00:00.000Z');
    expect(to - from).toBe(24 * HOUR);
    expect(dayOf(from, TZ)).toBe(DAY);
    expect(dayOf(from - 1, TZ)).toBe('2026-05-11');
    expect(minuteOfDay(from + 2 * HOUR + 5 * 60_000, TZ)).toBe(125);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect([isDay('2026-02-29'), isDay('2028-02-29'), isDay('2026-5-1'), isDay(20260501)]).toEqual([false, true, false, false]);
    // Friday 10:00 + 2 business days = Tuesday 10:00.
    const friday = dayStartMs('2026-05-15', TZ) + 10 * HOUR;
    expect(dayOf(addBusinessDays(friday, 2, TZ), TZ)).toBe('2026-05-19');
    expect(addBusinessDays(friday, 0, TZ)).toBe(friday);
    // A day around a change of offset is 23 or 25 hours long.
    const spring = dayWindow('2026-03-08', 'America/New_York');
    expect(spring.to - spring.from).toBe(23 * HOUR);
  });
});

describe('decideDay', () => {
  test('a payment and its refund that agree, in a settled batch that adds up, flag nothing; the totals add up', () => {
    const payment = ft();
    const back = refundFt();
    const verdict = decideDay(facts({ transactions: [payment, back], orders: [order({ refunds: [refund()] })] }));
    expect(flagsOf(verdict)).toEqual([]);
    expect(verdict.items.map((i) => [i.subject, i.state])).toEqual([
      ['payment', 'matched'],
      ['refund', 'matched'],
      ['batch', 'matched'],
    ]);
    expect(verdict.totals.currencies).toEqual([
      { currency: 'CNY', payments: 1, gross: 2699, fees: 16, refunds: 1, refunded: 500, other: 0, net: 2183, shopPayments: 1, shopPaid: 2699, shopRefunds: 1, shopRefunded: 500 },
    ]);
    expect(verdict.recheckAt).toBeNull();
  });

  test('a payment without its transaction waits 2 business days, then is missing in Airwallex', () => {
    const friday = dayWindow('2026-05-15', TZ);
    const paid = order({ paidAt: friday.from + 20 * HOUR });
    const base = { window: friday, day: '2026-05-15', orders: [paid] };
    const waiting = decideDay(facts({ ...base, now: friday.to + 24 * HOUR })); // Sunday
    expect(waiting.items).toEqual([expect.objectContaining({ subject: 'payment', state: 'waiting', flag: null, orderId: 'ord_1' })]);
    expect(dayOf(waiting.recheckAt!, TZ)).toBe('2026-05-19');
    const missing = decideDay(facts({ ...base, now: waiting.recheckAt! }));
    expect(flagsOf(missing)).toEqual([['missing_in_airwallex', 'recon_missing_in_airwallex:ord_1']]);
    expect(missing.anomalies).toEqual([expect.objectContaining({ kind: 'recon_missing_in_airwallex', orderId: 'ord_1', intentId: 'int_1', detail: expect.objectContaining({ day: '2026-05-15', runId: 'rec_test', expected: 2699 }) })]);
  });

  test('a transaction booked on another day matches its payment there: no flag, found by its source', () => {
    const elsewhere = ft({ createdAtMs: to + 5 });
    const verdict = decideDay(facts({ orders: [order()], bySource: new Map([['att_1', [elsewhere]]]) }));
    expect(verdict.items).toEqual([expect.objectContaining({ subject: 'payment', state: 'matched', transactionId: elsewhere.id, actual: 2699 })]);
    // Its day sees an order paid the day before: matched too, and a second booking there is a duplicate.
    const again = ft({ createdAtMs: from + 5 });
    const next = decideDay(facts({ transactions: [again], orders: [order({ paidAt: from - 5 })], bySource: new Map([['att_1', [ft({ createdAtMs: from - 4 }), again]]]) }));
    expect(flagsOf(next)).toEqual([['duplicate', 'recon_duplicate:att_1']]);
  });

  test('flags a transaction whose source the shop does not know, another amount, another currency', () => {
    const stranger = ft({ sourceId: 'att_unknown' });
    const strangeRefund = refundFt({ sourceId: 'rfd_unknown' });
    const noSource = ft({ sourceId: null, sourceType: null });
    const verdict = decideDay(
      facts({
        transactions: [stranger, strangeRefund, noSource, ft({ sourceId: 'att_1', amountMinor: 2600 }), ft({ sourceId: 'att_2', currency: 'USD' })],
        orders: [order(), order({ id: 'ord_2', paymentAttemptId: 'att_2' })],
      }),
    );
    expect(flagsOf(verdict)).toEqual([
      ['missing_in_shop', `recon_missing_in_shop:${stranger.id}`],
      ['missing_in_shop', `recon_missing_in_shop:${strangeRefund.id}`],
      ['amount_mismatch', expect.stringMatching(/^recon_amount_mismatch:ftx_/)],
      ['currency_mismatch', expect.stringMatching(/^recon_currency_mismatch:ftx_/)],
    ]);
    // A transaction with no source (a fee, an adjustment) is counted, not matched.
    expect(verdict.items.find((i) => i.transactionId === noSource.id)).toMatchObject({ subject: 'transaction', state: 'matched', flag: null });
  });

  test('status conflicts: a cancelled booking of a paid order, a payment of an order the shop gave up, an intent not SUCCEEDED, a refund failed here but booked there', () => {
    const cancelled = ft({ status: 'CANCELLED' });
    const gaveUp = ft({ sourceId: 'att_2' });
    const failedHere = refundFt();
    const verdict = decideDay(
      facts({
        transactions: [cancelled, gaveUp, failedHere],
        orders: [order({ refunds: [refund({ status: 'failed' })] }), order({ id: 'ord_2', paymentAttemptId: 'att_2', status: 'expired', paidAt: null }), order({ id: 'ord_3', paymentAttemptId: null, paidAt: from + 9 })],
        intentStatuses: new Map([['ord_3', 'REQUIRES_PAYMENT_METHOD']]),
      }),
    );
    expect(flagsOf(verdict)).toEqual([
      ['status_conflict', `recon_status_conflict:${cancelled.id}`],
      ['status_conflict', 'recon_status_conflict:ord_2'],
      ['status_conflict', 'recon_status_conflict:ref_1'],
      ['status_conflict', 'recon_status_conflict:ord_3'],
    ]);
    // A reversal nets a refund that failed here: no conflict.
    const reversed = decideDay(
      facts({ transactions: [ft(), failedHere, refundFt({ transactionType: 'REFUND_FAILURE', amountMinor: 500, netMinor: 500 })], orders: [order({ refunds: [refund({ status: 'failed' })] })] }),
    );
    expect(flagsOf(reversed)).toEqual([]);
    expect(reversed.totals.currencies[0]).toMatchObject({ refunds: 1, refunded: 0, net: 2683 });
  });

  test('a refund whose payment Airwallex never booked is a refund without payment', () => {
    const verdict = decideDay(facts({ transactions: [refundFt()], orders: [order({ paidAt: from - 10 * 24 * HOUR, refunds: [refund()] })] }));
    expect(flagsOf(verdict)).toEqual([['refund_without_payment', 'recon_refund_without_payment:rfd_1']]);
  });

  test('a refund the shop made and that went through, with no transaction, waits then is missing; a pending one is not expected yet', () => {
    const base = { transactions: [ft()], orders: [order({ refunds: [refund(), refund({ id: 'ref_2', airwallexRefundId: 'rfd_2', status: 'pending' })] })] };
    const waiting = decideDay(facts(base));
    expect(waiting.items.filter((i) => i.subject === 'refund')).toEqual([expect.objectContaining({ refundId: 'ref_1', state: 'waiting', expected: -500 })]);
    // Tuesday's refund is due on Thursday.
    expect(dayOf(waiting.recheckAt!, TZ)).toBe('2026-05-14');
    expect(flagsOf(decideDay(facts({ ...base, now: waiting.recheckAt! })))).toEqual([['missing_in_airwallex', 'recon_missing_in_airwallex:ref_1']]);
  });

  test('an id listed twice across pages is a duplicate of itself', () => {
    const payment = ft();
    expect(flagsOf(decideDay(facts({ transactions: [payment], repeatedIds: [payment.id], orders: [order()] })))).toEqual([['duplicate', `recon_duplicate:${payment.id}`]]);
  });

  test('batches: waiting before their estimated settlement, late after the grace, checked once settled (totals, every member settled)', () => {
    const payment = ft({ status: 'PENDING' });
    const pending = settlement([payment], { status: 'PENDING', settledAtMs: null, estimatedSettledAtMs: to + 8 * HOUR });
    const at = (now: number) => decideDay(facts({ now, transactions: [payment], orders: [order()], batches: [{ batchId: pending.id, settlement: pending, transactions: [payment] }] }));
    expect(at(to).items[1]).toMatchObject({ subject: 'batch', state: 'waiting' });
    expect(at(to).recheckAt).toBe(to + 8 * HOUR);
    expect(at(to + 9 * HOUR).recheckAt).toBe(to + 32 * HOUR);
    expect(flagsOf(at(to + 32 * HOUR))).toEqual([['pending_too_long', `recon_pending_too_long:${pending.id}`]]);

    const settled = settlement([payment]);
    expect(flagsOf(decideDay(facts({ transactions: [payment], orders: [order()], batches: [{ batchId: settled.id, settlement: settled, transactions: [payment] }] })))).toEqual([
      ['status_conflict', `recon_status_conflict:${settled.id}`],
    ]);
    const off = settlement([ft()], { feeMinor: 15 });
    const paid = ft();
    expect(flagsOf(decideDay(facts({ transactions: [paid], orders: [order()], batches: [{ batchId: off.id, settlement: off, transactions: [paid] }] })))).toEqual([
      ['batch_total_mismatch', `recon_batch_total_mismatch:${off.id}`],
    ]);
  });

  test('the same facts give the same verdict (a day run again), items in a stable order', () => {
    const make = () => facts({ transactions: [ft({ id: 'a', createdAtMs: from + 1 }), ft({ id: 'b', sourceId: 'att_x', createdAtMs: from + 1 })], orders: [order()] });
    expect(decideDay(make())).toEqual(decideDay(make()));
  });
});
