// The store contract for the admin audit log, run against both dialects by test/server/store/contract.ts.
import type { Store } from '../../../../server/store/types';
import type { ContractSubject } from '../fixtures';

export function describeAuditContract(subject: ContractSubject): void {
  describe('audit log', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('keeps entries, listed newest first, all or for one target, up to the limit', async () => {
      await store.recordAudit({ at: 1000, actor: 'adm_a', action: 'refund.create', target: 'ord_1', detail: { amount: 500, nested: { ok: true } } });
      await store.recordAudit({ at: 2000, actor: 'adm_a', action: 'order.recheck', target: 'ord_2', detail: {} });
      await store.recordAudit({ at: 3000, actor: 'adm_b', action: 'anomaly.resolve', target: null, detail: { id: 4 } });
      const all = await store.listAudit({ limit: 10 });
      expect(all.map((e) => e.action)).toEqual(['anomaly.resolve', 'order.recheck', 'refund.create']);
      expect(all[2]).toEqual({ id: expect.any(Number), at: 1000, actor: 'adm_a', action: 'refund.create', target: 'ord_1', detail: { amount: 500, nested: { ok: true } } });
      expect((await store.listAudit({ target: 'ord_2', limit: 10 })).map((e) => e.action)).toEqual(['order.recheck']);
      expect(await store.listAudit({ limit: 1 })).toHaveLength(1);
    });
  });
}
