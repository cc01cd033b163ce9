// Reads a V8 .cpuprofile (node --cpu-prof) and says where the busy time went, by area: our files, each package, node's internals, the kernel calls.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  area: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  totalMs: number;
  /** Self time by area, largest first. */
  areas: ProfileShare[];
}

/**
 * The area a frame belongs to: `server/<file>` for our code, `pkg <name>` for a package, `node <module>`
 * for Node's JavaScript, `native <name>` for a call into C++ (a socket write, a hash), or V8's own
 * `(garbage collector)`, `(program)`.
 */
export function areaOf(frame: ProfileNode['callFrame']): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : `native ${frame.functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg ${pkg[1]}`;
  if (url.startsWith('node:')) return `node ${url.slice(5)}`;
  const ours = /\/((?:server|scripts)\/.*)$/.exec(url);
  return ours ? ours[1] : url;
}

/** Self time per area over the whole profile, idle time left out. */
export function summarizeProfile(file: string): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const area = areaOf(byId.get(id)!.callFrame);
    if (area === '(idle)') idle += us;
    else byArea.set(area, (byArea.get(area) ?? 0) + us);
  });
  const busy = total - idle;
  const areas = [...byArea]
    .map(([area, us]) => ({ area, ms: us / 1000, share: busy > 0 ? us / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { file, busyMs: busy / 1000, totalMs: total / 1000, areas };
}

/** The main thread's profile in `dir` (the largest: tsx's loader thread writes a small one beside it). */
export function mainProfileIn(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).map((name) => path.join(dir, name));
  return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}

/** The top `rows` areas as lines: share, milliseconds, area. */
export function renderProfile(summary: ProfileSummary, rows = 25): string {
  const head = `${summary.file}: busy ${(summary.busyMs / 1000).toFixed(2)} s of ${(summary.totalMs / 1000).toFixed(2)} s (self time by area, share of busy)`;
  const lines = summary.areas.slice(0, rows).map((a) => `${(a.share * 100).toFixed(1).padStart(5)}%  ${a.ms.toFixed(0).padStart(6)} ms  ${a.area}`);
  return [head, ...lines].join('\n');
}
