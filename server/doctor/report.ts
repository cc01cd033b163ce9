// The doctor's two outputs: one line per check for people (✓ / ✗ / –, the fix in a sentence), and JSON for machines.
import type { DoctorReport } from './run';
import type { CheckResult, DoctorGroup } from './types';

const HEADINGS: Record<DoctorGroup, string> = {
  configuration: 'Configuration',
  database: 'Database',
  airwallex: 'Airwallex',
  wechat: 'WeChat',
  public_url: 'PUBLIC_URL',
  miniprogram: 'Mini program',
};
const MARKS: Record<CheckResult['status'], string> = { ok: '✓', fail: '✗', skip: '–' };

export function formatHuman(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.title.length));
  const lines: string[] = [];
  let group: DoctorGroup | undefined;
  for (const check of report.checks) {
    if (check.group !== group) {
      group = check.group;
      lines.push(HEADINGS[group]);
    }
    const fix = check.status === 'fail' && check.fix ? `. Fix: ${check.fix}` : '';
    lines.push(`  ${MARKS[check.status]} ${check.title.padEnd(width)}  ${check.detail}${fix}`);
  }
  const { ok, fail, skip } = report.counts;
  lines.push('');
  lines.push(
    report.ok
      ? `${ok} ✓, ${skip} – skipped: ready to go live as far as these checks can tell`
      : `${ok} ✓, ${fail} ✗, ${skip} – skipped: not ready; fix each ✗ above (in this order), then run the doctor again`,
  );
  return `${lines.join('\n')}\n`;
}

/** `{ok, counts, checks: [{id, group, title, status, detail, fix?}]}`, stable for scripts and monitoring. */
export function formatJson(report: DoctorReport): string {
  return `${JSON.stringify({ ok: report.ok, counts: report.counts, checks: report.checks }, null, 2)}\n`;
}
