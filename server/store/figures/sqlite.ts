// Money figures on SQLite: three grouped reads over orders and refunds (indexes orders_by_paid, refunds_by_created, orders_by_created);
// the bounds are cast to integers, since better-sqlite3 binds a JS number as a REAL and the division would not be whole.
import type { SqlitePart } from '../sqlite-context';
import type { FigureStore, MoneyBucket, SheetBucket } from './types';

export const figures: SqlitePart<FigureStore> = {
  store(ctx) {
    const stmt = {
      payments: ctx.prepare(`SELECT (paid_at - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS bucket, currency, COUNT(*) AS count, SUM(total_amount) AS amount
        FROM orders WHERE paid_at >= @from AND paid_at < @to GROUP BY bucket, currency ORDER BY bucket, currency`),
      refunds: ctx.prepare(`SELECT (created_at - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS bucket, currency, COUNT(*) AS count, SUM(amount) AS amount
        FROM refunds WHERE status = 'succeeded' AND created_at >= @from AND created_at < @to GROUP BY bucket, currency ORDER BY bucket, currency`),
      sheets: ctx.prepare(`SELECT (created_at - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS bucket, COUNT(*) AS opened, SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END) AS paid
        FROM orders WHERE created_at >= @from AND created_at < @to AND confirmed_at IS NOT NULL GROUP BY bucket ORDER BY bucket`),
    };
    return {
      async moneyFigures(options) {
        return {
          payments: stmt.payments.all(options) as MoneyBucket[],
          refunds: stmt.refunds.all(options) as MoneyBucket[],
          sheets: stmt.sheets.all(options) as SheetBucket[],
        };
      },
    };
  },
};
