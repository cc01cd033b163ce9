// The fuzzer's cases for POST /webhooks/airwallex: signatures, timestamps, bodies, content types; a signed event is
// always harmless (it moves no order).
import fc from 'fast-check';
import { API_BODY_LIMIT, WEBHOOK_BODY_LIMIT, type BodySpec, type Expectation, type FuzzCase, type SignatureSpec, type TimestampSpec } from '../model';
import { headerString, noiseHeaders } from '../pieces';
import { anyJson, headerValue, isJson, malformedJson, noiseFields, oddString } from '../strings';
import type { WriteRule } from '../tables';

// ---------------------------------------------------------------- POST /webhooks/airwallex

type WebhookBody = { variant: string; body: BodySpec; event: boolean; oversize?: boolean; outcomes?: string[] };

const eventId = fc.oneof(fc.stringMatching(/^evt_fuzz_[A-Za-z0-9]{8,24}$/), oddString.filter((id) => id.length > 0 && id.length <= 128));
const eventName = fc.oneof(
  fc.constantFrom('refund.settled', 'payment_attempt.authorized', 'customer.created', 'payment_intent'),
  oddString.filter((name) => name.length > 0 && name.length <= 128 && !name.startsWith('payment_intent.')),
);
const isoAt = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000').replace(/\.\d{3}/, '');

/** Correctly formed events the server stores and answers 200, without changing any order. */
const harmlessEvent: fc.Arbitrary<WebhookBody> = fc.oneof(
  fc.tuple(eventId, eventName, anyJson, noiseFields).map(([id, name, data, extra]): WebhookBody => ({
    variant: 'signed event of another kind',
    body: { kind: 'json', value: { ...extra, id, name, data } },
    event: true,
    outcomes: ['ignored'],
  })),
  fc
    .tuple(eventId, fc.constantFrom('payment_intent.succeeded', 'payment_intent.cancelled', 'payment_intent.requires_capture'), fc.stringMatching(/^ord_[A-Za-z0-9]{16}$/), fc.constantFrom('SUCCEEDED', 'CANCELLED', 'REQUIRES_CAPTURE'))
    .map(([id, name, orderId, status]): WebhookBody => ({
      variant: 'signed intent event for an unknown order',
      body: { kind: 'json', value: { id, name, data: { object: { id: 'int_fuzz_unknown', merchant_order_id: orderId, status, amount: 26.99, currency: 'CNY', updated_at: isoAt(Date.now() + 60_000) } } } },
      event: true,
      outcomes: ['unknown_order'],
    })),
  // Events about fixture orders that the rules must ignore; resolved against the fixture when sent (see request.ts).
  fc
    .tuple(eventId, fc.constantFrom('wrongIntent', 'wrongAmount', 'olderSnapshot', 'finalOrder' as const), fc.integer({ min: -1_000_000, max: 1_000_000 }))
    .map(([id, rule, amount]): WebhookBody => ({
      variant: `signed intent event the order must ignore (${rule})`,
      body: { kind: 'json', value: { id, name: 'payment_intent.succeeded', data: { object: { '@fixture': rule, amount } } } },
      event: true,
      outcomes: ['applied', 'ignored'],
    })),
);

const notAnEvent: fc.Arbitrary<WebhookBody> = fc.oneof(
  malformedJson.map((text): WebhookBody => ({ variant: 'signed garbage (not JSON)', body: { kind: 'text', text }, event: false })),
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 64 }).filter((text) => !isJson(Buffer.from(text, 'latin1').toString('utf8'))).map((text): WebhookBody => ({
    variant: 'signed invalid UTF-8',
    body: { kind: 'text', text, latin1: true },
    event: false,
  })),
  fc.oneof(fc.array(anyJson, { maxLength: 2 }), fc.integer(), oddString, fc.constant(null), fc.boolean()).map((value): WebhookBody => ({ variant: 'signed JSON that is not an object', body: { kind: 'json', value }, event: false })),
  fc
    .tuple(fc.oneof(fc.constant<unknown>(undefined), fc.constant(''), fc.integer(), fc.constant(null), fc.stringMatching(/^[a-z]{129,200}$/)), fc.oneof(fc.constant<unknown>(undefined), fc.constant(''), fc.integer(), eventName), anyJson)
    .filter(([id, name]) => !(typeof id === 'string' && id.length > 0 && id.length <= 128 && typeof name === 'string' && name.length > 0 && name.length <= 128))
    .map(([id, name, data]): WebhookBody => ({ variant: 'signed event without a usable id or name', body: { kind: 'json', value: { id, name, data } }, event: false })),
);

