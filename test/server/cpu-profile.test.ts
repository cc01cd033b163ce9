// bench --cpu-prof's summary: a profile's busy time by area (our files, packages, Node, native calls), idle left out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { areaOf, mainProfileIn, summarizeProfile } from '../../scripts/lib/cpu-profile';

test('areas: our files, packages, Node internals, native calls and V8 itself', () => {
  expect(areaOf({ functionName: 'getRow', url: 'file:///work/wt/x/server/store/orders/sqlite.ts' })).toBe('server/store/orders/sqlite.ts');
  expect(areaOf({ functionName: 'run', url: 'file:///work/x/node_modules/@fastify/rate-limit/index.js' })).toBe('pkg @fastify/rate-limit');
  expect(areaOf({ functionName: 'write', url: 'node:internal/streams/writable' })).toBe('node internal/streams/writable');
  expect(areaOf({ functionName: 'writeUtf8String', url: '' })).toBe('native writeUtf8String');
  expect(areaOf({ functionName: '(garbage collector)', url: '' })).toBe('(garbage collector)');
});

test('self time by area as a share of the busy time, and the main thread profile is the largest in its folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-profile-'));
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 3, 4] },
      { id: 2, callFrame: { functionName: '(idle)', url: '' } },
      { id: 3, callFrame: { functionName: 'getRow', url: 'file:///a/server/store/orders/sqlite.ts' } },
      { id: 4, callFrame: { functionName: 'writev', url: '' } },
    ],
    samples: [2, 3, 3, 3, 4, 2],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 5000],
  };
  fs.writeFileSync(path.join(dir, 'main.cpuprofile'), JSON.stringify(profile));
  fs.writeFileSync(path.join(dir, 'loader.cpuprofile'), '{}');
  const file = mainProfileIn(dir)!;
  expect(path.basename(file)).toBe('main.cpuprofile');
  const summary = summarizeProfile(file);
  expect(summary).toMatchObject({ busyMs: 4, totalMs: 10 });
  expect(summary.areas).toEqual([
    { area: 'server/store/orders/sqlite.ts', ms: 3, share: 0.75 },
    { area: 'native writev', ms: 1, share: 0.25 },
  ]);
  fs.rmSync(dir, { recursive: true });
});
