// Text the stores can keep. PostgreSQL refuses NUL in text and in jsonb ("invalid byte sequence for encoding UTF8:
// 0x00"), and a lone UTF-16 surrogate has no UTF-8 form (stored altered in text, refused inside jsonb): such input is
// refused at the edge (validation, the webhook parser), before any store sees it, on SQLite as on PostgreSQL.

const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Whether every store keeps `text` exactly as given. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** Where the first string (object keys included) in `value` that a store cannot keep is, as a JSON pointer (`/items/0/sku`). */
export function unstorableTextIn(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path;
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const where = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isStorableText(key)) return where;
      const found = unstorableTextIn(inner, where);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
