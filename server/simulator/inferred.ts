// THE ONE PLACE for what the simulator assumes about Airwallex where no official source says it:
// the mini_program confirm answer, and the refund details (webhook names, failure, WeChat's limits).
// The money side (financial transactions, settlement batches) has its own: inferred-finance.ts.
//
// 1. Confirm. Evidence and open questions: docs/reference/airwallex.md §3 and §13, and
// docs/reference/airwallex-openapi.md §2. In short: the spec types next_action.data as an untyped object and
// has no mini_program example. Airwallex's WeChat mobile_app and Alipay mini-program flows return
// next_action.type "call_sdk" with camelCase string keys, and wx.requestPayment takes exactly
// timeStamp/nonceStr/package/signType/paySign (WeChat Pay v3 signs appId too). So we answer:
//
//   status:                          REQUIRES_CUSTOMER_ACTION
//   next_action:                     { type: "call_sdk", data: { appId, timeStamp, nonceStr, package, signType: "RSA", paySign } }
//   latest_payment_attempt.status:   AUTHENTICATION_REDIRECTED
//
// 2. Refunds (docs/reference/airwallex.md §5 and §8; the spec subset's createRefund, listRefunds and Refund).
// Verified, and so not here: the endpoints, the 400 codes createRefund lists, the four statuses,
// `resource_not_found` for an unknown intent/attempt answered 400 on create (404 on retrieve),
// page_size capped at 1000, `status` listing several values ("SETTLED,ACCEPTED", the spec's
// dropped x-example). Guessed, and kept below or described here:
//   - the webhook names (REFUND_WEBHOOK_EVENTS) and the FAILED failure_details;
//   - WeChat Pay's own limits (50 refunds, 365 days: WeChat's FAQ) answered `operation_not_supported`,
//     counting only refunds that are not FAILED, and timing the year from the captured attempt's
//     updated_at (the moment the simulated shopper paid);
//   - nothing left to refund, with no amount given, answers `amount_above_limit`;
//   - latest_payment_attempt.refunded_amount counts the refunds that are not FAILED (a FAILED one
//     gives its amount back); the intent's updated_at moves with it, the attempt's does not, and
//     the intent's status stays SUCCEEDED whatever is refunded;
//   - from_created_at / to_created_at are inclusive; connected_account_id matches nothing (the
//     simulated account is not a platform).
//
// If the sandbox shows otherwise, change it here (or where this list points) and nowhere else.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { randomMixed, randomString } from './format';
import type { NextAction, Refund } from './types';

export const CONFIRMED_INTENT_STATUS = 'REQUIRES_CUSTOMER_ACTION';
export const CONFIRMED_ATTEMPT_STATUS = 'AUTHENTICATION_REDIRECTED';
export const NEXT_ACTION_TYPE = 'call_sdk';
export const PAY_SIGN_TYPE = 'RSA';

let signingKey: KeyObject | undefined;

/**
 * The "merchant" RSA key behind paySign, generated once per process (2048-bit generation takes
 * tens of milliseconds; doing it per simulator instance would slow the tests down).
 */
function paySignKey(): KeyObject {
  signingKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return signingKey;
}

/** PEM of the public half, so a test can check a paySign like WeChat would. */
export function paySignPublicKeyPem(): string {
  return createPublicKey(paySignKey()).export({ type: 'spki', format: 'pem' }).toString();
}

/** A WeChat-looking prepay id: "wx" + yyyyMMddHHmmss + 20 random characters. */
export function newPrepayId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/\D/g, '').slice(0, 14);
  return `wx${stamp}${randomString(20)}`;
}

/**
 * next_action for a wechatpay mini_program confirm; `package` carries the attempt's prepay id. The RSA signature
 * (about a millisecond of CPU) is made on libuv's threads: on the event loop it was a fifth of the simulator's
 * time under the bench's load, and every exchange queued behind it.
 */
export async function miniProgramNextAction(appId: string, prepayId: string, nowMs: number): Promise<NextAction> {
  const timeStamp = String(Math.floor(nowMs / 1000));
  const nonceStr = randomMixed(32);
  const pkg = `prepay_id=${prepayId}`;
  // WeChat Pay v3: RSA-SHA256 over four lines, each ending with "\n" (docs/reference/wechat.md §A3).
  const message = Buffer.from(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
  const signature = await new Promise<Buffer>((resolve, reject) => sign('sha256', message, paySignKey(), (err, result) => (err ? reject(err) : resolve(result))));
  return { type: NEXT_ACTION_TYPE, data: { appId, timeStamp, nonceStr, package: pkg, signType: PAY_SIGN_TYPE, paySign: signature.toString('base64') } };
}

/** The prepay id inside a `package` string ("prepay_id=wx..."), or undefined when it has another shape. */
export function prepayIdFromPackage(pkg: string): string | undefined {
  const match = /^prepay_id=(\S+)$/.exec(pkg.trim());
  return match?.[1];
}

/** The refund.* event sent when a refund enters each status (names from an Airwallex plugin library, docs/reference/airwallex.md §8). */
export const REFUND_WEBHOOK_EVENTS: Readonly<Record<string, string>> = {
  RECEIVED: 'refund.received',
  ACCEPTED: 'refund.accepted',
  SETTLED: 'refund.settled',
  FAILED: 'refund.failed',
};

/** failure_details of a FAILED refund: the spec names insufficient balance as the usual cause; the code is ours. */
export function refundFailureDetails(currency: string): NonNullable<Refund['failure_details']> {
  return {
    code: 'insufficient_balance',
    message: `Insufficient unsettled funds and available balance in ${currency} to cover the refund (simulated)`,
  };
}

/** WeChat Pay: at most 50 (partial) refunds per payment, and none once the payment is a year old. */
export const WECHAT_MAX_REFUNDS_PER_PAYMENT = 50;
export const WECHAT_REFUND_WINDOW_MS = 365 * 24 * 3600_000;
/** The code Airwallex would answer for a refund WeChat Pay refuses by those limits (createRefund lists it). */
export const REFUND_LIMIT_ERROR_CODE = 'operation_not_supported';
