// `npm run build [folder]`: compiles the server into dist/ (or the folder given) for plain `node`; see lib/build.ts.
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import path from 'node:path';
import { buildServer } from './lib/build';

const started = performance.now();
buildServer(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
  (result) => {
    const ms = Math.round(performance.now() - started);
    const main = path.relative(process.cwd(), path.join(result.outdir, 'main.js'));
    console.log(`built ${path.relative(process.cwd(), result.outdir)}/: ${result.modules} modules compiled, ${result.assets} files copied, in ${ms} ms`);
    console.log(`run it with: npm run start:prod   (node --enable-source-maps ${main}; the standalone simulator: node ${path.join(path.dirname(main), 'simulator', 'main.js')})`);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
