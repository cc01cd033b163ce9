// The bench's verdicts: every target of scripts/lib/targets.ts judged against one run's figures, as a table and as `--check`'s exit code.
import { table } from './stats';
import { FOREIGN_CPU_LIMIT, TARGETS, type PhaseFigures, type Target } from './targets';

/**
 * met / missed: a judged target; reported: an unjudged one (throughput); not run: a phase it needs is not
 * in this run; inconclusive: a timing target read from a phase during which other processes took more
 * than FOREIGN_CPU_LIMIT of the machine.
 */
export type VerdictState = 'met' | 'missed' | 'reported' | 'not run' | 'inconclusive';

export interface Verdict {
  id: string;
  figure: string;
  rule: string;
  state: VerdictState;
  /** The figure as printed ('' when not run). */
  shown: string;
  /** The figure as a number (null when not run or not a number). */
  value: number | null;
  /** Whether the rule held, also for an unjudged or inconclusive target (null when not run). */
  holds: boolean | null;
  /** Why it is inconclusive. */
  note?: string;
}

export interface JudgeOptions {
  /** Above this share of the CPU taken by other processes, a timing target is inconclusive (default FOREIGN_CPU_LIMIT). */
  foreignCpuLimit?: number;
}

/** Judges every target against the phases of one run. */
export function judge(phases: PhaseFigures[], targets: Target[] = TARGETS, options: JudgeOptions = {}): Verdict[] {
  const limit = options.foreignCpuLimit ?? FOREIGN_CPU_LIMIT;
  const byName = new Map(phases.map((phase) => [phase.name, phase]));
  const run = {
    all: phases,
    phase(name: string): PhaseFigures {
      const phase = byName.get(name);
      if (!phase) throw new Error(`no phase ${name} in this run`);
      return phase;
    },
  };
  return targets.map((target): Verdict => {
    const base = { id: target.id, figure: target.figure, rule: target.rule };
    if (target.phases.some((name) => !byName.has(name)) || phases.length === 0) return { ...base, state: 'not run', shown: '', value: null, holds: null };
    const measure = target.measure(run);
    const verdict: Verdict = { ...base, state: !target.judged ? 'reported' : measure.met ? 'met' : 'missed', shown: measure.shown, value: Number.isFinite(measure.value) ? measure.value : null, holds: measure.met };
    const busy = (target.phases.length ? target.phases.map((name) => run.phase(name)) : phases).filter((phase) => (phase.foreignCpuShare ?? 0) > limit);
    if (target.judged && target.timing && busy.length > 0) {
      verdict.state = 'inconclusive';
      verdict.note = `other processes took ${busy.map((phase) => `${Math.round((phase.foreignCpuShare ?? 0) * 100)}% of the CPUs during ${phase.name}`).join(', ')}`;
    }
    return verdict;
  });
}

export function misses(verdicts: Verdict[]): Verdict[] {
  return verdicts.filter((verdict) => verdict.state === 'missed');
}

function stateText(v: Verdict): string {
  switch (v.state) {
    case 'missed':
      return 'MISSED';
    case 'reported':
      return `reported (${v.holds ? 'reached' : 'not reached'})`;
    case 'inconclusive':
      return `inconclusive (${v.holds ? 'held' : 'did not hold'}; ${v.note})`;
    default:
      return v.state;
  }
}

/** The verdicts as a plain-text table: target, figure, rule, verdict. */
export function renderVerdicts(verdicts: Verdict[]): string {
  return table([['target', 'figure', 'rule', 'verdict'], ...verdicts.map((v) => [v.id, v.shown || '—', v.rule, stateText(v)])], true);
}

/**
 * What `--check` says and exits with: 1 naming every miss (or when nothing could be judged), else 0.
 * An inconclusive target is no miss, and is named with the reason.
 */
export function checkOutcome(verdicts: Verdict[]): { exitCode: 0 | 1; message: string } {
  const judged = verdicts.filter((v) => v.state === 'met' || v.state === 'missed');
  const missed = misses(verdicts);
  const inconclusive = verdicts.filter((v) => v.state === 'inconclusive');
  const aside = inconclusive.length
    ? `; ${inconclusive.length} inconclusive, other processes were busy on the same cores (${inconclusive.map((v) => v.id).join(', ')}; see the table): run again on a quieter machine`
    : '';
  if (judged.length === 0) return { exitCode: 1, message: `check: no target could be judged${aside || ' (no phase ran)'}` };
  if (missed.length === 0) return { exitCode: 0, message: `check: all ${judged.length} judged targets met${aside}` };
  return {
    exitCode: 1,
    message: `check: ${missed.length} of ${judged.length} judged targets missed: ${missed.map((v) => `${v.id} (${v.shown}; rule ${v.rule})`).join('; ')}${aside}`,
  };
}
