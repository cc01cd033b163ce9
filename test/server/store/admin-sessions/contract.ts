// The store contract for the merchant console's sessions, run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import type { ContractSubject } from '../fixtures';

export function describeAdminSessionsContract(subject: ContractSubject): void {
  describe('admin sessions', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('finds a console session until it expires or is deleted', async () => {
      const session = { tokenHash: 'ah1', csrfHash: 'c1', actor: 'adm_a', createdAt: 1000, expiresAt: 5000 };
      await store.createAdminSession(session);
      expect(await store.findAdminSession('ah1', 4999)).toEqual(session);
      expect(await store.findAdminSession('ah1', 5000)).toBeUndefined();
      await expect(store.createAdminSession(session)).rejects.toThrow();
      await store.deleteAdminSession('ah1');
      expect(await store.findAdminSession('ah1', 0)).toBeUndefined();
      await store.deleteAdminSession('ah1');
    });
  });
}