const webhookBody: fc.Arbitrary<WebhookBody> = fc.oneof(
  { weight: 4, arbitrary: harmlessEvent },
  { weight: 3, arbitrary: notAnEvent },
  {
    weight: 1,
    arbitrary: fc.tuple(harmlessEvent, fc.integer({ min: WEBHOOK_BODY_LIMIT + 1, max: WEBHOOK_BODY_LIMIT + 40_000 }), fc.boolean()).map(([event, pad, chunked]): WebhookBody => ({
      ...event,
      variant: 'body past 512 KB',
      body: { ...(event.body as Extract<BodySpec, { kind: 'json' }>), pad, chunked },
      oversize: true,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(harmlessEvent, fc.integer({ min: API_BODY_LIMIT + 1, max: 200_000 })).map(([event, pad]): WebhookBody => ({
      ...event,
      variant: `${event.variant}, past the API limit but under 512 KB`,
      body: { ...(event.body as Extract<BodySpec, { kind: 'json' }>), pad },
    })),
  },
);

/** The server's defaults: signed deliveries up to 72 h old (Airwallex's retries), at most 5 minutes ahead. */
const TOLERANCE_MS = 72 * 3600_000;
const FUTURE_MS = 5 * 60_000;
const MARGIN_MS = 20_000;
const freshTimestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<TimestampSpec>({ kind: 'now' }) },
  { weight: 1, arbitrary: fc.integer({ min: -(TOLERANCE_MS - MARGIN_MS), max: FUTURE_MS - MARGIN_MS }).map((ms): TimestampSpec => ({ kind: 'offset', ms })) },
);
const staleTimestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  fc.integer({ min: TOLERANCE_MS + MARGIN_MS, max: 10 * 365 * 86_400_000 }).map((ms): TimestampSpec => ({ kind: 'offset', ms: -ms })),
  fc.integer({ min: FUTURE_MS + MARGIN_MS, max: 10 * 365 * 86_400_000 }).map((ms): TimestampSpec => ({ kind: 'offset', ms })),
  fc.constant<TimestampSpec>({ kind: 'seconds' }),
  fc.constantFrom('0', '1', '0000000000000', '9999999999999999').map((value): TimestampSpec => ({ kind: 'raw', value })),
);
const nonNumericTimestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  fc.constant<TimestampSpec>({ kind: 'missing' }),
  fc.constantFrom('', 'abc', '1e12', '-5', '12.5', '17000000000000000', '0x1', 'NaN', '１７００', '+1700000000000', '1,7').map((value): TimestampSpec => ({ kind: 'raw', value })),
  headerString.map((value): TimestampSpec => ({ kind: 'raw', value })),
);

const numericOnWire = (ts: TimestampSpec) => ts.kind !== 'missing' && (ts.kind !== 'raw' || /^\d{1,16}$/.test(headerValue(ts.value)));

const badSignature: fc.Arbitrary<SignatureSpec> = fc.oneof(
  fc.constant<SignatureSpec>({ kind: 'missing' }),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((hex): SignatureSpec => ({ kind: 'random', hex })),
  headerString.map((value): SignatureSpec => ({ kind: 'raw', value })),
  fc.oneof(fc.constant('whsec_wrong'), fc.constant(''), oddString).map((secret): SignatureSpec => ({ kind: 'wrongSecret', secret })),
  oddString.map((body): SignatureSpec => ({ kind: 'otherBody', body })),
  fc.integer({ min: 1, max: 100_000 }).map((deltaMs): SignatureSpec => ({ kind: 'otherTimestamp', deltaMs })),
  fc.constant<SignatureSpec>({ kind: 'prefixed' }),
  fc.constant<SignatureSpec>({ kind: 'truncated' }),
);
const wellFormedSignature = (sig: SignatureSpec) => ['valid', 'uppercase', 'random', 'wrongSecret', 'otherBody', 'otherTimestamp'].includes(sig.kind) || (sig.kind === 'raw' && /^[0-9a-fA-F]{64}$/.test(headerValue(sig.value)));

