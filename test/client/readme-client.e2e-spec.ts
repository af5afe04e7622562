/*
 * The README's typed-client example (README "Typed client") as printed: the ```ts block is type-checked with the
 * strict compiler against client/ and run with Node against a registry listening on a real port, signed in as an
 * organisation's service account. It must log its batch once and get the same leaf indexes back on the retry.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { bearer, startTestApp, TestApp } from '../support/app';
import { fileContract, setupParties } from '../contracts/fixtures';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const SCRATCH = path.join(ROOT, 'test-artifacts', 'client');

jest.setTimeout(180_000);

/** The first ```ts block of a `## ` section of the README. */
function tsBlock(readme: string, section: string): string {
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no section "${section}"`);
  const body = readme.slice(start + 1).split(/\n## /)[0];
  const match = /```ts\n([\s\S]*?)\n```/.exec(body);
  if (!match) throw new Error(`README section "${section}" has no ts block`);
  return match[1];
}

describe('README: the typed client logs a batch with an Idempotency-Key', () => {
  let t: TestApp;
  let baseUrl: string;
  let example: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    // The block imports './client' from the repository's root; written beside the scratch folder, that is the same folder.
    const code = tsBlock(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), 'Typed client');
    expect(code).toContain("from './client'");
    fs.mkdirSync(SCRATCH, { recursive: true });
    example = path.join(SCRATCH, `log-batch-${process.pid}.ts`);
    fs.writeFileSync(example, code.replace("from './client'", `from ${JSON.stringify(path.join(ROOT, 'client'))}`));
  });

  afterAll(async () => {
    if (example) fs.rmSync(example, { force: true });
    await t?.close();
  });

  it('type-checks against client/ with the strict compiler', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck'];
    await expect(run(process.execPath, [tsc, ...args, '--types', 'node', example], { cwd: ROOT })).resolves.toBeDefined();
  });

  it('runs as printed: the batch is logged once, and the retry with the same key gets the same leaf indexes', async () => {
    const p = await setupParties(t);
    const contract = await fileContract(t, p);
    const account = await t.http
      .post(`/organisations/${p.mainlandId}/service-accounts`)
      .set(...bearer(t.adminToken))
      .send({ name: 'transfer logger' });
    expect(account.status).toBe(201);
    const { stdout, stderr } = await run(process.execPath, ['-r', '@swc-node/register', example], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        REGISTRY_URL: baseUrl,
        CLIENT_ID: account.body.clientId,
        CLIENT_SECRET: account.body.clientSecret,
        CONTRACT_ID: contract.id,
      },
    });
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^attempt 1: leaf indexes \d+, \d+, \d+; replayed: false$/),
      expect.stringMatching(/^attempt 2: leaf indexes \d+, \d+, \d+; replayed: true$/),
    ]);
    const leaves = (line: string) => line.replace(/^.*leaf indexes ([\d, ]+);.*$/, '$1');
    expect(leaves(lines[1])).toBe(leaves(lines[0]));
    const rows: Array<{ leaf_index: string; external_reference: string }> = await t.dataSource.query(
      `SELECT leaf_index, external_reference FROM transfer_records WHERE contract_id = $1 ORDER BY leaf_index`,
      [contract.id],
    );
    expect(rows.map((r) => r.external_reference)).toEqual(['client-example-1', 'client-example-2', 'client-example-3']);
    expect(rows.map((r) => r.leaf_index).join(', ')).toBe(leaves(lines[0]));
  });
});
