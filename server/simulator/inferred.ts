// THE ONE PLACE for what the simulator assumes about the mini_program confirm answer: not in the spec, inferred.
//
// Evidence and open questions: /work/shared/reference/airwallex.md §3 and §13, and
// airwallex-openapi-notes.md §2. In short: the spec types next_action.data as an untyped object and
// has no mini_program example. Airwallex's WeChat mobile_app and Alipay mini-program flows return
// next_action.type "call_sdk" with camelCase string keys, and wx.requestPayment takes exactly
// timeStamp/nonceStr/package/signType/paySign (WeChat Pay v3 signs appId too). So we answer:
//
//   status:                          REQUIRES_CUSTOMER_ACTION
//   next_action:                     { type: "call_sdk", data: { appId, timeStamp, nonceStr, package, signType: "RSA", paySign } }
//   latest_payment_attempt.status:   AUTHENTICATION_REDIRECTED
//
// If the sandbox shows otherwise, change it here and nowhere else.
import { createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { randomMixed, randomString } from './format';
import type { NextAction } from './types';

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

/** next_action for a wechatpay mini_program confirm; `package` carries the attempt's prepay id. */
export function miniProgramNextAction(appId: string, prepayId: string, nowMs: number): NextAction {
  const timeStamp = String(Math.floor(nowMs / 1000));
  const nonceStr = randomMixed(32);
  const pkg = `prepay_id=${prepayId}`;
  // WeChat Pay v3: RSA-SHA256 over four lines, each ending with "\n" (wechat.md §A3).
  const paySign = createSign('RSA-SHA256').update(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`).sign(paySignKey(), 'base64');
  return { type: NEXT_ACTION_TYPE, data: { appId, timeStamp, nonceStr, package: pkg, signType: PAY_SIGN_TYPE, paySign } };
}

/** The prepay id inside a `package` string ("prepay_id=wx..."), or undefined when it has another shape. */
export function prepayIdFromPackage(pkg: string): string | undefined {
  const match = /^prepay_id=(\S+)$/.exec(pkg.trim());
  return match?.[1];
}
