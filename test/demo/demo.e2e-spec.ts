// `npm run demo` and the README examples, end to end. The registry listens on a real port; the
// demo runs as a child process against it at a small size, twice (the second run must add
// nothing), and then every ```sh block of the README sections that build on demo.env runs with
// bash, in README order, as printed (test/demo/readme-blocks.ts says how a block passes).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, startTestApp, TestApp } from '../support/app';
import { readmeBlocks, runBlock } from './readme-blocks';

const ROOT = resolve(__dirname, '../..');
const ORGANISATIONS = 12;
const TRANSFERS = 400;

/** The README sections whose examples build on demo.env. */
const SECTIONS = [
  'Demo data',
  'Organisation register',
  'Filing a contract',
  'Sector rollout and pilot enrolment',
  'Working-day calendars',
  'Transfer log',
  'How a regulator verifies the log',
];
/** Blocks not run here, and why (keep this short). */
const SKIPPED: Record<string, string> = {
  'Demo data #1': 'it starts the registry and runs the demo; this test does both itself, on its own database and port',
};

const BLOCKS = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), SECTIONS);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(env: Record<string, string>): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/demo/index.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Rows of every table the demo writes, and the states it drives. */
async function snapshot(t: TestApp): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const table of [
    'users',
    'service_accounts',
    'organisations',
    'rollout_enrolments',
    'rollout_enrolment_history',
    'contracts',
    'contract_versions',
    'filings',
    'contract_documents',
    'contract_incidents',
    'contract_history',
    'transfer_records',
  ]) {
    const [{ n }] = await t.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = n;
  }
  out.filingStatuses = await t.dataSource.query('SELECT status, count(*)::int AS n FROM filings GROUP BY status ORDER BY status');
  out.enrolmentStatuses = await t.dataSource.query('SELECT status, count(*)::int AS n FROM rollout_enrolments GROUP BY status ORDER BY status');
  out.verified = await t.dataSource.query(`SELECT count(*)::int AS n FROM organisations WHERE verification_status = 'VERIFIED'`);
  return out;
}

