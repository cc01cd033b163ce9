// The deploy check's look at deploy/systemd/shop@.service: systemd's own parser (systemd-analyze verify) must accept every line of it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../lib/proc';

export const UNIT_FILE = path.join(ROOT, 'deploy', 'systemd', 'shop@.service');

/**
 * Runs `systemd-analyze verify` on an instance of the unit (shop@3001.service) in `dir`, with
 * ExecStart's node swapped for this one (verify checks that the program exists). Any complaint
 * (an unknown or misspelt key, a bad value) fails; without systemd-analyze, says so.
 */
export function verifyUnit(dir: string): string {
  let analyze: string;
  try {
    analyze = execFileSync('which', ['systemd-analyze'], { encoding: 'utf8' }).trim();
  } catch {
    return 'systemd-analyze is not installed: the unit was not verified (apt-get install systemd)';
  }
  const unit = fs.readFileSync(UNIT_FILE, 'utf8');
  if (!unit.includes('ExecStart=/usr/bin/node ')) throw new Error('deploy/systemd/shop@.service: ExecStart no longer starts with /usr/bin/node; update scripts/deploy-check/systemd.ts');
  const file = path.join(dir, 'shop@3001.service');
  fs.writeFileSync(file, unit.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
  const result = spawnSync(analyze, ['verify', file], { encoding: 'utf8' });
  const complaints = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes(file));
  if (result.status !== 0 || complaints.length > 0) throw new Error(`systemd-analyze verify refused the unit:\n${complaints.join('\n') || result.stderr}`);
  const hardening = unit.split('\n').filter((line) => /^(NoNewPrivileges|Protect\w+|Private\w+|Restrict\w+|SystemCall\w+|CapabilityBoundingSet|LockPersonality)=/.test(line));
  return `systemd-analyze verify accepts shop@3001.service (${hardening.length} hardening settings, no MemoryDenyWriteExecute)`;
}
