// The console's overview: today, the last 7 and the last 30 days on the merchant's calendar (paid amount, payments,
// refunds, conversion from an opened pay sheet to a payment), open anomalies, the last reconciliation, and the paid
// amount of each of the 30 days for the chart. Integer minor units per currency.
import type { MoneyBucket, ReconciliationRun, Store } from '../store/types';
import { addDays, dayOf, dayStartMs } from './merchant-day';

/** 15 minutes: every time zone's offset from UTC is a multiple of it, so a bucket never straddles two days. */
const BUCKET_MS = 15 * 60_000;
export const OVERVIEW_DAYS = 30;

export interface PeriodFigures {
  /** today, 7d, 30d */
  key: 'today' | '7d' | '30d';
  /** First day of the period, YYYY-MM-DD (the last is today). */
  since: string;
  /** Σ paid per currency, minor units; currencies in code order. */
  paid: Array<{ currency: string; amount: number }>;
  payments: number;
  refunds: number;
  refunded: Array<{ currency: string; amount: number }>;
  /** Orders created in the period whose pay sheet opened, and how many of them are paid. */
  opened: number;
  openedPaid: number;
  /** openedPaid / opened, or null when no sheet opened. */
  conversion: number | null;
}

export interface DayFigure {
  day: string;
  payments: number;
  /** Paid in the chart's currency, minor units. */
  paid: number;
}

export interface Overview {
  timeZone: string;
  today: string;
  periods: PeriodFigures[];
  /** The chart's currency: the one most paid in over the 30 days (the shop's own when nothing was paid). */
  chartCurrency: string;
  /** The 30 days, oldest first. */
  days: DayFigure[];
  openAnomalies: number;
  lastRun: ReconciliationRun | null;
}

export async function overviewOf(
  store: Pick<Store, 'moneyFigures' | 'listAnomalies' | 'listReconciliationRuns'>,
  options: { now: number; timeZone: string; currency: string },
): Promise<Overview> {
  const { now, timeZone } = options;
  const today = dayOf(now, timeZone);
  const days = Array.from({ length: OVERVIEW_DAYS }, (_, i) => addDays(today, i - OVERVIEW_DAYS + 1));
  const from = dayStartMs(days[0], timeZone);
  const to = dayStartMs(addDays(today, 1), timeZone);
  const [figures, anomalies, runs] = await Promise.all([
    store.moneyFigures({ from, to, bucketMs: BUCKET_MS }),
    store.listAnomalies({ openOnly: true, limit: 1000, offset: 0 }),
    store.listReconciliationRuns({ limit: 1, offset: 0 }),
  ]);
  const dayOfBucket = (bucket: number) => dayOf(from + bucket * BUCKET_MS, timeZone);
  const index = new Map(days.map((day, i) => [day, i]));
  const inLast = (count: number) => (bucket: number) => (index.get(dayOfBucket(bucket)) ?? -1) >= OVERVIEW_DAYS - count;

  const sumByCurrency = (rows: MoneyBucket[], keep: (bucket: number) => boolean) => {
    const sums = new Map<string, number>();
    let count = 0;
    for (const row of rows) {
      if (!keep(row.bucket)) continue;
      sums.set(row.currency, (sums.get(row.currency) ?? 0) + row.amount);
      count += row.count;
    }
    return { count, amounts: [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, amount]) => ({ currency, amount })) };
  };
  const period = (key: PeriodFigures['key'], length: number): PeriodFigures => {
    const keep = inLast(length);
    const paid = sumByCurrency(figures.payments, keep);
    const refunded = sumByCurrency(figures.refunds, keep);
    let opened = 0;
    let openedPaid = 0;
    for (const row of figures.sheets) {
      if (!keep(row.bucket)) continue;
      opened += row.opened;
      openedPaid += row.paid;
    }
    return {
      key,
      since: days[OVERVIEW_DAYS - length],
      paid: paid.amounts,
      payments: paid.count,
      refunds: refunded.count,
      refunded: refunded.amounts,
      opened,
      openedPaid,
      conversion: opened > 0 ? openedPaid / opened : null,
    };
  };
  const periods = [period('today', 1), period('7d', 7), period('30d', OVERVIEW_DAYS)];
  const month = periods[2].paid;
  const chartCurrency = month.length > 0 ? [...month].sort((a, b) => b.amount - a.amount || (a.currency < b.currency ? -1 : 1))[0].currency : options.currency;
  const perDay: DayFigure[] = days.map((day) => ({ day, payments: 0, paid: 0 }));
  for (const row of figures.payments) {
    const at = index.get(dayOfBucket(row.bucket));
    if (at === undefined) continue;
    perDay[at].payments += row.count;
    if (row.currency === chartCurrency) perDay[at].paid += row.amount;
  }
  return { timeZone, today, periods, chartCurrency, days: perDay, openAnomalies: anomalies.length, lastRun: runs[0] ?? null };
}
