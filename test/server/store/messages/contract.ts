// The store contract for subscription messages (accepts, due with their order's event, claimed once, finished with a timeline event),
// run against both dialects by test/server/store/contract.ts.
import type { MessageRecord, NewAccept, NewOrderEvent, Store } from '../../../../server/store/types';
import { type ContractSubject, newRefund, patch, T0 } from '../fixtures';

const PAY: NewAccept = { templateId: 'tmpl-pay', template: 'paymentSucceeded', acceptStatus: 'accept', lang: 'zh_CN' };
const REFUND: NewAccept = { templateId: 'tmpl-refund', template: 'refundSucceeded', acceptStatus: 'acceptWithAudio', lang: 'en_US' };
const note = (outcome: string, at = T0 + 9): NewOrderEvent => ({ kind: 'message', source: 'sender', data: { outcome }, at });

export function describeMessagesContract(subject: ContractSubject): void {
  const { put, peer } = subject;
  let store: Store;
  beforeEach(() => {
    store = subject.store;
  });
  const states = async (orderId: string) => Object.fromEntries((await store.orderMessages(orderId)).map((m) => [m.template, m.state]));

  describe('recordAccepts', () => {
    test("records each accept once, waiting for its event; a repeat changes nothing; another shopper's order or none is undefined", async () => {
      const orderId = await put({ openId: 'o_alice' });
      const first = await store.recordAccepts(orderId, 'o_alice', [PAY, REFUND], T0 + 1);
      expect(first?.inserted).toEqual(['tmpl-pay', 'tmpl-refund']);
      expect(first?.recorded).toEqual([
        expect.objectContaining({ orderId, templateId: 'tmpl-pay', template: 'paymentSucceeded', openId: 'o_alice', acceptStatus: 'accept', lang: 'zh_CN', state: 'waiting', acceptedAt: T0 + 1, eventAt: null, attempts: 0 }),
        expect.objectContaining({ templateId: 'tmpl-refund', template: 'refundSucceeded', acceptStatus: 'acceptWithAudio', lang: 'en_US', state: 'waiting' }),
      ]);
      const again = await store.recordAccepts(orderId, 'o_alice', [{ ...PAY, acceptStatus: 'acceptWithAlert' }], T0 + 2);
      expect(again?.inserted).toEqual([]);
      expect(again?.recorded.map((m) => [m.acceptStatus, m.acceptedAt])).toEqual([['accept', T0 + 1], ['acceptWithAudio', T0 + 1]]);
      expect(await store.recordAccepts(orderId, 'o_mallory', [PAY], T0 + 3)).toBeUndefined();
      expect(await store.recordAccepts('ord_none', 'o_alice', [PAY], T0 + 3)).toBeUndefined();
      const timeline = (await store.orderEvents(orderId)).filter((e) => e.kind === 'message');
      expect(timeline.map((e) => e.data)).toEqual([
        { template: 'paymentSucceeded', templateId: 'tmpl-pay', outcome: 'accepted', status: 'accept', waiting: true },
        { template: 'refundSucceeded', templateId: 'tmpl-refund', outcome: 'accepted', status: 'acceptWithAudio', waiting: true },
      ]);
    });

    test('a message becomes due in the transaction that stores its event: the order paid, the first refund that succeeded', async () => {
      const orderId = await put();
      await store.recordAccepts(orderId, 'o_alice', [PAY, REFUND], T0 + 1);
      await store.updateOrder(orderId, () => patch({ status: 'processing', updatedAt: T0 + 2 }));
      expect(await states(orderId)).toEqual({ paymentSucceeded: 'waiting', refundSucceeded: 'waiting' });
      await store.updateOrder(orderId, () => patch({ status: 'paid', paidAt: T0 + 3, updatedAt: T0 + 3 }));
      expect(await states(orderId)).toEqual({ paymentSucceeded: 'due', refundSucceeded: 'waiting' });
      const refund = newRefund(orderId);
      await store.updateOrder(orderId, () => ({ refunds: [refund] }));
      expect(await states(orderId)).toEqual({ paymentSucceeded: 'due', refundSucceeded: 'waiting' });
      await store.updateOrder(orderId, () => ({ refunds: [{ ...refund, status: 'succeeded', updatedAt: T0 + 4 }] }));
      // A second refund succeeding later changes nothing: one accept, one message.
      await store.updateOrder(orderId, () => ({ refunds: [newRefund(orderId, { status: 'succeeded', updatedAt: T0 + 5 })] }));
      const [pay, back] = await store.orderMessages(orderId);
      expect(pay).toMatchObject({ state: 'due', eventAt: T0 + 3, nextAttemptAt: 0, refundId: null });
      expect(back).toMatchObject({ state: 'due', eventAt: T0 + 4, nextAttemptAt: 0, refundId: refund.id });
    });

    test('an accept that comes after its event is due at once', async () => {
      const orderId = await put({}, patch({ status: 'paid', paidAt: T0 + 3 }));
      const refund = newRefund(orderId, { status: 'succeeded', updatedAt: T0 + 7 });
      await store.updateOrder(orderId, () => ({ refunds: [newRefund(orderId, { status: 'failed' }), refund] }));
      const recorded = await store.recordAccepts(orderId, 'o_alice', [PAY, REFUND], T0 + 10);
      expect(recorded?.recorded).toEqual([
        expect.objectContaining({ template: 'paymentSucceeded', state: 'due', eventAt: T0 + 3, nextAttemptAt: 0 }),
        expect.objectContaining({ template: 'refundSucceeded', state: 'due', eventAt: T0 + 7, refundId: refund.id }),
      ]);
      const timeline = (await store.orderEvents(orderId)).filter((e) => e.kind === 'message');
      expect(timeline.map((e) => e.data.waiting)).toEqual([false, false]);
    });

    test('an accept racing the payment from another process is never left waiting', async () => {
      const other = await peer();
      for (let round = 0; round < 8; round++) {
        const orderId = await put();
        await Promise.all([
          other.updateOrder(orderId, () => patch({ status: 'paid', paidAt: T0 + 3 })),
          store.recordAccepts(orderId, 'o_alice', [PAY], T0 + 1),
        ]);
        expect(await states(orderId)).toEqual({ paymentSucceeded: 'due' });
      }
    });
  });

  describe('sending', () => {
    const due = async () => {
      const orderId = await put({}, patch({ status: 'paid', paidAt: T0 + 3 }));
      await store.recordAccepts(orderId, 'o_alice', [PAY], T0 + 4);
      return orderId;
    };

    test('claims due messages once, counting the attempt; finishes them with their timeline event, once', async () => {
      const orderId = await due();
      const [claimed, ...rest] = await store.claimDueMessages(T0 + 5, 10);
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({ orderId, state: 'sending', attempts: 1, attemptAt: T0 + 5 });
      expect(await store.claimDueMessages(T0 + 6, 10)).toEqual([]);
      expect(await store.finishMessage(orderId, 'tmpl-pay', { state: 'sent', msgid: '3395159288267931652' }, note('sent'), T0 + 9)).toBe(true);
      expect(await store.finishMessage(orderId, 'tmpl-pay', { state: 'failed', error: 'x' }, note('failed'), T0 + 10)).toBe(false);
      expect((await store.orderMessages(orderId))[0]).toMatchObject({ state: 'sent', msgid: '3395159288267931652', error: null, updatedAt: T0 + 9 });
      expect((await store.orderEvents(orderId)).filter((e) => e.kind === 'message').map((e) => e.data.outcome)).toEqual(['accepted', 'sent']);
    });

    test('a message due again waits for its next attempt; refused and failed are final', async () => {
      const orderId = await due();
      await store.claimDueMessages(T0 + 5, 10);
      await store.finishMessage(orderId, 'tmpl-pay', { state: 'due', error: 'WeChat is busy (-1)', nextAttemptAt: T0 + 1000 }, note('retry'), T0 + 6);
      expect(await store.claimDueMessages(T0 + 999, 10)).toEqual([]);
      const [again] = await store.claimDueMessages(T0 + 1000, 10);
      expect(again).toMatchObject({ attempts: 2, error: 'WeChat is busy (-1)' });
      await store.finishMessage(orderId, 'tmpl-pay', { state: 'refused', error: '43101' }, note('refused'), T0 + 1001);
      expect(await store.claimDueMessages(T0 + 1_000_000, 10)).toEqual([]);
      expect(await store.countMessagesByState()).toEqual({ refused: 1 });
    });

    test('two processes claiming at once take each message once', async () => {
      const other = await peer();
      const ids = await Promise.all(Array.from({ length: 6 }, () => due()));
      const claims = await Promise.all([store, other, store, other].map((s) => s.claimDueMessages(T0 + 5, 2)));
      const claimed = claims.flat().map((m: MessageRecord) => m.orderId).sort();
      expect(claimed).toEqual([...new Set(claimed)]);
      const rest = await store.claimDueMessages(T0 + 5, 10);
      expect([...claimed, ...rest.map((m) => m.orderId)].sort()).toEqual([...ids].sort());
    });

    test('an attempt left sending past its time is given up as unknown, never claimed again, with its timeline event', async () => {
      const orderId = await due();
      await store.claimDueMessages(T0 + 5, 10);
      expect(await store.abandonInterruptedMessages(T0 + 5, T0 + 100, () => note('never'))).toEqual([]);
      const given = await store.abandonInterruptedMessages(T0 + 6, T0 + 100, (m) => note(`unknown after ${m.attempts}`, T0 + 100));
      expect(given).toEqual([expect.objectContaining({ orderId, state: 'unknown', attempts: 1, updatedAt: T0 + 100 })]);
      expect(await store.finishMessage(orderId, 'tmpl-pay', { state: 'sent', msgid: '1' }, note('sent'), T0 + 101)).toBe(false);
      expect(await store.claimDueMessages(T0 + 1_000_000, 10)).toEqual([]);
      expect((await store.orderMessages(orderId))[0]).toMatchObject({ state: 'unknown', error: expect.stringMatching(/interrupted/) });
      expect((await store.orderEvents(orderId)).filter((e) => e.kind === 'message').map((e) => e.data.outcome)).toEqual(['accepted', 'unknown after 1']);
    });
  });
}
