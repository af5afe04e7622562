import { createHash, createPublicKey, generateKeyPairSync, verify as ed25519Verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signCheckpoint, verifierKey } from '../../src/ledger/domain/checkpoint';
import { RunningWitness, startWitness } from '../../src/witness/witness';

const ORIGIN = 'log.test/witnessed';
const WITNESS = 'witness.test/w1';

/** RFC 9162 §2.1.1 and §2.1.4: Merkle tree hash and consistency proof, written here from the RFC. */
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (i: number): Buffer => sha(Buffer.from([0]), Buffer.from(`record ${i}`));
const split = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function subproof(m: number, leaves: Buffer[], complete: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [mth(leaves)];
  const k = split(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), complete), mth(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}
const LEAVES = Array.from({ length: 20 }, (_, i) => leaf(i));
const root = (size: number): Buffer => mth(LEAVES.slice(0, size));
const proof = (from: number, to: number): Buffer[] => (from === 0 || from === to ? [] : subproof(from, LEAVES.slice(0, to), true));

const logKey = generateKeyPairSync('ed25519').privateKey;
const logVkey = verifierKey(ORIGIN, logKey);
const note = (size: number, r = root(size), key = logKey, origin = ORIGIN): string =>
  signCheckpoint({ origin, treeSize: size, rootHash: r }, { name: origin, privateKey: key });
const request = (old: number, hashes: Buffer[], signed: string): string => `old ${old}\n${hashes.map((h) => `${h.toString('base64')}\n`).join('')}\n${signed}`;

async function add(w: RunningWitness, body: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/**
 * C2SP tlog-cosignature, checked by hand from the spec: the verifier key is "<name>+<hex id>+<base64(0x04 ‖ key)>"
 * with id SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4]; the line "— <name> <base64(id ‖ uint64 BE time ‖ signature)>";
 * the signature is Ed25519 over "cosignature/v1\ntime <time>\n" followed by the checkpoint body.
 */
function checkCosignature(line: string, vkey: string, body: string): number {
  // The base64 key may itself hold '+': the name and the id end at the first two.
  const [, name, id, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey)!;
  const keyBytes = Buffer.from(material, 'base64');
  expect(keyBytes[0]).toBe(0x04);
  const raw = keyBytes.subarray(1);
  expect(
    sha(Buffer.from(name), Buffer.from([0x0a, 0x04]), raw)
      .subarray(0, 4)
      .toString('hex'),
  ).toBe(id);
  const match = /^\u2014 (\S+) (\S+)\n$/.exec(line);
  expect(match?.[1]).toBe(name);
  const blob = Buffer.from(match![2], 'base64');
  expect(blob).toHaveLength(76);
  expect(blob.subarray(0, 4).toString('hex')).toBe(id);
  const time = Number(blob.readBigUInt64BE(4));
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  expect(ed25519Verify(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), key, blob.subarray(12))).toBe(true);
  expect(ed25519Verify(null, Buffer.from(`cosignature/v1\ntime ${time + 1}\n${body}`), key, blob.subarray(12))).toBe(false);
  return time;
}

describe('witness POST /add-checkpoint (C2SP tlog-witness)', () => {
  let dir: string;
  let witness: RunningWitness;
  const start = async () => startWitness({ name: WITNESS, dataDir: dir, logs: [logVkey] });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'witness-'));
    witness = await start();
  });
  afterAll(async () => {
    await witness.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes its cosigner verifier key, and its generated key with mode 0600', () => {
    expect(fs.readFileSync(path.join(dir, 'verifier-key'), 'utf8')).toBe(`${witness.verifierKey}\n`);
    expect(witness.verifierKey).toMatch(/^witness\.test\/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
    expect(fs.statSync(path.join(dir, 'witness-key')).mode & 0o777).toBe(0o600);
  });

  it('cosigns a first checkpoint from old 0, and its cosignature verifies with the verifier key', async () => {
    const signed = note(5);
    const res = await add(witness, request(0, [], signed));
    expect(res.status).toBe(200);
    checkCosignature(res.text, witness.verifierKey, signed.slice(0, signed.indexOf('\n\n') + 1));
  });

  it('answers each error as the spec says', async () => {
    // 404: a log it does not know.
    const other = generateKeyPairSync('ed25519').privateKey;
    expect((await add(witness, request(5, proof(5, 8), note(8, root(8), other, 'other.test/log')))).status).toBe(404);
    // 403: the log's origin, signed by another key.
    expect((await add(witness, request(5, proof(5, 8), note(8, root(8), other)))).status).toBe(403);
    // 400: malformed request, old size above the checkpoint size, a bad proof line.
    expect((await add(witness, `old 5\n${note(8)}`)).status).toBe(400);
    expect((await add(witness, `old five\n\n${note(8)}`)).status).toBe(400);
    expect((await add(witness, request(9, [], note(8)))).status).toBe(400);
    expect((await add(witness, `old 5\nnot-a-hash\n\n${note(8)}`)).status).toBe(400);
    // 409 with the latest size: old does not match what it cosigned.
    const conflict = await add(witness, request(3, proof(3, 8), note(8)));
    expect(conflict).toEqual({ status: 409, type: 'text/x.tlog.size', text: '5\n' });
    // 409: the same size with another root (a fork).
    expect((await add(witness, request(5, [], note(5, root(6))))).status).toBe(409);
    // 422: a proof that does not verify; a checkpoint not consistent with size 5.
    expect((await add(witness, request(5, proof(4, 8), note(8)))).status).toBe(422);
    expect((await add(witness, request(5, proof(5, 8), note(8, root(9))))).status).toBe(422);
    // 422: from 5 to 5 the RFC 6962 consistency proof is empty, so a non-empty one does not verify.
    expect((await add(witness, request(5, [root(5)], note(5)))).status).toBe(422);
    // Nothing of that moved it: from 5 it still cosigns 8.
    expect((await add(witness, request(5, proof(5, 8), note(8)))).status).toBe(200);
  });

  it('keeps what it cosigned across a restart', async () => {
    await witness.close();
    witness = await start();
    expect(fs.readFileSync(path.join(dir, 'verifier-key'), 'utf8')).toBe(`${witness.verifierKey}\n`);
    const conflict = await add(witness, request(5, proof(5, 12), note(12)));
    expect(conflict).toEqual({ status: 409, type: 'text/x.tlog.size', text: '8\n' });
    // A rolled-back or forked log cannot get it to cosign a tree that does not extend 8.
    const forked = LEAVES.slice(0, 12).map((h, i) => (i === 6 ? leaf(100) : h));
    expect((await add(witness, request(8, subproof(8, forked, true), note(12, mth(forked))))).status).toBe(422);
    const ok = await add(witness, request(8, proof(8, 12), note(12)));
    expect(ok.status).toBe(200);
    const body = note(12);
    checkCosignature(ok.text, witness.verifierKey, body.slice(0, body.indexOf('\n\n') + 1));
  });
});
