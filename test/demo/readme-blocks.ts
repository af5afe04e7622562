// Runs the README's shell examples as printed (test/demo/demo.e2e-spec.ts).
//
// How a block passes: bash runs it with `set -euo pipefail`, so a failing command (curl that
// cannot connect, jq on a non-JSON answer, a missing file) stops it with a non-zero exit. `curl` is
// a shell function around the real curl that appends every answer's status, method and URL to a
// log (`-w '%{stderr}…'`), leaving the output the README shows unchanged. Afterwards every answer
// of 400 or more must be one the README announces, in order, with a response comment of the form
// `# → <status> …` (e.g. `# → 400 [{"field":"identifier",…}]`); any other 4xx or 5xx fails the block.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ReadmeBlock {
  section: string;
  /** 1-based position of the block within its section. */
  index: number;
  /** Line of the README where the block's code starts. */
  line: number;
  code: string;
  /** HTTP statuses ≥ 400 the block announces with `# → <status>`, in order. */
  expectedErrors: number[];
}

/** The ```sh blocks of the named `## ` sections (with their `### ` subsections), in README order. */
export function readmeBlocks(readme: string, sections: readonly string[]): ReadmeBlock[] {
  const lines = readme.split('\n');
  const blocks: ReadmeBlock[] = [];
  let section: string | null = null;
  let counts = new Map<string, number>();
  for (let i = 0; i < lines.length; i += 1) {
    const heading = /^## (.+)$/.exec(lines[i]);
    if (heading) {
      section = sections.includes(heading[1].trim()) ? heading[1].trim() : null;
      continue;
    }
    if (lines[i].trim() === '```sh' && section) {
      const start = i + 1;
      let end = start;
      while (end < lines.length && lines[end].trim() !== '```') end += 1;
      const code = lines.slice(start, end).join('\n');
      const index = (counts.get(section) ?? 0) + 1;
      counts = counts.set(section, index);
      const expectedErrors = [...code.matchAll(/#\s*→\s*([1-5]\d\d)\b/g)].map((m) => Number(m[1])).filter((s) => s >= 400);
      blocks.push({ section, index, line: start + 1, code, expectedErrors });
      i = end;
    } else if (/^```/.test(lines[i].trim())) {
      // Skip other fenced blocks whole, so a heading-like line inside them is not a heading.
      let end = i + 1;
      while (end < lines.length && lines[end].trim() !== '```') end += 1;
      i = end;
    }
  }
  return blocks;
}

export interface Answer {
  status: number;
  method: string;
  url: string;
}

export interface BlockRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  answers: Answer[];
  /** Answers of 400 or more that the block does not announce (empty when it passed). */
  unexpected: Answer[];
  timedOut: boolean;
}

const PRELUDE = `set -euo pipefail
curl() { command curl "$@" -w '%{stderr}HTTP %{http_code} %{method} %{url_effective}\\n' 2>>"$CURL_LOG"; }
`;

export async function runBlock(block: ReadmeBlock, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<BlockRun> {
  const dir = mkdtempSync(join(tmpdir(), 'readme-block-'));
  const log = join(dir, 'curl.log');
  try {
    const child = spawn('bash', ['-c', PRELUDE + block.code], {
      cwd: options.cwd,
      env: { ...options.env, CURL_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {
      // no request made
    }
    const answers: Answer[] = [];
    for (const line of text.split('\n')) {
      const m = /^HTTP (\d{3}) (\S+) (\S+)$/.exec(line);
      if (m) answers.push({ status: Number(m[1]), method: m[2], url: m[3] });
      else if (line.trim()) stderr += `curl: ${line}\n`;
    }
    const errors = answers.filter((a) => a.status >= 400);
    const unexpected: Answer[] = [];
    errors.forEach((a, i) => {
      if (block.expectedErrors[i] !== a.status) unexpected.push(a);
    });
    if (errors.length < block.expectedErrors.length) {
      unexpected.push({
        status: 0,
        method: 'MISSING',
        url: `the README announces ${block.expectedErrors.join(', ')}; got ${errors.map((a) => a.status).join(', ') || 'none'}`,
      });
    }
    return { exitCode, stdout, stderr, answers, unexpected, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
