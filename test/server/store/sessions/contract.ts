// The store contract for shoppers' sessions, run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import type { ContractSubject } from '../fixtures';

export function describeSessionsContract(subject: ContractSubject): void {
  describe('sessions', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('finds a session by its token hash until it expires', async () => {
      await store.createSession({ tokenHash: 'h1', openId: 'o_alice', createdAt: 1000, expiresAt: 5000 });
      expect(await store.findSession('h1', 4999)).toEqual({ tokenHash: 'h1', openId: 'o_alice', createdAt: 1000, expiresAt: 5000 });
      expect(await store.findSession('h1', 5000)).toBeUndefined();
      expect(await store.findSession('unknown', 0)).toBeUndefined();
    });

    test('refuses a second session with the same token hash', async () => {
      await store.createSession({ tokenHash: 'h2', openId: 'o_alice', createdAt: 1000, expiresAt: 5000 });
      await expect(store.createSession({ tokenHash: 'h2', openId: 'o_bob', createdAt: 1000, expiresAt: 5000 })).rejects.toThrow();
      expect((await store.findSession('h2', 0))?.openId).toBe('o_alice');
    });
  });
}
