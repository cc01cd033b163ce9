// The order page's state machine and view model on their own, without a page: events in, the next
// state, the effects asked for and what the page would show.
import { fakeWx, order } from './harness';
import type { Order } from '../../server/contract';

type Machine = typeof import('../../miniprogram/pages/result/result-machine');
type View = typeof import('../../miniprogram/pages/result/result-view');
type Model = import('../../miniprogram/pages/result/result-machine').Model;
type Event = import('../../miniprogram/pages/result/result-machine').Event;
type Effect = import('../../miniprogram/pages/result/result-machine').Effect;
type PayAttempt = import('../../miniprogram/services/payment').PayAttempt;

let machine: Machine;
let viewOf: View;

beforeEach(() => {
  fakeWx({ language: 'en' });
  jest.resetModules();
  machine = require('../../miniprogram/pages/result/result-machine');
  viewOf = require('../../miniprogram/pages/result/result-view');
});

/** Runs `events` from a fresh model; returns the last model and every effect asked for, in order. */
function drive(events: Event[], from?: Model): { model: Model; effects: Effect[] } {
  let model = from || machine.initial('ord_1');
  const effects: Effect[] = [];
  for (const event of events) {
    const next = machine.step(model, event);
    model = next.model;
    effects.push(...next.effects);
  }
  return { model, effects };
}

const show = (model: Model, now = Date.parse('2026-11-26T12:00:00.000Z')) => viewOf.view(model, { config: null, products: [], now });

function attempt(outcome: PayAttempt['outcome'], o: Order = order()): PayAttempt {
  return { order: o, outcome, errorBefore: o.lastPaymentError };
}

describe('opened from the history', () => {
  test('reads the order, then shows its verdict', () => {
    const opened = drive([{ type: 'open', attempt: null }]);
    expect(opened.model.phase).toBe('loading');
    expect(opened.effects).toEqual([{ type: 'read', run: 1, refresh: false }]);
    const { model } = drive([{ type: 'read', run: 1, order: order({ status: 'paid' }) }], opened.model);
    expect(model.phase).toBe('paid');
    expect(show(model)).toMatchObject({ state: 'paid', icon: 'success', headline: 'This order is paid', hint: '', status: 'paid' });
  });

  test('a processing order starts the bounded wait, with the payment error known before it', () => {
    const known = { code: 'PAYMENT_FAILED', message: '', at: '2026-11-26T11:00:00Z' };
    const { model, effects } = drive([
      { type: 'open', attempt: null },
      { type: 'read', run: 1, order: order({ status: 'processing', lastPaymentError: known }) },
    ]);
    expect(model.phase).toBe('waiting');
    expect(effects[1]).toMatchObject({ type: 'wait', run: 2, errorBefore: known });
  });

  test('an order that cannot be read is an error with the reason, and Try again reads it asking Airwallex first', () => {
    const failed = drive([
      { type: 'open', attempt: null },
      { type: 'readFailed', run: 1, error: 'ORDER_NOT_FOUND' },
    ]);
    expect(show(failed.model)).toMatchObject({ state: 'error', headline: 'We could not find this order.' });
    const again = drive([{ type: 'refreshTap' }], failed.model);
    expect(again.model.phase).toBe('loading');
    expect(again.effects).toEqual([{ type: 'read', run: 2, refresh: true }]);
  });
});

describe('after the pay sheet', () => {
  test('"ok" waits for the server: the verdict it gives is what shows', () => {
    const opened = drive([{ type: 'open', attempt: attempt({ kind: 'ok' }) }]);
    expect(opened.model.phase).toBe('waiting');
    const wait = opened.effects[0] as Extract<Effect, { type: 'wait' }>;
    expect(wait.type).toBe('wait');
    const { model } = drive([{ type: 'verdict', run: wait.run, verdict: { kind: 'paid', order: order({ status: 'paid' }) } }], opened.model);
    expect(model.phase).toBe('paid');
    expect(model.confirming).toBeNull();
  });

  test('no answer while confirming keeps the order "being confirmed", with the reason under it', () => {
    const opened = drive([{ type: 'open', attempt: attempt({ kind: 'ok' }) }]);
    const run = opened.model.run;
    const { model } = drive([{ type: 'waitFailed', run, error: 'NETWORK' }], opened.model);
    expect(show(model)).toMatchObject({ state: 'pending', error: 'No connection to the shop. Check your network and try again.' });
    // Check again reads the order and waits again, since the payment is still being confirmed.
    const again = drive([{ type: 'refreshTap' }], model);
    expect(again.effects).toEqual([{ type: 'read', run: run + 1, refresh: true }]);
    expect(drive([{ type: 'read', run: run + 1, order: order({ status: 'processing' }) }], again.model).effects[0]).toMatchObject({ type: 'wait' });
  });

  test('a closed sheet: the order is still payable, nothing was charged, and the button says Pay again', () => {
    const { model } = drive([
      { type: 'open', attempt: attempt({ kind: 'cancel' }) },
      { type: 'read', run: 1, order: order() },
    ]);
    const shown = show(model);
    expect(shown).toMatchObject({ state: 'payable', hintClass: 'shopper-cancel' });
    expect(shown.notice).toBe('You closed the payment. Nothing was charged; the order is still open.');
  });

  test('a failed sheet on an order still payable shows as failed', () => {
    const { model } = drive([
      { type: 'open', attempt: attempt({ kind: 'fail', detail: '' }) },
      { type: 'read', run: 1, order: order() },
    ]);
    expect(show(model)).toMatchObject({ state: 'failed', hint: 'The payment did not go through. Please try again.' });
  });

  test("when the order cannot be read, the sheet's own order still gives a verdict", () => {
    const { model } = drive([
      { type: 'open', attempt: attempt({ kind: 'cancel' }) },
      { type: 'readFailed', run: 1, error: 'NETWORK' },
    ]);
    expect(model.phase).toBe('payable');
  });
});

