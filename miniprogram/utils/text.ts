// Small pure helpers for ids, query strings and dates.

/** A fresh key for the `Idempotency-Key` header: one per checkout, reused on that checkout's retries. */
export function newIdempotencyKey(now: number): string {
  let random = '';
  for (let i = 0; i < 4; i += 1) random += Math.floor(Math.random() * 0x100000000).toString(36);
  return `mp-${now.toString(36)}-${random}`;
}

/** Builds `path?a=1&b=2`, skipping undefined values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  Object.keys(query).forEach((key) => {
    const value = query[key];
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  });
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "2026-11-26 20:21" in the phone's time zone, from an ISO 8601 string. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "29:41" for the time left until `iso`, counted from `now`; "00:00" once it is past. */
export function formatCountdown(iso: string, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
  return `${pad(Math.floor(left / 60))}:${pad(left % 60)}`;
}
