// The docs stay true to the repository: every relative link and #anchor in README.md and docs/**/*.md resolves, every
// doc is reachable from the README, and every Markdown file (and § section) that a code comment cites is in the repository.
import fs from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';

const ROOT = path.resolve(__dirname, '..', '..');
const md = new MarkdownIt({ html: true });

function walk(dir: string, keep: (name: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full, keep);
    return keep(entry.name) ? [full] : [];
  });
}

const DOCS = [path.join(ROOT, 'README.md'), ...walk(path.join(ROOT, 'docs'), (name) => name.endsWith('.md'))];

/**
 * The anchor GitHub gives a heading: its text lowercased, every character that is not a letter, a digit, a
 * mark, `_`, `-` or a space dropped, spaces made hyphens; a repeated one gets -1, -2, … (as github-slugger does).
 */
function anchorsOf(markdown: string): Set<string> {
  const tokens = md.parse(markdown, {});
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  tokens.forEach((token, i) => {
    if (token.type !== 'heading_open') return;
    const text = (tokens[i + 1].children ?? []).filter((t) => t.type === 'text' || t.type === 'code_inline').map((t) => t.content).join('');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  });
  return anchors;
}

/** Every link and image target in a Markdown file (code blocks and code spans are not links). */
function targetsOf(file: string): string[] {
  const targets: string[] = [];
  const visit = (tokens: ReturnType<typeof md.parse>) => {
    for (const token of tokens) {
      if (token.type === 'link_open') targets.push(String(token.attrGet('href') ?? ''));
      if (token.type === 'image') targets.push(String(token.attrGet('src') ?? ''));
      if (token.children) visit(token.children);
    }
  };
  visit(md.parse(fs.readFileSync(file, 'utf8'), {}));
  return targets;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);
const anchorCache = new Map<string, Set<string>>();
const anchors = (file: string) => anchorCache.get(file) ?? anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8'))).get(file)!;

/** Where a relative link of `from` leads, and what is wrong with it (null when it resolves). */
function resolveLink(from: string, target: string): { file: string; problem: string | null } {
  const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = rawPath === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(rawPath));
  if (!file.startsWith(ROOT + path.sep) && file !== ROOT) return { file, problem: 'leads outside the repository' };
  if (!fs.existsSync(file)) return { file, problem: 'no such file' };
  if (anchor !== undefined) {
    if (!file.endsWith('.md')) return { file, problem: 'an anchor into a file that is not Markdown' };
    if (!anchors(file).has(decodeURIComponent(anchor))) return { file, problem: `no heading with the anchor #${anchor}` };
  }
  return { file, problem: null };
}

describe('the docs', () => {
  test.each(DOCS.map((file) => path.relative(ROOT, file)))('every relative link and #anchor in %s resolves', (relative) => {
    const file = path.join(ROOT, relative);
    const broken = targetsOf(file)
      .filter((target) => !isExternal(target))
      .map((target) => ({ target, problem: resolveLink(file, target).problem }))
      .filter((link) => link.problem !== null)
      .map((link) => `${link.target}: ${link.problem}`);
    expect(broken).toEqual([]);
  });

  test('every doc under docs/ is reachable from README.md by its links', () => {
    const reached = new Set<string>();
    const queue = [path.join(ROOT, 'README.md')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      for (const target of targetsOf(file).filter((t) => !isExternal(t))) {
        const { file: next, problem } = resolveLink(file, target);
        if (problem === null && next.endsWith('.md')) queue.push(next);
      }
    }
    expect(DOCS.filter((file) => !reached.has(file)).map((file) => path.relative(ROOT, file))).toEqual([]);
  });

  test('the anchors are the ones GitHub makes', () => {
    const headings = '# Several instances (PostgreSQL)\n## 3. Confirm: WeChat `mini_program`\n## Prove it: bench, chaos, fuzz\n## Notes\n## Notes\n### A1. `wx.login`\n';
    expect([...anchorsOf(headings)]).toEqual(['several-instances-postgresql', '3-confirm-wechat-mini_program', 'prove-it-bench-chaos-fuzz', 'notes', 'notes-1', 'a1-wxlogin']);
  });
});
describe('the notes that code comments cite', () => {
  const CODE = ['server', 'miniprogram', 'scripts', 'test', 'jest', '.ci'].flatMap((dir) => walk(path.join(ROOT, dir), (name) => /\.(ts|js|yaml|sql|wxml|wxss)$|^run$/.test(name)));

  test('every Markdown file named in the code is in the repository, and every § cited is a heading of it', () => {
    const problems: string[] = [];
    for (const file of CODE) {
      const text = fs.readFileSync(file, 'utf8');
      // A path ending in .md, then what follows it on the line (where its § sections are named).
      for (const match of text.matchAll(/([\w./-]*[\w-]\.md)\b([^\n]*)/g)) {
        const [, cited, rest] = match;
        const where = `${path.relative(ROOT, file)}: ${cited}`;
        const target = path.resolve(ROOT, cited);
        if (!target.startsWith(ROOT + path.sep) || !fs.existsSync(target)) {
          problems.push(`${where} is not a file of the repository (name it by its path from the repository's root)`);
          continue;
        }
        // "§4", "§2–§4", "§5 and §8", "§A3", "§B1 pitfall 7": up to the next file named or the end of the line.
        const sections = [...rest.split(/\.md\b/)[0].matchAll(/§\s*([A-Z]?\d+)/g)].map((m) => m[1]);
        const headings = md
          .parse(fs.readFileSync(target, 'utf8'), {})
          .filter((token, i, tokens) => token.type === 'inline' && tokens[i - 1]?.type === 'heading_open')
          .map((token) => token.content);
        for (const section of sections) {
          if (!headings.some((heading) => heading.startsWith(`${section}. `))) problems.push(`${where} §${section}: no heading "${section}. …" there`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
