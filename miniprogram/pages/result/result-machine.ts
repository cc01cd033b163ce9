// The order page's state machine, pure: `step(model, event)` gives the next model and the effects
// (reads, the bounded wait, pay, cancel) for the page to run; their answers come back as events.
// Every read and wait carries the run it belongs to: a newer check makes older answers stale.
import type { Order, PaymentError } from '../../../server/contract';
import { classify } from '../../services/payment';
import type { PayAttempt, PayOutcome, Verdict, VerdictKind } from '../../services/payment';

/** What the page shows: a verdict, or loading / waiting (confirming a payment) / error. */
export type Phase = 'loading' | 'waiting' | 'error' | VerdictKind;

export interface Model {
  id: string;
  phase: Phase;
  /** Bumped by each new check; answers that carry an older run are stale. */
  run: number;
  /** What the answer of the current read leads to: a verdict ('check') or a new wait ('confirm'). */
  reading: 'check' | 'confirm';
  /** The order as last seen. */
  order: Order | null;
  /** The pay attempt whose outcome is being checked (its sheet answer, the order it started on). */
  attempt: PayAttempt | null;
  /** While a payment the sheet reported as made is being confirmed: the payment error known before it. */
  confirming: { errorBefore: PaymentError | null } | null;
  /** Whether the shopper paid (or tried to) on this visit: a paid order then says thanks, else just "paid". */
  attempted: boolean;
  /** The pay sheet's answer behind the verdict shown (a closed sheet, a failure), if any. */
  sheet: PayOutcome | null;
  /** The error code behind the 'error' phase. */
  failure: string | null;
  /** The error code of the line under a verdict (a failed pay or cancel, no answer while confirming). */
  error: string | null;
  /** An error code to keep showing under the next verdict (the order could no longer be paid). */
  sticky: string | null;
  /** Paying or cancelling: the buttons are locked. */
  busy: boolean;
  hidden: boolean;
  closed: boolean;
}

/** What the page does for the machine; each answers with an event. */
export type Effect =
  | { type: 'read'; run: number; refresh: boolean }
  | { type: 'wait'; run: number; order: Order; errorBefore: PaymentError | null }
  | { type: 'pay' }
  | { type: 'askCancel' }
  | { type: 'cancel' }
  /** Forget the requests in flight (cut off in the background) and start a new group. */
  | { type: 'restart' }
  /** Abort the requests in flight: the page is closing. */
  | { type: 'abort' };

export type Event =
  | { type: 'open'; attempt: PayAttempt | null }
  | { type: 'read'; run: number; order: Order }
  | { type: 'readFailed'; run: number; error: string }
  | { type: 'update'; run: number; order: Order }
  | { type: 'verdict'; run: number; verdict: Verdict }
  | { type: 'waitFailed'; run: number; error: string }
  | { type: 'hide' }
  | { type: 'show' }
  | { type: 'close' }
  | { type: 'payTap' }
  | { type: 'paid'; attempt: PayAttempt | null }
  | { type: 'payFailed'; error: string }
  | { type: 'refreshTap' }
  | { type: 'cancelTap' }
  | { type: 'cancelAnswer'; yes: boolean }
  | { type: 'cancelled'; order: Order }
  | { type: 'cancelFailed'; error: string }
  /** The phone's clock says the unpaid order's time is up. */
  | { type: 'timeUp' };

export interface Step {
  model: Model;
  effects: Effect[];
}

/** The model of a page just opened for order `id`. */
export function initial(id: string): Model {
  return {
    id,
    phase: 'loading',
    run: 0,
    reading: 'check',
    order: null,
    attempt: null,
    attempted: false,
    confirming: null,
    sheet: null,
    failure: null,
    error: null,
    sticky: null,
    busy: false,
    hidden: false,
    closed: false,
  };
}

function with_(m: Model, changes: Partial<Model>): Model {
  return Object.assign({}, m, changes);
}

/** Shows a verdict; after a failed pay sheet, an order that is still payable shows as failed. */
function showVerdict(m: Model, verdict: Verdict, sheet: PayOutcome | null): Model {
  let phase: Phase = verdict.kind;
  if (phase === 'payable' && sheet && sheet.kind === 'fail') phase = 'failed';
  return with_(m, { phase, order: verdict.order, sheet, error: m.sticky, sticky: null, failure: null });
}

/** Waits (bounded) for the server to settle a payment the sheet reported as made. */
function confirm(m: Model, order: Order): Step {
  const run = m.run + 1;
  const errorBefore = m.confirming ? m.confirming.errorBefore : null;
  return {
    model: with_(m, { run, order, phase: 'waiting', error: null, sheet: null }),
    effects: [{ type: 'wait', run, order, errorBefore }],
  };
}

