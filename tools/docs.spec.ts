/*
 * The repository carries what its code cites (docs/contributing.md#naming-and-comments):
 * (a) no file under src/, test/, tools/ or bench/ (nor a root configuration file) points at a
 *     design or style document outside the repository;
 * (b) every rule code R<n> that a comment (or a rule string such as `rule: 'R5'`) under src/ cites
 *     has its entry in docs/rules.md;
 * (c) every docs/<file>.md those directories cite exists;
 * (d) every anchor cited after it (`#…`) exists in that file, as GitHub names a heading's anchor;
 * and the links between the documents under docs/ resolve.
 * docs/rules.md itself (issue deliverable: every rule with its source, confidence and file):
 * (e) every rule entry states its rule, sources, confidence and the files that encode it, and
 *     those files exist; every entry is in the summary table;
 * (f) every compliance flag the transfer log can raise has its row in the flags table, naming
 *     the rule behind it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { COMPLIANCE_FLAGS } from '../src/transfers/domain/compliance-flags';

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');
const SCANNED_DIRS = ['src', 'test', 'tools', 'bench'];
const ROOT_FILES = [
  'jest.config.js',
  'openapi.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'Dockerfile',
  'docker-compose.yml',
];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage']);
const SOURCE = /\.(ts|js|mjs|cjs)$/;
const THIS_FILE = path.relative(ROOT, __filename);

// Built from parts, so this file does not match its own check.
const OUTSIDE_DOCUMENTS = [['DESIGN', 'md'].join('.'), ['STYLE', 'md'].join('.'), ['..', 'shared'].join('/')];

interface TextFile {
  /** Relative to the repository root, with forward slashes. */
  name: string;
  text: string;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path.join(dir, entry.name), out);
    } else if (entry.isFile()) {
      out.push(path.join(dir, entry.name));
    }
  }
  return out;
}

/** Text files only: a file with a NUL byte is binary (images, fonts) and cites nothing. */
function readText(file: string): TextFile | null {
  const bytes = fs.readFileSync(file);
  if (bytes.includes(0)) return null;
  return { name: path.relative(ROOT, file).split(path.sep).join('/'), text: bytes.toString('utf8') };
}

