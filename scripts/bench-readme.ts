// `npm run bench:readme`: regenerates the bench results in docs/proofs.md from `npm run bench -- --json` output (docs/bench-results.json unless a file is named).
//
// Usage: npm run -s bench -- --json > docs/bench-results.json && npm run bench:readme [-- FILE]
import '../server/node-version'; // first: refuses an unsupported Node before anything loads native code
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_RESULTS_DOC, renderBenchResults, replaceBenchResults, type BenchJson } from './lib/bench-report';

const ROOT = path.resolve(__dirname, '..');

function main(): void {
  const file = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'bench-results.json'));
  const text = fs.readFileSync(file, 'utf8');
  // `npm run bench` without -s prints npm's banner first: take the JSON object only.
  const run = JSON.parse(text.slice(text.indexOf('{'))) as BenchJson;
  if (!Array.isArray(run.phases)) throw new Error(`${file} is not the output of npm run bench -- --json`);
  const docPath = path.join(ROOT, BENCH_RESULTS_DOC);
  const doc = fs.readFileSync(docPath, 'utf8');
  const updated = replaceBenchResults(doc, renderBenchResults(run));
  fs.writeFileSync(docPath, updated);
  console.log(`${BENCH_RESULTS_DOC}: bench results from ${path.relative(ROOT, file)} (${run.measuredAt})${updated === doc ? ', unchanged' : ''}`);
}

main();
