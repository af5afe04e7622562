import { createHash, createPublicKey, randomBytes, verify as ed25519Verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config';
import { openCheckpoint, privateKeyFromSeed, signCheckpoint, verifierKey } from '../../src/ledger/domain/checkpoint';
import { LedgerService } from '../../src/ledger/ledger.service';
import { cosignerVerifierKey } from '../../src/ledger/domain/cosignature';
import { main as verifyCli } from '../../tools/verify';
import { RunningWitness, startWitness } from '../../src/witness/witness';
import { Parties, startWithContract } from '../contracts/fixtures';
import { TestApp } from '../support/app';
import { postTransfers, transferRecord } from '../transfers/support';
import { witnessedLogEnv } from '../support/witnessed-log';

const ORIGIN = 'gba-registry.test/witnessed-transfers';
const SEED = randomBytes(32);
const LOG_KEY = privateKeyFromSeed(SEED);
const LOG_VKEY = verifierKey(ORIGIN, LOG_KEY);

/**
 * C2SP tlog-cosignature (cosignature/v1), checked here from the spec: among the note's signature lines, the one
 * by the witness key "<name>+<hex id>+<base64(0x04 ‖ key)>", id = SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4], carries
 * id ‖ 8-byte big-endian time ‖ Ed25519 signature over "cosignature/v1\ntime <time>\n" ‖ checkpoint body.
 */
function verifyCosignature(note: string, witnessVkey: string): boolean {
  // The base64 key may itself hold '+': the name and the id end at the first two.
  const [, name, id, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(witnessVkey)!;
  const raw = Buffer.from(material, 'base64').subarray(1);
  expect(Buffer.from(material, 'base64')[0]).toBe(0x04);
  const expectedId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x04]), raw]))
    .digest()
    .subarray(0, 4);
  expect(expectedId.toString('hex')).toBe(id);
  const split = note.indexOf('\n\n');
  const body = note.slice(0, split + 1);
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  for (const line of note.slice(split + 2).split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const blob = Buffer.from(match[2], 'base64');
    if (blob.length !== 76 || blob.subarray(0, 4).toString('hex') !== id) continue;
    const time = blob.readBigUInt64BE(4);
    return ed25519Verify(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), key, blob.subarray(12));
  }
  return false;
}

const sizeOf = (note: string): number => Number(note.split('\n')[1]);