describe('runs, locks and lifecycle', () => {
  test('an answer from an older run changes nothing', () => {
    const { model } = drive([
      { type: 'open', attempt: null },
      { type: 'refreshTap' },
      { type: 'read', run: 1, order: order({ status: 'expired' }) },
    ]);
    expect(model.phase).toBe('loading');
    expect(drive([{ type: 'read', run: 2, order: order({ status: 'expired' }) }], model).model.phase).toBe('expired');
  });

  test('a double tap on Pay asks for one payment; its answer unlocks and checks the attempt', () => {
    const payable = drive([{ type: 'open', attempt: null }, { type: 'read', run: 1, order: order() }]).model;
    const tapped = drive([{ type: 'payTap' }, { type: 'payTap' }], payable);
    expect(tapped.effects).toEqual([{ type: 'pay' }]);
    expect(show(tapped.model).busy).toBe(true);
    const paid = drive([{ type: 'paid', attempt: attempt({ kind: 'ok' }) }], tapped.model);
    expect(paid.model.busy).toBe(false);
    expect(paid.effects[0]).toMatchObject({ type: 'wait' });
  });

  test('"can no longer be paid" re-reads the order and keeps saying why under its verdict', () => {
    const payable = drive([{ type: 'open', attempt: null }, { type: 'read', run: 1, order: order() }]).model;
    const failed = drive([{ type: 'payTap' }, { type: 'payFailed', error: 'ORDER_NOT_PAYABLE' }], payable);
    expect(failed.effects).toEqual([{ type: 'pay' }, { type: 'read', run: 2, refresh: false }]);
    const { model } = drive([{ type: 'read', run: 2, order: order({ status: 'expired' }) }], failed.model);
    expect(show(model)).toMatchObject({ state: 'expired', error: 'This order can no longer be paid.' });
  });

  test('back from the background: start the requests afresh and check again, unless the pay sheet is what hid the page', () => {
    const payable = drive([{ type: 'open', attempt: null }, { type: 'read', run: 1, order: order() }]).model;
    expect(drive([{ type: 'hide' }, { type: 'show' }], payable).effects).toEqual([{ type: 'restart' }, { type: 'read', run: 2, refresh: false }]);
    expect(drive([{ type: 'payTap' }, { type: 'hide' }, { type: 'show' }], payable).effects).toEqual([{ type: 'pay' }]);
    // onShow right after onLoad is not a return from the background.
    expect(drive([{ type: 'show' }], payable).effects).toEqual([]);
  });

  test('closing aborts the requests, and nothing reaches a closed page', () => {
    const opened = drive([{ type: 'open', attempt: null }]);
    const closed = drive([{ type: 'close' }, { type: 'read', run: 1, order: order({ status: 'paid' }) }], opened.model);
    expect(closed.effects).toEqual([{ type: 'abort' }]);
    expect(closed.model.phase).toBe('loading');
  });

  test('Cancel order asks first; "no" does nothing, "yes" cancels and shows the order cancelled', () => {
    const payable = drive([{ type: 'open', attempt: null }, { type: 'read', run: 1, order: order() }]).model;
    expect(drive([{ type: 'cancelTap' }, { type: 'cancelAnswer', yes: false }], payable).effects).toEqual([{ type: 'askCancel' }]);
    const yes = drive([{ type: 'cancelTap' }, { type: 'cancelAnswer', yes: true }], payable);
    expect(yes.effects).toEqual([{ type: 'askCancel' }, { type: 'cancel' }]);
    expect(drive([{ type: 'cancelled', order: order({ status: 'cancelled' }) }], yes.model).model).toMatchObject({ phase: 'cancelled', busy: false });
  });

  test('time up by the phone clock checks again, but not while paying', () => {
    const payable = drive([{ type: 'open', attempt: null }, { type: 'read', run: 1, order: order() }]).model;
    expect(drive([{ type: 'timeUp' }], payable).effects).toEqual([{ type: 'read', run: 2, refresh: false }]);
    expect(drive([{ type: 'payTap' }, { type: 'timeUp' }], payable).effects).toEqual([{ type: 'pay' }]);
  });
});

describe('the view', () => {
  test('counts down while the order is unpaid and on screen', () => {
    const payable = drive([{ type: 'open', attempt: null }, { type: 'read', run: 1, order: order() }]).model;
    const at = Date.parse('2026-11-26T12:28:30.000Z');
    expect(show(payable, at).countdown).toBe('Pay within 01:30');
    expect(show(drive([{ type: 'hide' }], payable).model, at).countdown).toBe('');
    expect(show(payable, Date.parse('2026-11-26T12:30:00.000Z')).countdown).toBe('');
  });
});