/**
 * What an accepted harmless event may write: the event itself; for an event about a fixture order that the
 * rules ignore, a line on its timeline and its bookkeeping (checked, next due); for money moved for an order
 * we do not have, or an intent that is not the order's, an anomaly.
 */
const WEBHOOK_WRITES: WriteRule[] = ['server.webhook_events +', 'server.order_events +', 'server.anomalies +', 'server.orders ~checked_at,next_check_at'];

function webhookExpectation(body: WebhookBody, ts: TimestampSpec, sig: SignatureSpec, fresh: boolean): Expectation {
  if (body.oversize) return { outcome: 'refuse', codes: ['BODY_TOO_LARGE'] };
  if (!wellFormedSignature(sig)) return { outcome: 'refuse', codes: ['WEBHOOK_SIGNATURE_INVALID'] };
  if (!numericOnWire(ts)) return { outcome: 'refuse', codes: ['WEBHOOK_TIMESTAMP_STALE'] };
  if (sig.kind !== 'valid' && sig.kind !== 'uppercase') return { outcome: 'refuse', codes: ['WEBHOOK_SIGNATURE_INVALID'] };
  if (!fresh) return { outcome: 'refuse', codes: ['WEBHOOK_TIMESTAMP_STALE'] };
  if (!body.event) return { outcome: 'refuse', codes: ['WEBHOOK_PAYLOAD_INVALID'] };
  // Generated event ids repeat now and then (short odd strings, shrinking): a repeat is a duplicate.
  return { outcome: 'accept', status: 200, webhookOutcomes: body.outcomes && [...body.outcomes, 'duplicate'] };
}

const webhookContentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | null | undefined>(undefined) },
  { weight: 1, arbitrary: fc.constantFrom<string | null>(null, 'text/plain', 'application/octet-stream', 'application/json; charset=utf-8') },
);

export const webhookCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  // Every combination of signature and timestamp over every kind of body.
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        webhookBody,
        fc.oneof({ weight: 3, arbitrary: freshTimestamp.map((ts) => ({ ts, fresh: true })) }, { weight: 1, arbitrary: staleTimestamp.map((ts) => ({ ts, fresh: false })) }, { weight: 1, arbitrary: nonNumericTimestamp.map((ts) => ({ ts, fresh: false })) }),
        fc.oneof({ weight: 3, arbitrary: fc.constantFrom<SignatureSpec>({ kind: 'valid' }, { kind: 'valid' }, { kind: 'uppercase' }) }, { weight: 3, arbitrary: badSignature }),
        webhookContentType,
        noiseHeaders,
      )
      .map(([body, { ts, fresh }, signature, contentType, headers]): FuzzCase => {
        const spec: BodySpec = contentType === undefined || (body.body.kind !== 'json' && body.body.kind !== 'text') ? body.body : { ...body.body, contentType };
        const expect = webhookExpectation(body, ts, signature, fresh);
        return {
          endpoint: 'POST /webhooks/airwallex',
          variant: `${body.variant}; signature ${signature.kind}; timestamp ${ts.kind}${fresh ? '' : ' (not fresh)'}`,
          method: 'POST',
          path: '/webhooks/airwallex',
          token: { kind: 'missing' },
          headers,
          body: spec,
          webhook: { timestamp: ts, signature },
          expect,
          writesIfAccepted: WEBHOOK_WRITES,
        };
      }),
  },
  // The setup's accepted delivery again: byte for byte it is a duplicate; any change breaks the signature.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('exact', 'newTimestamp', 'otherBody' as const), noiseHeaders).map(([replay, headers]): FuzzCase => ({
      endpoint: 'POST /webhooks/airwallex',
      variant: `replayed delivery (${replay})`,
      method: 'POST',
      path: '/webhooks/airwallex',
      token: { kind: 'missing' },
      headers,
      body: { kind: 'none' },
      webhook: { replay, timestamp: { kind: 'now' }, signature: { kind: 'valid' } },
      // An exact replay is a duplicate while its timestamp is fresh (the run lasts far less than 5 minutes).
      expect: replay === 'exact' ? { outcome: 'any', webhookOutcomes: ['duplicate'] } : { outcome: 'refuse', codes: ['WEBHOOK_SIGNATURE_INVALID'] },
    })),
  },
);