async function waitForCosigned(t: TestApp, size: number, timeoutMs = 10_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const res = await t.http.get('/ledger/checkpoint');
    if (res.status === 200 && sizeOf(res.text) >= size) return res.text;
    if (Date.now() - started > timeoutMs)
      throw new Error(`no cosigned checkpoint of size ${size} within ${timeoutMs} ms (status ${res.status}, ${res.text.slice(0, 200)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('witnesses cosign the transfer log (C2SP tlog-witness, tlog-cosignature)', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  const dirs: string[] = [];
  const witnesses: RunningWitness[] = [];
  const startNamed = (name: string, dir: string, port = 0) => startWitness({ name, dataDir: dir, logs: [LOG_VKEY], port });

  beforeAll(async () => {
    for (const name of ['witness.gdcac.test/w1', 'witness.pcpd.test/w1']) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-witness-'));
      dirs.push(dir);
      witnesses.push(await startNamed(name, dir));
    }
    ({ t, p, contractId } = await startWithContract(witnessedLogEnv(ORIGIN, SEED, witnesses)));
  });
  afterAll(async () => {
    await t?.close();
    for (const w of witnesses) await w.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses witness settings that are not "<URL> <cosigner verifier key>" or a quorum above their number', () => {
    const base = { NODE_ENV: 'test', DATA_DIR: dirs[0], JWT_SECRET: 'x'.repeat(40) };
    expect(() => loadConfig({ ...base, LEDGER_WITNESSES: `http://w.test ${LOG_VKEY}` })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, LEDGER_WITNESSES: witnesses[0].verifierKey })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, LEDGER_WITNESSES: `http://w.test ${witnesses[0].verifierKey}`, LEDGER_WITNESS_QUORUM: '2' })).toThrow(
      /LEDGER_WITNESS_QUORUM/,
    );
    expect(loadConfig({ ...base, LEDGER_WITNESSES: `http://w.test/ ${witnesses[0].verifierKey}` })).toMatchObject({
      ledgerWitnesses: [{ url: 'http://w.test', verifierKey: witnesses[0].verifierKey }],
      ledgerWitnessQuorum: 1,
    });
  });

  it('serves the checkpoint with the log signature and both cosignatures; the log key alone still opens it', async () => {
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)])).status).toBe(201);
    const note = await waitForCosigned(t, 2);
    const checkpoint = openCheckpoint(note, LOG_VKEY, ORIGIN);
    expect(checkpoint.treeSize).toBeGreaterThanOrEqual(2);
    for (const w of witnesses) expect(verifyCosignature(note, w.verifierKey)).toBe(true);
    // A forged cosignature line (another body) does not verify.
    expect(
      verifyCosignature(
        note.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`),
        witnesses[0].verifierKey,
      ),
    ).toBe(false);
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/registry_ledger_witness_lag\{witness="witness\.gdcac\.test\/w1"\} 0/);
  });

  it('a witness that is down delays cosigning, not logging; cosigning resumes when it is back', async () => {
    const before = sizeOf(await waitForCosigned(t, 2));
    const url = new URL(witnesses[1].url);
    await witnesses[1].close();
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId)])).status).toBe(201);
    // The log signs the new tree; the served checkpoint stays the last one both witnesses cosigned.
    for (let i = 0; i < 100; i++) {
      const [row] = await t.dataSource.query<Array<{ n: number }>>('SELECT max(tree_size)::int AS n FROM ledger_checkpoints');
      if (row.n > before) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 600));
    expect(sizeOf((await t.http.get('/ledger/checkpoint')).text)).toBe(before);
    witnesses[1] = await startNamed('witness.pcpd.test/w1', dirs[1], Number(url.port));
    const note = await waitForCosigned(t, before + 1);
    for (const w of witnesses) expect(verifyCosignature(note, w.verifierKey)).toBe(true);
    const rows = await t.dataSource.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM ledger_cosignatures WHERE tree_size = $1', [sizeOf(note)]);
    expect(rows[0].n).toBe(2);
  });

  it('a witness refuses a checkpoint, signed with the log key, that does not extend what it cosigned', async () => {
    const note = await waitForCosigned(t, 3);
    const size = sizeOf(note);
    const forged = signCheckpoint({ origin: ORIGIN, treeSize: size + 2, rootHash: randomBytes(32) }, { name: ORIGIN, privateKey: LOG_KEY });
    const proof = [randomBytes(32), randomBytes(32)].map((h) => `${h.toString('base64')}\n`).join('');
    const refused = await fetch(`${witnesses[0].url}/add-checkpoint`, { method: 'POST', body: `old ${size}\n${proof}\n${forged}` });
    expect(refused.status).toBe(422);
    const stale = await fetch(`${witnesses[0].url}/add-checkpoint`, { method: 'POST', body: `old 0\n\n${forged}` });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toBe(`${size}\n`);
  });

  it('when a witness has cosigned more than the registry knows, its 409 names its size and the registry proves from there', async () => {
    const before = sizeOf(await waitForCosigned(t, 3));
    const url = new URL(witnesses[0].url);
    await witnesses[0].close();
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)])).status).toBe(201);
    let latest: { tree_size: number; note: string } | undefined;
    for (let i = 0; i < 100 && !(latest && latest.tree_size > before); i++) {
      [latest] = await t.dataSource.query<Array<{ tree_size: number; note: string }>>(
        'SELECT tree_size::int AS tree_size, note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1',
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    // The same witness (its state directory), reached on another address, cosigns the new checkpoint first.
    const elsewhere = await startNamed('witness.gdcac.test/w1', dirs[0]);
    const { hashes } = await t.app.get(LedgerService).consistencyProof(before, latest!.tree_size);
    const direct = await fetch(`${elsewhere.url}/add-checkpoint`, {
      method: 'POST',
      body: `old ${before}\n${hashes.map((h) => `${h}\n`).join('')}\n${latest!.note}`,
    });
    expect(direct.status).toBe(200);
    await elsewhere.close();
    witnesses[0] = await startNamed('witness.gdcac.test/w1', dirs[0], Number(url.port));
    const note = await waitForCosigned(t, latest!.tree_size);
    for (const w of witnesses) expect(verifyCosignature(note, w.verifierKey)).toBe(true);
  });

  it('npm run verify --witness-key checks the cosignatures against a quorum of pinned witness keys', async () => {
    await waitForCosigned(t, 3);
    await t.app.listen(0, '127.0.0.1');
    const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const run = async (...args: string[]): Promise<{ code: number; output: string }> => {
      const output: string[] = [];
      const code = await verifyCli(['--url', url, '--token', p.gdCac, '--log-key', LOG_VKEY, '--samples', '1', ...args], (s) => output.push(s));
      return { code, output: output.join('') };
    };
    const both = await run('--witness-key', witnesses[0].verifierKey, '--witness-key', witnesses[1].verifierKey);
    expect(both.output).toMatch(/witness cosignatures.*2 of 2 pinned witnesses/);
    expect(both.code).toBe(0);
    // A witness key the checkpoint carries no cosignature of: below a quorum of 2, enough for a quorum of 1.
    const stranger = cosignerVerifierKey('witness.other.test/w9', randomBytes(32));
    expect((await run('--witness-key', witnesses[0].verifierKey, '--witness-key', stranger)).code).toBe(1);
    expect((await run('--witness-key', witnesses[0].verifierKey, '--witness-key', stranger, '--quorum', '1')).code).toBe(0);
  });

  it('npm run verify offline: checkpoint files kept from the registry are refused without the quorum, as online', async () => {
    const cosigned = await waitForCosigned(t, 3);
    // The same tree head as the registry stored it, with the log's signature only, and with one cosignature.
    const [row] = await t.dataSource.query<Array<{ note: string }>>('SELECT note FROM ledger_checkpoints WHERE tree_size = $1', [sizeOf(cosigned)]);
    const lines = cosigned.slice(cosigned.lastIndexOf('\n\n') + 2).split('\n');
    const oneCosignature = `${row.note}${lines.find((l) => l.startsWith('\u2014 witness.gdcac.test/w1 '))}\n`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-checkpoints-'));
    dirs.push(dir);
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const run = async (...args: string[]) => {
      let output = '';
      const code = await verifyCli(
        [...args, '--log-key', LOG_VKEY, '--witness-key', witnesses[0].verifierKey, '--witness-key', witnesses[1].verifierKey],
        (s) => (output += s),
      );
      return { code, output };
    };
    const both = await run('--checkpoint', file('cosigned.txt', cosigned));
    expect(both.output).toContain('RESULT: checkpoints verified (no entries checked)');
    expect(both.code).toBe(0);
    const logOnly = await run('--checkpoint', file('log-only.txt', row.note));
    expect(logOnly.output).toMatch(
      /FAIL {2}witness cosignatures .*log-only\.txt — checkpoint carries 0 valid cosignature\(s\) of the 2 pinned witness keys, fewer than the quorum 2/,
    );
    expect(logOnly.code).toBe(1);
    const one = file('one.txt', oneCosignature);
    expect((await run('--checkpoint', one)).code).toBe(1);
    expect((await run('--checkpoint', one, '--quorum', '1')).code).toBe(0);
  });
});
