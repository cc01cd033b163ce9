// The store contract for the shared WeChat access token and its refresh lease, run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import { type ContractSubject, T0 } from '../fixtures';

export function describeWechatTokensContract(subject: ContractSubject): void {
  const { peer } = subject;
  let store: Store;
  beforeEach(() => {
    store = subject.store;
  });

  describe('the WeChat access token', () => {
    test('one holder at a time takes the refresh lease, until it ends or is released; saving a token ends it', async () => {
      expect(await store.getWechatToken('wx1')).toBeUndefined();
      expect(await store.leaseWechatTokenRefresh('wx1', 'a', T0, T0 + 10_000)).toBe(true);
      expect(await store.leaseWechatTokenRefresh('wx1', 'b', T0 + 1, T0 + 10_001)).toBe(false);
      expect(await store.leaseWechatTokenRefresh('wx1', 'a', T0 + 2, T0 + 10_002)).toBe(true);
      expect(await store.leaseWechatTokenRefresh('wx2', 'b', T0 + 2, T0 + 10_002)).toBe(true);
      expect(await store.getWechatToken('wx1')).toEqual({ appId: 'wx1', accessToken: null, expiresAt: null, refreshedAt: null, leaseHolder: 'a', leaseUntil: T0 + 10_002 });
      await store.saveWechatToken('wx1', 'a', { accessToken: 'tok-1', expiresAt: T0 + 7_200_000 }, T0 + 3);
      expect(await store.getWechatToken('wx1')).toEqual({ appId: 'wx1', accessToken: 'tok-1', expiresAt: T0 + 7_200_000, refreshedAt: T0 + 3, leaseHolder: null, leaseUntil: null });
      expect(await store.leaseWechatTokenRefresh('wx1', 'b', T0 + 4, T0 + 10_004)).toBe(true);
      // A lease that ended may be taken by another; the late holder's token is still stored, without touching the new lease.
      expect(await store.leaseWechatTokenRefresh('wx1', 'c', T0 + 10_004, T0 + 20_004)).toBe(true);
      await store.saveWechatToken('wx1', 'b', { accessToken: 'tok-2', expiresAt: T0 + 7_300_000 }, T0 + 10_005);
      expect(await store.getWechatToken('wx1')).toMatchObject({ accessToken: 'tok-2', leaseHolder: 'c', leaseUntil: T0 + 20_004 });
      await store.releaseWechatTokenLease('wx1', 'b');
      expect(await store.getWechatToken('wx1')).toMatchObject({ leaseHolder: 'c' });
      await store.releaseWechatTokenLease('wx1', 'c');
      expect(await store.getWechatToken('wx1')).toMatchObject({ accessToken: 'tok-2', leaseHolder: null, leaseUntil: null });
    });

    test('of many holders in two processes asking at once, exactly one gets the lease', async () => {
      const other = await peer();
      const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).leaseWechatTokenRefresh('wx-race', `h${i}`, T0, T0 + 10_000)));
      expect(taken.filter(Boolean)).toHaveLength(1);
    });
  });
}
