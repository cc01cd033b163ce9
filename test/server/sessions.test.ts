// Shopper sessions: a session this process knows answers without a database read, until it expires.
import { REMEMBERED_SESSIONS, SessionService } from '../../server/services/sessions';
import type { Store } from '../../server/store/types';
import type { WechatClient } from '../../server/wechat/client';

function service(start = 1_000_000) {
  let now = start;
  const rows = new Map<string, { tokenHash: string; openId: string; createdAt: number; expiresAt: number }>();
  let reads = 0;
  const store = {
    async createSession(session: { tokenHash: string; openId: string; createdAt: number; expiresAt: number }) {
      rows.set(session.tokenHash, session);
    },
    async findSession(tokenHash: string, at: number) {
      reads++;
      const row = rows.get(tokenHash);
      return row && row.expiresAt > at ? row : undefined;
    },
  } as unknown as Store;
  let n = 0;
  const wechat = { code2Session: async () => ({ openId: `o_${++n}` }) } as unknown as WechatClient;
  const sessions = new SessionService({ store, wechat, ttlMs: 60_000, now: () => now });
  return { sessions, rows, reads: () => reads, advance: (ms: number) => (now += ms) };
}

test('a session created here is known without a read until it expires, then refused', async () => {
  const { sessions, reads, advance } = service();
  const { token } = await sessions.createSession('code');
  for (let i = 0; i < 3; i++) expect(await sessions.authenticate(`Bearer ${token}`)).toBe('o_1');
  expect(reads()).toBe(0);
  advance(60_000);
  await expect(sessions.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  expect(reads()).toBe(1);
});

test('a session made by another instance is read once, then known; past the bound the least recently used is read again', async () => {
  const { sessions, rows, reads } = service();
  const other = service();
  const first = await other.sessions.createSession('code');
  for (const [hash, row] of other.rows) rows.set(hash, row);
  expect(await sessions.authenticate(`Bearer ${first.token}`)).toBe('o_1');
  expect(await sessions.authenticate(`Bearer ${first.token}`)).toBe('o_1');
  expect(reads()).toBe(1);
  for (let i = 0; i < REMEMBERED_SESSIONS; i++) await sessions.createSession(`code-${i}`);
  expect(await sessions.authenticate(`Bearer ${first.token}`)).toBe('o_1');
  expect(reads()).toBe(2);
});
