// Money figures on PostgreSQL: three grouped reads over orders and refunds, sums cast back to bigint (a number, not numeric's text).
import type { PostgresPart } from '../postgres-context';
import type { FigureStore, MoneyBucket, SheetBucket } from './types';

export const figures: PostgresPart<FigureStore> = {
  store({ rows }) {
    return {
      async moneyFigures({ from, to, bucketMs }) {
        const values = [from, to, bucketMs];
        const [payments, refunds, sheets] = await Promise.all([
          rows<MoneyBucket>(
            `SELECT ((paid_at - $1) / $3)::integer AS bucket, currency, count(*)::integer AS count, sum(total_amount)::bigint AS amount
              FROM orders WHERE paid_at >= $1 AND paid_at < $2 GROUP BY 1, currency ORDER BY 1, currency COLLATE "C"`,
            values,
          ),
          rows<MoneyBucket>(
            `SELECT ((created_at - $1) / $3)::integer AS bucket, currency, count(*)::integer AS count, sum(amount)::bigint AS amount
              FROM refunds WHERE status = 'succeeded' AND created_at >= $1 AND created_at < $2 GROUP BY 1, currency ORDER BY 1, currency COLLATE "C"`,
            values,
          ),
          rows<SheetBucket>(
            `SELECT ((created_at - $1) / $3)::integer AS bucket, count(*)::integer AS opened, count(*) FILTER (WHERE status = 'paid')::integer AS paid
              FROM orders WHERE created_at >= $1 AND created_at < $2 AND confirmed_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
            values,
          ),
        ]);
        return { payments, refunds, sheets };
      },
    };
  },
};
