// Wire-format helpers: Airwallex-style timestamps and ids, WeChat-style request ids.
import { randomBytes } from 'node:crypto';

/**
 * 2026-05-12T00:00:00+0000: whole seconds and a `+0000` offset (no colon), as real Airwallex
 * answers and events carry them (docs/reference/airwallex.md §2). Several changes of one intent in the same
 * second therefore share one `updated_at`, and a receiver cannot order them by it alone.
 */
export function formatTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string over `alphabet` (rejection-free modulo bias is irrelevant for fake ids). */
export function randomString(length: number, alphabet = ALPHANUMERIC): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

export function randomMixed(length: number): string {
  return randomString(length, MIXED);
}

/** Airwallex-looking ids: int_hkpdskz7vg1xc7uscdj, att_..., evt_... */
export function airwallexId(prefix: 'int' | 'att' | 'evt' | 'mtd'): string {
  return `${prefix}_${randomString(19)}`;
}

/** A refund id shaped like the documented ones: rfd_sgst4689lgcv3c7rbyc_bppn22. */
export function refundId(): string {
  return `rfd_${randomString(19)}_${randomString(6)}`;
}

export function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** A WeChat "rid" as it appears at the end of errmsg: "rid: 6475d64d-0b5f2a47-2b0d3b12". */
export function wechatRid(): string {
  return [4, 4, 4].map((n) => randomBytes(n).toString('hex')).join('-');
}