function filesUnder(dirs: string[]): TextFile[] {
  return dirs
    .flatMap((dir) => walk(path.join(ROOT, dir)))
    .map(readText)
    .filter((f): f is TextFile => f !== null);
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Comments and string literals of a TypeScript or JavaScript file, each with its position. */
function commentsAndStrings(file: TextFile): { comments: Array<{ pos: number; text: string }>; strings: Array<{ pos: number; text: string }> } {
  const kind = file.name.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file.name, file.text, ts.ScriptTarget.Latest, true, kind);
  const seen = new Set<number>();
  const comments: Array<{ pos: number; text: string }> = [];
  const strings: Array<{ pos: number; text: string }> = [];
  const take = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      comments.push({ pos: range.pos, text: file.text.slice(range.pos, range.end) });
    }
  };
  const visit = (node: ts.Node) => {
    take(ts.getLeadingCommentRanges(file.text, node.getFullStart()));
    take(ts.getTrailingCommentRanges(file.text, node.getEnd()));
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) strings.push({ pos: node.getStart(source), text: node.text });
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return { comments, strings };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens (as github-slugger does). */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a Markdown document: heading slugs (repeats numbered -1, -2, …) and explicit `<a id>`/`<a name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fenceMatch) {
      if (fence === null) fence = fenceMatch[1];
      else if (fenceMatch[1] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = githubSlug(heading[1]);
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const explicit of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(explicit[1]);
  }
  return anchors;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfDoc(file: string): Set<string> {
  let anchors = anchorCache.get(file);
  if (!anchors) {
    anchors = anchorsOf(fs.readFileSync(file, 'utf8'));
    anchorCache.set(file, anchors);
  }
  return anchors;
}

/** `docs/<file>.md` with an optional `#anchor`, as cited in code and comments. */
const DOC_CITATION = /(?<![\w-])docs\/([\w./-]*?\.md)(?:#([\p{L}\p{N}_-]+))?/gu;

describe('citations of documents', () => {
  const scanned = [
    ...filesUnder(SCANNED_DIRS),
    ...ROOT_FILES.filter((f) => fs.existsSync(path.join(ROOT, f)))
      .map((f) => readText(path.join(ROOT, f)))
      .filter((f): f is TextFile => f !== null),
  ].filter((f) => f.name !== THIS_FILE);
  const sources = scanned.filter((f) => f.name.startsWith('src/') && SOURCE.test(f.name));

  it('finds the files it checks', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(fs.existsSync(path.join(DOCS, 'rules.md'))).toBe(true);
  });

  it('(a) cites no document outside the repository', () => {
    const found: string[] = [];
    for (const file of scanned) {
      const lower = file.text.toLowerCase();
      for (const outside of OUTSIDE_DOCUMENTS) {
        let at = lower.indexOf(outside.toLowerCase());
        while (at >= 0) {
          found.push(`${file.name}:${lineOf(file.text, at)} mentions ${outside}`);
          at = lower.indexOf(outside.toLowerCase(), at + 1);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('(b) cites only rules that docs/rules.md lists', () => {
    const rules = anchorsOfDoc(path.join(DOCS, 'rules.md'));
    const missing: string[] = [];
    for (const file of sources) {
      const { comments, strings } = commentsAndStrings(file);
      const cited = [
        ...comments.flatMap((c) => [...c.text.matchAll(/\bR(\d+)\b/g)].map((m) => ({ code: m[0], at: c.pos + (m.index ?? 0) }))),
        ...strings.filter((s) => /^R\d+$/.test(s.text)).map((s) => ({ code: s.text, at: s.pos })),
      ];
      for (const { code, at } of cited) {
        if (!rules.has(code.toLowerCase())) missing.push(`${file.name}:${lineOf(file.text, at)} cites ${code}, which docs/rules.md does not list`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('(c) cites only documents under docs/ that exist, and (d) only anchors they have', () => {
    const broken: string[] = [];
    for (const file of scanned) {
      for (const match of file.text.matchAll(DOC_CITATION)) {
        const [citation, doc, anchor] = match;
        const where = `${file.name}:${lineOf(file.text, match.index ?? 0)}`;
        const target = path.join(DOCS, doc);
        if (!fs.existsSync(target)) {
          broken.push(`${where} cites ${citation}: docs/${doc} does not exist`);
        } else if (anchor !== undefined && !anchorsOfDoc(target).has(anchor)) {
          broken.push(`${where} cites ${citation}: docs/${doc} has no heading or anchor "${anchor}"`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('links between the documents under docs/ resolve', () => {
    const broken: string[] = [];
    const docs = fs.existsSync(DOCS) ? fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')) : [];
    for (const doc of docs) {
      const text = fs.readFileSync(path.join(DOCS, doc), 'utf8');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = match[1];
        if (/^[a-z]+:/i.test(link)) continue;
        const [file, anchor] = link.split('#');
        if (file !== '' && !file.endsWith('.md')) continue;
        const target = file === '' ? path.join(DOCS, doc) : path.join(DOCS, file);
        const where = `docs/${doc}:${lineOf(text, match.index ?? 0)}`;
        if (!fs.existsSync(target)) broken.push(`${where} links to ${link}, which does not exist`);
        else if (anchor !== undefined && !anchorsOfDoc(target).has(anchor)) broken.push(`${where} links to ${link}: no such anchor`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names anchors as GitHub does', () => {
    expect(githubSlug('R9')).toBe('r9');
    expect(githubSlug('Data flow of `POST /transfers`')).toBe('data-flow-of-post-transfers');
    expect(githubSlug('Config, logs and API docs')).toBe('config-logs-and-api-docs');
    expect(githubSlug('Example: POST /contracts')).toBe('example-post-contracts');
    expect([...anchorsOf('# A\n## Notes\n```\n# not a heading\n```\n## Notes\n<a id="x"></a>\n')]).toEqual(['a', 'notes', 'notes-1', 'x']);
  });
});

describe('docs/rules.md', () => {
  const text = fs.readFileSync(path.join(DOCS, 'rules.md'), 'utf8');
  /** `## R<n>` sections: the heading's code and the text up to the next `## ` heading. */
  const entries = [...text.matchAll(/^## (R\d+)\n([\s\S]*?)(?=^## )/gm)].map((m) => ({ code: m[1], body: m[2] }));

  it('has an entry for every rule from R1 on, in order', () => {
    expect(entries.length).toBeGreaterThanOrEqual(18);
    expect(entries.map((e) => e.code)).toEqual(entries.map((_, i) => `R${i + 1}`));
  });

  it('(e) states, for each rule, its rule, sources, confidence and the files that encode it, which exist', () => {
    const problems: string[] = [];
    const summary = text.slice(text.indexOf('## Summary'), text.indexOf('## Sources'));
    for (const { code, body } of entries) {
      for (const label of ['Rule', 'Sources', 'Confidence', 'Encoded in']) {
        if (!new RegExp(`^- \\*\\*${label}\\.\\*\\* \\S`, 'm').test(body)) problems.push(`${code}: no "${label}." line`);
      }
      const confidence = /^- \*\*Confidence\.\*\* (.*)$/m.exec(body)?.[1] ?? '';
      if (!/\[[CA]\]/.test(confidence)) problems.push(`${code}: confidence names neither [C] nor [A]`);
      const encodedIn = /^- \*\*Encoded in\.\*\* (.*)$/m.exec(body)?.[1] ?? '';
      const files = [...encodedIn.matchAll(/`((?:src|tools|test)\/[^`\s]+\.ts)`/g)].map((m) => m[1]);
      if (files.length === 0) problems.push(`${code}: "Encoded in." names no file`);
      for (const file of files) if (!fs.existsSync(path.join(ROOT, file))) problems.push(`${code}: ${file} does not exist`);
      if (!summary.includes(`[${code}](#${code.toLowerCase()})`)) problems.push(`${code}: missing from the summary table`);
    }
    expect(problems).toEqual([]);
  });

  it('(f) lists every compliance flag with the rule behind it', () => {
    const section = text.slice(text.indexOf('## Compliance flags'));
    const rows = new Map([...section.matchAll(/^\| `([A-Z_]+)` \|(.*)$/gm)].map((m) => [m[1], m[2]]));
    const missing = COMPLIANCE_FLAGS.filter((flag) => !rows.has(flag));
    expect(missing).toEqual([]);
    const withoutRule = COMPLIANCE_FLAGS.filter((flag) => !/\[R\d+\]\(#r\d+\)|PIPL art\.|no R-number/.test(rows.get(flag) ?? ''));
    expect(withoutRule).toEqual([]);
    // A row for a flag the code cannot raise is as wrong as a missing one.
    expect([...rows.keys()].filter((flag) => !(COMPLIANCE_FLAGS as readonly string[]).includes(flag))).toEqual([]);
  });
});