/** Finds out where the order stands, after a pay attempt or from scratch (`refresh`: ask Airwallex first). */
function check(m: Model, attempt: PayAttempt | null, refresh: boolean): Step {
  if (attempt) m = with_(m, { attempted: true });
  if (attempt && attempt.outcome.kind === 'ok') {
    return confirm(with_(m, { run: m.run + 1, attempt, confirming: { errorBefore: attempt.errorBefore } }), attempt.order);
  }
  const run = m.run + 1;
  const next = with_(m, { run, attempt, reading: 'check' });
  if (!m.order) Object.assign(next, { phase: 'loading', error: null });
  return { model: next, effects: [{ type: 'read', run, refresh }] };
}

/** Reads the order (asking Airwallex first with `refresh`), then keeps waiting for the verdict. */
function reconfirm(m: Model, refresh: boolean): Step {
  const run = m.run + 1;
  return { model: with_(m, { run, reading: 'confirm', phase: 'waiting', error: null }), effects: [{ type: 'read', run, refresh }] };
}

/** A verdict on the order just read by a check. */
function checked(m: Model, order: Order): Step {
  const attempt = m.attempt;
  const verdict = classify(order, attempt ? attempt.errorBefore : null);
  if (verdict.kind === 'pending') {
    return confirm(with_(m, { confirming: { errorBefore: attempt ? attempt.errorBefore : order.lastPaymentError } }), order);
  }
  return { model: showVerdict(m, verdict, attempt ? attempt.outcome : null), effects: [] };
}

const none = (model: Model): Step => ({ model, effects: [] });

/** The next model and the effects to run, for `event` in `m`. */
export function step(m: Model, event: Event): Step {
  // Nothing reaches a closed page; answers of an older run are stale.
  if (m.closed) return none(m);
  if ('run' in event && event.run !== m.run) return none(m);
  switch (event.type) {
    case 'open':
      return check(m, event.attempt, false);
    case 'read':
      return m.reading === 'confirm' ? confirm(m, event.order) : checked(m, event.order);
    case 'readFailed':
      if (m.reading === 'confirm') return none(with_(showVerdict(m, { kind: 'pending', order: m.order! }, null), { error: event.error }));
      // The sheet's own answer still tells the shopper something useful.
      if (m.attempt) return checked(m, m.attempt.order);
      return none(with_(m, { phase: 'error', failure: event.error, error: null, sticky: null }));
    case 'update':
      return none(with_(m, { order: event.order }));
    case 'verdict': {
      const settled = event.verdict.kind !== 'pending';
      return none(showVerdict(with_(m, { confirming: settled ? null : m.confirming }), event.verdict, null));
    }
    case 'waitFailed':
      // No answer while confirming is not a verdict: keep the order "being confirmed".
      return none(with_(showVerdict(m, { kind: 'pending', order: m.order! }, null), { error: event.error }));
    case 'hide':
      return none(with_(m, { hidden: true }));
    case 'show': {
      if (!m.hidden) return none(m);
      const shown = with_(m, { hidden: false });
      // The pay sheet itself hides and shows the page: the payment flow carries on by itself.
      if (m.busy) return none(shown);
      // WeChat cuts requests off about 5 s after the app goes to the background: start afresh.
      const next = m.confirming ? reconfirm(shown, false) : check(shown, null, false);
      return { model: next.model, effects: [{ type: 'restart' } as Effect].concat(next.effects) };
    }
    case 'close':
      return { model: with_(m, { closed: true }), effects: [{ type: 'abort' }] };
    case 'payTap':
      // A disabled button still fires bindtap in WeChat: busy is the lock.
      if (m.busy) return none(m);
      return { model: with_(m, { busy: true, error: null }), effects: [{ type: 'pay' }] };
    case 'paid': {
      const idle = with_(m, { busy: false });
      return event.attempt ? check(idle, event.attempt, false) : none(idle);
    }
    case 'payFailed': {
      const failed = with_(m, { busy: false, error: event.error });
      // The order moved on (paid elsewhere, expired): show it as it is, keeping the reason.
      return event.error === 'ORDER_NOT_PAYABLE' ? check(with_(failed, { sticky: event.error }), null, false) : none(failed);
    }
    case 'refreshTap':
      // Ask the server to re-check with Airwallex first.
      return m.confirming && m.order ? reconfirm(m, true) : check(m, null, true);
    case 'cancelTap':
      return m.busy ? none(m) : { model: m, effects: [{ type: 'askCancel' }] };
    case 'cancelAnswer':
      return event.yes ? { model: with_(m, { busy: true, error: null }), effects: [{ type: 'cancel' }] } : none(m);
    case 'cancelled':
      return none(showVerdict(with_(m, { run: m.run + 1, busy: false }), classify(event.order), null));
    case 'cancelFailed':
      return none(with_(m, { busy: false, error: event.error }));
    case 'timeUp':
      return m.busy ? none(m) : check(m, null, false);
  }
  return none(m);
}
