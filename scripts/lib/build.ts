// Compiles server/ into dist/ for plain `node` (node dist/main.js), with the files the server reads from disk beside the code (npm run build).
//
// One .js per .ts, at the same place, not a bundle: every module keeps its own __dirname, so what the
// server reads at run time (SQL migrations, product pictures, the console's CSS, the simulator's
// OpenAPI spec) is found in dist/ exactly where it is in server/; and the simulator stays its own
// files, which the server requires in simulator mode only. Packages stay in node_modules: a
// production install is `npm ci --omit=dev` plus dist/ (better-sqlite3's native binary, pg and
// pino's transports load as they do from the sources).
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'server');

export interface BuildResult {
  outdir: string;
  modules: number;
  assets: number;
}

/** Replaces `outdir` with the compiled server. */
export async function buildServer(outdir = path.join(ROOT, 'dist')): Promise<BuildResult> {
  const files = (fs.readdirSync(SOURCE, { recursive: true }) as string[]).filter((file) => fs.statSync(path.join(SOURCE, file)).isFile());
  const modules = files.filter((file) => file.endsWith('.ts'));
  const assets = files.filter((file) => !file.endsWith('.ts'));
  fs.rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: modules.map((file) => path.join(SOURCE, file)),
    outbase: SOURCE,
    outdir,
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    // import('./simulator') becomes a require, still run only when reached: Node cannot import() a
    // directory, and CommonJS is what the sources run as under tsx.
    supported: { 'dynamic-import': false },
    // Stack traces name server/*.ts lines under `node --enable-source-maps` (npm run start:prod).
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  for (const file of assets) {
    fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
    fs.copyFileSync(path.join(SOURCE, file), path.join(outdir, file));
  }
  return { outdir, modules: modules.length, assets: assets.length };
}
