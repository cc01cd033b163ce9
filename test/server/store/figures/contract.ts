// The store contract for the overview's money figures (payments, refunds and opened pay sheets per time bucket), run against both dialects.
import type { Store } from '../../../../server/store/types';
import { type ContractSubject, newRefund, patch, T0 } from '../fixtures';

export function describeFiguresContract(subject: ContractSubject): void {
  const { put } = subject;
  describe('money figures', () => {
    let store: Store;
    beforeEach(() => {
      store = subject.store;
    });

    test('counts payments by first paid time, refunds that went through by creation, and opened pay sheets by order creation, per bucket and currency', async () => {
      const hour = 3_600_000;
      const a = await put({ createdAt: T0, totalAmount: 2699 }, patch({ status: 'paid', paidAt: T0 + 10, confirmedAt: T0 + 5 }));
      await put({ createdAt: T0 + 100, totalAmount: 1 }, patch({ status: 'paid', paidAt: T0 + hour - 1, confirmedAt: T0 + 200 }));
      await put({ createdAt: T0 + hour, totalAmount: 5000, currency: 'JPY' }, patch({ status: 'paid', paidAt: T0 + hour + 1, confirmedAt: T0 + hour }));
      await put({ createdAt: T0 + hour + 2 }, patch({ status: 'expired', confirmedAt: T0 + hour + 3 }));
      await put({ createdAt: T0 + hour + 4 }); // a cart never taken to the pay sheet
      await put({ createdAt: T0 - 1 }, patch({ status: 'paid', paidAt: T0 - 1, confirmedAt: T0 - 1 })); // before the window
      await put({ createdAt: T0 + 2 * hour }, patch({ status: 'paid', paidAt: T0 + 2 * hour, confirmedAt: T0 + 2 * hour })); // after it
      await store.updateOrder(a, () => ({
        refunds: [
          newRefund(a, { amount: 500, status: 'succeeded', createdAt: T0 + hour + 7 }),
          newRefund(a, { amount: 300, status: 'failed', createdAt: T0 + hour + 8 }),
          newRefund(a, { amount: 100, status: 'pending', createdAt: T0 + hour + 9 }),
        ],
      }));
      const figures = await store.moneyFigures({ from: T0, to: T0 + 2 * hour, bucketMs: hour });
      expect(figures.payments).toEqual([
        { bucket: 0, currency: 'CNY', count: 2, amount: 2700 },
        { bucket: 1, currency: 'JPY', count: 1, amount: 5000 },
      ]);
      expect(figures.refunds).toEqual([{ bucket: 1, currency: 'CNY', count: 1, amount: 500 }]);
      expect(figures.sheets).toEqual([
        { bucket: 0, opened: 2, paid: 2 },
        { bucket: 1, opened: 2, paid: 1 },
      ]);
      expect(await store.moneyFigures({ from: 0, to: 1, bucketMs: hour })).toEqual({ payments: [], refunds: [], sheets: [] });
    });
  });
}
