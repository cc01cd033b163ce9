// Refuses an unsupported Node.js with a sentence, before anything else loads: on Node 20, better-sqlite3 crashes (exit 139, no message) as soon as a database opens.
//
// Every entry point imports this module first, for its side effect (`import './node-version';`).
// Compiled to CommonJS (tsx, the build, jest), imports run in order, so this check runs before any
// module after it is even loaded. Keep it free of imports and of syntax an old Node cannot parse.

/** The Node.js versions this project runs on: package.json's "engines" (a test keeps the two equal). */
export const SUPPORTED_NODE = '^22.12 || ^24';

/** Why Node `version` (as in process.versions.node) cannot run this project; undefined when it can. */
export function nodeVersionProblem(version: string, executable = process.execPath): string | undefined {
  const [major, minor] = version.split('.').map(Number);
  if ((major === 22 && minor >= 12) || major === 24) return undefined;
  const why = major < 22 || (major === 22 && minor < 12) ? 'its SQLite driver (better-sqlite3) crashes on older versions' : 'other versions are not tested';
  return [
    `This project needs Node.js 22 (22.12 or later) or 24; this is Node ${version} (${executable}), and ${why}.`,
    'Install Node 24 LTS, then run the same command again:',
    '  with nvm:             nvm install 24 && nvm use 24',
    '  from nodejs.org:      https://nodejs.org/en/download',
    '  without root, by npm: npm install --prefix ~/.cache/node24 node@24',
    '                        export PATH=~/.cache/node24/node_modules/node/bin:$PATH',
  ].join('\n');
}

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
