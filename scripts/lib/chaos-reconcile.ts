// Chaos's last check: once every order and refund has settled, the simulator settles its batches and the server
// reconciles each merchant day the run touched through the admin API (faults still on: a run that fails is tried
// again). Whatever the faults and kills did, the books must match Airwallex's: nothing flagged, nothing left waiting.
import { addDays, dayOf } from '../../server/services/merchant-day';
import { request } from './http';

export interface ChaosReconciliation {
  days: Array<{ day: string; runId: string | null; status: string; transactions: number; matched: number; flagged: number; waiting: number; flags: Record<string, number>; attempts: number }>;
  /** Σ flagged items over the days (target 0). */
  flagged: number;
  /** Σ items still waiting (target 0: every batch is settled and the grace is 0 in chaos). */
  waiting: number;
  /** Days whose run never completed (target 0). */
  incomplete: number;
  /** A few flagged or waiting items, to read. */
  samples: string[];
}

interface RunAnswer {
  run: { id: string; status: string; summary: { transactions: number; matched: number; flagged: number; waiting: number; flags: Record<string, number> } | null };
  items: Array<{ seq: number; state: string; flag: string | null; subject: string; orderId: string | null; transactionId: string | null; expected: number | null; actual: number | null }>;
}

/** The merchant days from `startedAt` to now, in MERCHANT_TIME_ZONE (the server's default when unset). */
export function daysSince(startedAt: number, timeZone = process.env.MERCHANT_TIME_ZONE || 'Asia/Shanghai'): string[] {
  const days = [dayOf(startedAt, timeZone)];
  const today = dayOf(Date.now(), timeZone);
  while (days[days.length - 1] < today) days.push(addDays(days[days.length - 1], 1));
  return days;
}

export async function reconcileChaos(api: { server: string; simulator: string }, adminToken: string, days: string[], attempts = 8): Promise<ChaosReconciliation> {
  const settled = await request('POST', `${api.simulator}/simulator/airwallex/_settle`, { body: {}, timeoutMs: 30_000 });
  if (settled.status !== 200) throw new Error(`_settle answered ${settled.status}`);
  const result: ChaosReconciliation = { days: [], flagged: 0, waiting: 0, incomplete: 0, samples: [] };
  for (const day of days) {
    let answer: RunAnswer | undefined;
    let status = 'not run';
    let tries = 0;
    while (tries < attempts && !answer) {
      tries++;
      let response: { status: number; body: Partial<RunAnswer> & { error?: { code: string } } };
      try {
        response = await request<RunAnswer>('POST', `${api.server}/admin/api/reconciliations`, { body: { date: day }, token: adminToken, timeoutMs: 120_000 });
      } catch (err) {
        response = { status: 0, body: { error: { code: (err as Error).message } } };
      }
      if (response.status === 201) answer = response.body as RunAnswer;
      else {
        // Airwallex's injected faults (503), another run holding the day (409), a connection lost: try again.
        status = `HTTP ${response.status} ${response.body?.error?.code ?? ''}`.trim();
        await new Promise((resolve) => setTimeout(resolve, 1000 * tries));
      }
    }
    if (!answer?.run.summary) {
      result.incomplete++;
      result.days.push({ day, runId: answer?.run.id ?? null, status, transactions: 0, matched: 0, flagged: 0, waiting: 0, flags: {}, attempts: tries });
      continue;
    }
    const { run, items } = answer;
    const summary = run.summary!;
    result.days.push({ day, runId: run.id, status: run.status, ...summary, attempts: tries });
    result.flagged += summary.flagged;
    result.waiting += summary.waiting;
    for (const item of items.filter((i) => i.state !== 'matched').slice(0, 5 - Math.min(5, result.samples.length))) {
      result.samples.push(`${day} #${item.seq} ${item.state} ${item.flag ?? ''} ${item.subject} order=${item.orderId} transaction=${item.transactionId} shop=${item.expected} airwallex=${item.actual}`);
    }
  }
  return result;
}
