// Latency samples, percentiles, simulator-counter diffs, plain-text tables and command-line options for bench and chaos.
import type { SimulatorStats } from '../../server/simulator/types';
import { request } from './http';

/** Named lists of millisecond samples. */
export class Samples {
  private readonly lists = new Map<string, number[]>();

  add(name: string, ms: number): void {
    let list = this.lists.get(name);
    if (!list) this.lists.set(name, (list = []));
    list.push(ms);
  }

  get(name: string): number[] {
    return this.lists.get(name) ?? [];
  }

  count(name: string): number {
    return this.get(name).length;
  }

  percentile(name: string, p: number): number {
    return percentile(this.get(name), p);
  }
}

/** Nearest-rank percentile (p in 0..100); NaN for no samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** Counters of the simulator process (GET /simulator/stats). */
export async function simulatorStats(simBase: string): Promise<SimulatorStats> {
  const answer = await request<SimulatorStats>('GET', `${simBase}/simulator/stats`, { timeoutMs: 10_000 });
  if (answer.status !== 200) throw new Error(`GET /simulator/stats answered ${answer.status}`);
  return answer.body;
}

export type CallCounts = Record<'login' | 'create' | 'confirm' | 'retrieve' | 'cancel' | 'list', number>;

/** Airwallex calls made between two snapshots (there is no reset over HTTP, so we diff). */
export function callsBetween(before: SimulatorStats, after: SimulatorStats): CallCounts {
  const out = {} as CallCounts;
  for (const key of Object.keys(after.airwallex.calls) as Array<keyof CallCounts>) {
    out[key] = after.airwallex.calls[key] - (before.airwallex.calls[key] ?? 0);
  }
  return out;
}

/** Renders rows as an aligned plain-text table; the first row is the header. Columns after the first are right-aligned unless `leftAligned`. */
export function table(rows: string[][], leftAligned = false): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 || leftAligned ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  return out.join('\n');
}

/** `--name value`, `--name=value` and bare `--flag` options. */
export class Options {
  private readonly values = new Map<string, string | true>();

  constructor(argv: string[], known: string[]) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (!known.includes(name)) throw new Error(`unknown option --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`);
      if (eq > 0) this.values.set(name, arg.slice(eq + 1));
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) this.values.set(name, argv[++i]);
      else this.values.set(name, true);
    }
  }

  flag(name: string): boolean {
    return this.values.has(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The option's value; `true` when it was given without one, undefined when absent. */
  string(name: string): string | true | undefined {
    return this.values.get(name);
  }

  number(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw === true || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} must be a number between ${min} and ${max}`);
    }
    return value;
  }
}