describe('npm run demo and the README examples', () => {
  let t: TestApp;
  let url: string;
  let dataDir: string;
  /** TMPDIR of the README blocks: their `mktemp -d` scratch folders land here and go with it. */
  let scratch: string;
  let demoEnv: Record<string, string>;
  const state = { demoRan: false };

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'gba-demo-'));
    scratch = mkdtempSync(join(tmpdir(), 'gba-demo-readme-'));
    demoEnv = {
      REGISTRY_URL: url,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      DATA_DIR: dataDir,
      DEMO_ORGANISATIONS: String(ORGANISATIONS),
      DEMO_TRANSFERS: String(TRANSFERS),
    };
  });

  afterAll(async () => {
    await t?.close();
    for (const dir of [dataDir, scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fills the registry through the API: contracts in every state, flagged transfers, demo.env', async () => {
    const run = await runDemo(demoEnv);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    state.demoRan = true;
    expect(run.stdout).toMatch(/Console: http:\/\/127\.0\.0\.1:\d+\/console/);

    const admin = (path: string) => t.http.get(path).set(...bearer(t.adminToken));
    const organisations = (await admin('/organisations?limit=1000')).body.items as Array<{ jurisdiction: string; verificationStatus: string }>;
    expect(organisations).toHaveLength(ORGANISATIONS);
    expect(new Set(organisations.map((o) => o.jurisdiction))).toEqual(new Set(['MAINLAND', 'HONG_KONG']));
    expect(organisations.some((o) => o.verificationStatus === 'VERIFIED')).toBe(true);

    interface Filing {
      status: string;
      party: string;
    }
    const contracts = (await admin('/contracts?limit=1000')).body.items as Array<{
      id: string;
      status: string;
      version: number;
      direction: string;
      filings: Filing[];
    }>;
    const statuses = new Set(contracts.map((c) => c.status));
    for (const s of ['EFFECTIVE', 'PENDING', 'EXPIRED', 'TERMINATED']) expect(statuses).toContain(s);
    expect(new Set(contracts.map((c) => c.direction))).toEqual(new Set(['MAINLAND_TO_HK', 'HK_TO_MAINLAND']));
    const filings = contracts.flatMap((c) => c.filings);
    for (const s of ['NOT_SUBMITTED', 'SUBMITTED', 'RETURNED', 'ACCEPTED']) expect(filings.map((f) => f.status)).toContain(s);
    expect(contracts.some((c) => c.filings.every((f) => f.status === 'ACCEPTED'))).toBe(true);
    expect(contracts.some((c) => c.filings.every((f) => f.status === 'SUBMITTED'))).toBe(true);
    expect((await admin('/contracts?overdue=true')).body.items.length).toBeGreaterThan(0);
    const amended = contracts.filter((c) => c.version > 1);
    const refiling = await Promise.all(
      amended.map(
        async (c) => ((await admin(`/contracts/${c.id}/versions`)).body as Array<{ version: number; refilingRequired: boolean }>)[1].refilingRequired,
      ),
    );
    expect(new Set(refiling)).toEqual(new Set([true, false]));

    const [{ n }] = await t.dataSource.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM transfer_records');
    expect(n).toBe(TRANSFERS);
    const flagged = (await admin('/transfers?flagged=true&limit=1000')).body.items as unknown[];
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.length).toBeLessThan(TRANSFERS * 0.15);
    for (const direction of ['MAINLAND_TO_HK', 'HK_TO_MAINLAND']) {
      expect((await admin(`/transfers?direction=${direction}&limit=1`)).body.items).toHaveLength(1);
    }

    const file = join(dataDir, 'demo.env');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`API='${url}'`);
    expect(text).toMatch(/^token\(\) \{/m);
    for (const name of ['MAINLAND_ORG', 'HK_ORG', 'CONTRACT_ACCEPTED', 'CONTRACT_OVERDUE', 'MAINLAND_LOGGER_SECRET'])
      expect(text).toMatch(new RegExp(`^${name}='[^']+'`, 'm'));
    for (const [, password] of text.matchAll(/^\w+_PASSWORD='([^']*)'/gm)) expect(password.length).toBeGreaterThanOrEqual(16);
  }, 300_000);

  it('adds nothing when run again, and keeps the passwords', async () => {
    expect(state.demoRan).toBe(true);
    const before = await snapshot(t);
    const envBefore = readFileSync(join(dataDir, 'demo.env'), 'utf8');
    const run = await runDemo(demoEnv);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await snapshot(t)).toEqual(before);
    expect(readFileSync(join(dataDir, 'demo.env'), 'utf8')).toBe(envBefore);
    const created = [...run.stdout.matchAll(/^ {2}(\S.*?)\s+([\d,]+)\s+([\d,]+)$/gm)].map((m) => [m[1], m[2]]);
    expect(created.length).toBeGreaterThan(5);
    expect(created.filter(([, n]) => n !== '0')).toEqual([]);
  }, 300_000);

  it('finds a ```sh block in each README section it runs', () => {
    expect(new Set(BLOCKS.map((b) => b.section))).toEqual(new Set(SECTIONS));
  });

  it('fails a block on an error the README does not announce, on an announced error that does not come, and on a failing command', async () => {
    const readme = (code: string) => readmeBlocks(`## S\n\n\`\`\`sh\nAPI=${url}\n${code}\n\`\`\`\n`, ['S'])[0];
    const run = (code: string) => runBlock(readme(code), { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, timeoutMs: 10_000 });
    const announced = await run('curl -s $API/auth/me | jq -c .status\n# → 401 401');
    expect({ exitCode: announced.exitCode, unexpected: announced.unexpected }).toEqual({ exitCode: 0, unexpected: [] });
    const unannounced = await run('curl -s $API/auth/me | jq -c .status');
    expect(unannounced.unexpected).toEqual([{ status: 401, method: 'GET', url: `${url}/auth/me` }]);
    const missing = await run('curl -s $API/health/live\n# → 404 {"status":404}');
    expect(missing.unexpected).toHaveLength(1);
    expect(missing.unexpected[0].method).toBe('MISSING');
    expect((await run('curl -s $API/health/live | jq -e .nothing\necho never')).exitCode).not.toBe(0);
  });

  for (const block of BLOCKS) {
    const name = `README "${block.section}" block ${block.index} (README.md line ${block.line}) runs as printed`;
    const skip = SKIPPED[`${block.section} #${block.index}`];
    if (skip) {
      it.skip(`${name}: skipped, ${skip}`, () => undefined);
      continue;
    }
    it(name, async () => {
      expect(state.demoRan).toBe(true);
      const run = await runBlock(block, {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LANG: 'C.UTF-8', DATA_DIR: dataDir, TMPDIR: scratch },
        timeoutMs: 60_000,
      });
      const report = { exitCode: run.exitCode, timedOut: run.timedOut, unexpected: run.unexpected };
      if (run.exitCode !== 0 || run.unexpected.length) process.stderr.write(`--- ${name}\n${run.stdout}\n${run.stderr}\n`);
      expect(report).toEqual({ exitCode: 0, timedOut: false, unexpected: [] });
      expect(run.answers.length).toBeGreaterThan(0);
    });
  }
});
