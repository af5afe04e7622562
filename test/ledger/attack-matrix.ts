// The attacks on the transfer log, one table (docs/architecture.md#trust-model), run by attacks-on-leaves.e2e-spec.ts
// and attacks-on-storage.e2e-spec.ts: each case rewrites or drops
// rows as the database superuser (the application's role cannot), on a fresh registry with two witnesses,
// after checkpoint 40 was signed and cosigned. Each is then checked against the four defences that apply:
//   signer     — no checkpoint inconsistent with checkpoint 40 is ever signed (part 1);
//   self-audit — GET /ledger/integrity names the failure and its first bad index within one audit pass,
//                and registry_ledger_integrity_ok is 0 (part 2);
//   witnesses  — a checkpoint over the tampered tree, signed with the log key and sent with the consistency
//                proof read from storage (what an operator who bypasses the signer would do), is refused, and
//                no cosigned checkpoint is inconsistent with checkpoint 40 (part 4);
//   verify     — `npm run verify` with the cosigned checkpoint 40 kept by a regulator fails (part 5).
// Where a defence cannot apply, the case says why.
// Every checkpoint stored, cosigned or served is finally compared, by the independent verifier of
// test/support/c2sp.ts, with the honest log: the leaves read before the attack, then those appended after.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { privateKeyFromSeed, signCheckpoint, verifierKey } from '../../src/ledger/domain/checkpoint';
import { LedgerAuditor } from '../../src/ledger/ledger.auditor';
import { LedgerService } from '../../src/ledger/ledger.service';
import { RunningWitness, startWitness } from '../../src/witness/witness';
import { main as verifyCli } from '../../tools/verify';
import { Parties, startWithContract } from '../contracts/fixtures';
import { bearer, TestApp } from '../support/app';
import { leafHashOf, parseCheckpoint, treeHash, verifyCosignedCheckpoint } from '../support/c2sp';
import { postTransfers, transferRecord } from '../transfers/support';
import { witnessedLogEnv } from '../support/witnessed-log';

const ORIGIN = 'gba-registry.test/attacked-transfers';
const SEED = randomBytes(32);
const LOG_KEY = privateKeyFromSeed(SEED);
const LOG_VKEY = verifierKey(ORIGIN, LOG_KEY);
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Failure {
  kind: string;
  level: number | null;
  index: number | null;
  detail: string;
}

interface Logged {
  t: TestApp;
  p: Parties;
  contractId: string;
  witnesses: RunningWitness[];
  dirs: string[];
  /** The leaves 0–39 as they were before the attack. */
  honest: Buffer[];
  /** A regulator's folder holding the cosigned checkpoint 40. */
  kept: string;
  close(): Promise<void>;
}

/** SQL as the login role (a superuser in tests) with the append-only triggers off for the session. */
async function asSuperuser(t: TestApp, statements: Array<[string, unknown[]?]>): Promise<void> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    for (const [sql, params] of statements) {
      const result = await client.query(sql, params ?? []);
      expect(result.rowCount).toBeGreaterThan(0);
    }
  } finally {
    await client.end();
  }
}

async function leaves(t: TestApp, from = 0): Promise<Buffer[]> {
  const rows = await t.dataSource.query<Array<{ leaf: Buffer }>>('SELECT leaf FROM transfer_records WHERE leaf_index >= $1 ORDER BY leaf_index', [from]);
  return rows.map((r) => r.leaf);
}

async function integrity(t: TestApp, token: string) {
  const res = await t.http.get('/ledger/integrity').set(...bearer(token));
  expect(res.status).toBe(200);
  return res.body as { ok: boolean; failures: Failure[]; audit: { progress: { passesCompleted: number } } };
}

async function metric(t: TestApp): Promise<string | undefined> {
  return /^registry_ledger_integrity_ok (\S+)$/m.exec((await t.http.get('/metrics')).text)?.[1];
}

/**
 * Runs the self-audit's batches (the registry's own LedgerAuditor; its background timer is paused here so the
 * test knows where a pass starts and ends) until one more full pass has completed.
 */
async function oneAuditPass(t: TestApp, token: string): Promise<void> {
  const auditor = t.app.get(LedgerAuditor);
  const start = (await integrity(t, token)).audit.progress.passesCompleted;
  for (let i = 0; i < 200; i++) {
    await auditor.batch();
    if ((await integrity(t, token)).audit.progress.passesCompleted > start) return;
  }
  throw new Error('the audit did not complete a pass in 200 batches');
}

async function servedCheckpoint(t: TestApp): Promise<string> {
  const res = await t.http.get('/ledger/checkpoint');
  expect(res.status).toBe(200);
  return res.text;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function waitForCosigned(t: TestApp, witnesses: RunningWitness[], size: number): Promise<string> {
  return waitFor(`a checkpoint of size ${size} cosigned by both witnesses`, async () => {
    // 503 until some checkpoint carries the quorum (the leader submits to the witnesses in the background).
    const res = await t.http.get('/ledger/checkpoint');
    if (res.status === 503) return undefined;
    expect(res.status).toBe(200);
    const note = res.text;
    const opened = verifyCosignedCheckpoint(
      note,
      LOG_VKEY,
      witnesses.map((w) => w.verifierKey),
      2,
    );
    return opened.treeSize >= size ? note : undefined;
  });
}

/** A fresh registry (its own database) with two witnesses; 40 records logged, checkpoint 40 signed, cosigned by both and kept; one clean audit pass. */
async function loggedForty(): Promise<Logged> {
  const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'attack-w1-')), fs.mkdtempSync(path.join(os.tmpdir(), 'attack-w2-'))];
  const witnesses = [
    await startWitness({ name: 'witness.gdcac.test/w1', dataDir: dirs[0], logs: [LOG_VKEY] }),
    await startWitness({ name: 'witness.pcpd.test/w1', dataDir: dirs[1], logs: [LOG_VKEY] }),
  ];
  const { t, p, contractId } = await startWithContract({
    ...witnessedLogEnv(ORIGIN, SEED, witnesses),
    LEDGER_AUDIT_BATCH_SIZE: '16',
    LEDGER_AUDIT_PAUSE_MS: '3600000',
  });
  const res = await postTransfers(
    t,
    p.mainland,
    Array.from({ length: 40 }, () => transferRecord(contractId)),
  );
  expect(res.status).toBe(201);
  const note = await waitForCosigned(t, witnesses, 40);
  expect(parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).treeSize).toBe(40);
  await oneAuditPass(t, p.gdCac);
  expect(await integrity(t, p.gdCac)).toMatchObject({ ok: true, failures: [] });
  const kept = fs.mkdtempSync(path.join(os.tmpdir(), 'attack-kept-'));
  fs.writeFileSync(path.join(kept, 'checkpoint-40.txt'), note);
  return {
    t,
    p,
    contractId,
    witnesses,
    dirs,
    honest: await leaves(t),
    kept,
    async close() {
      await t.close();
      for (const w of witnesses) await w.close();
      for (const dir of [...dirs, kept]) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The leaf with one member changed, still canonical JSON (members in order, no whitespace). */
function rewritten(leaf: Buffer, member: string, value: unknown): Buffer {
  const decoded = JSON.parse(leaf.toString('utf8')) as Record<string, unknown>;
  expect(decoded).toHaveProperty(member);
  decoded[member] = value;
  return Buffer.from(JSON.stringify(decoded));
}

/** The hash of the complete subtree of `level` at `index`, from leaf hashes. */
function subtree(leafHashes: Buffer[], level: number, index: number): Buffer {
  const width = 2 ** level;
  return treeHash(leafHashes.slice(index * width, (index + 1) * width));
}

export interface AttackCase {
  name: string;
  /** Which spec file runs it (two files, so that each stays short). */
  group: 'leaves' | 'storage';
  attack(l: Logged): Promise<void>;
  /** Records logged after the attack (the log must keep accepting them). */
  append: number;
  /** What the signer reports when it refuses to sign over the tampered tree. */
  signer: ({ applies: true } & { failure: Partial<Failure> }) | { applies: false; why: string };
  /** The failure the self-audit must name, with the first bad index, within one pass. */
  audit: Partial<Failure>;
  /** The witnesses' answer to a checkpoint over the tampered tree. */
  witnesses: ({ applies: true } & { status: number }) | { applies: false; why: string };
  /** The verify run that must fail, and the check it names. */
  verify: { mode: 'export' | 'online-proofs'; fails: RegExp };
}

export const CASES: AttackCase[] = [
  {
    name: 'a leaf in a complete 16-leaf tile, rewritten alone',
    group: 'leaves',
    attack: async ({ t, honest }) => asSuperuser(t, [['UPDATE transfer_records SET leaf = $1 WHERE leaf_index = 3', [rewritten(honest[3], 'recordCount', 1)]]]),
    append: 2,
    signer: { applies: false, why: 'the stored hashes are untouched, so the tree the signer proves from storage is still the honest one' },
    audit: { kind: 'leaf-hash', level: 0, index: 3 },
    witnesses: { applies: false, why: 'the tree the witnesses are shown is unchanged; the leaf no longer matches it, which the audit and verify see' },
    verify: { mode: 'export', fails: /FAIL {2}root matches checkpoint 40 — .*recomputed root/ },
  },
  {
    name: 'a leaf in a complete tile, rewritten with its leaf_hash and every stored node above it',
    group: 'leaves',
    attack: async ({ t, honest }) => {
      const forged = rewritten(honest[3], 'recordCount', 1);
      const hashes = honest.map((leaf, i) => leafHashOf(i === 3 ? forged : leaf));
      await asSuperuser(t, [
        ['UPDATE transfer_records SET leaf = $1, leaf_hash = $2 WHERE leaf_index = 3', [forged, hashes[3]]],
        ['UPDATE ledger_nodes SET hash = $1 WHERE level = 4 AND idx = 0', [subtree(hashes, 4, 0)]],
        ['UPDATE ledger_nodes SET hash = $1 WHERE level = 5 AND idx = 0', [subtree(hashes, 5, 0)]],
      ]);
    },
    append: 2,
    signer: { applies: true, failure: { kind: 'checkpoint-consistency', index: 40 } },
    // Every stored hash agrees with its children: only the signed root of 40 no longer does.
    audit: { kind: 'checkpoint-root', index: 40 },
    witnesses: { applies: true, status: 422 },
    verify: { mode: 'export', fails: /FAIL {2}root matches checkpoint 40 — .*recomputed root/ },
  },
  {
    name: 'a leaf in the last, incomplete tile, rewritten with its leaf_hash',
    group: 'leaves',
    attack: async ({ t, honest }) => {
      const forged = rewritten(honest[35], 'recordCount', 1);
      await asSuperuser(t, [['UPDATE transfer_records SET leaf = $1, leaf_hash = $2 WHERE leaf_index = 35', [forged, leafHashOf(forged)]]]);
    },
    append: 2,
    signer: { applies: true, failure: { kind: 'checkpoint-consistency', index: 40 } },
    audit: { kind: 'checkpoint-root', index: 40 },
    witnesses: { applies: true, status: 422 },
    verify: { mode: 'export', fails: /FAIL {2}root matches checkpoint 40 — .*recomputed root/ },
  },
  {
    name: 'a leaf_hash in a complete tile',
    group: 'storage',
    attack: async ({ t }) => asSuperuser(t, [['UPDATE transfer_records SET leaf_hash = $1 WHERE leaf_index = 20', [sha(Buffer.from('not the leaf'))]]]),
    append: 2,
    signer: { applies: false, why: 'the tile above leaf 20 is stored, so no root or proof the signer reads uses that leaf_hash' },
    audit: { kind: 'leaf-hash', level: 0, index: 20 },
    witnesses: { applies: false, why: 'the roots and proofs from storage do not read that leaf_hash, so the witnesses are shown the honest tree' },
    // The leaves are intact (an export verifies); the inclusion proofs of leaf 20's neighbours carry the false hash.
    verify: { mode: 'online-proofs', fails: /FAIL {2}inclusion proof leaf (1[6-9]|2[1-3]) — proof does not lead to the checkpoint root/ },
  },
  {
    name: 'a leaf_hash in the last, incomplete tile',
    group: 'storage',
    attack: async ({ t }) => asSuperuser(t, [['UPDATE transfer_records SET leaf_hash = $1 WHERE leaf_index = 36', [sha(Buffer.from('not the leaf'))]]]),
    append: 2,
    signer: { applies: true, failure: { kind: 'checkpoint-consistency', index: 40 } },
    audit: { kind: 'leaf-hash', level: 0, index: 36 },
    witnesses: { applies: true, status: 422 },
    verify: { mode: 'online-proofs', fails: /FAIL {2}inclusion proof leaf 3[2-9] — proof does not lead to the checkpoint root/ },
  },
  {
    name: 'a stored node (level 5, leaves 0–31)',
    group: 'storage',
    attack: async ({ t }) => asSuperuser(t, [['UPDATE ledger_nodes SET hash = $1 WHERE level = 5 AND idx = 0', [sha(Buffer.from('forged node'))]]]),
    append: 2,
    signer: { applies: true, failure: { kind: 'checkpoint-consistency', index: 40 } },
    audit: { kind: 'node-hash', level: 5, index: 0 },
    witnesses: { applies: true, status: 422 },
    // The leaves are intact; every proof that uses the node fails.
    verify: { mode: 'online-proofs', fails: /FAIL {2}inclusion proof leaf 3[2-9] — proof does not lead to the checkpoint root/ },
  },
  {
    name: 'a readable column (record_count), the leaf untouched',
    group: 'leaves',
    attack: async ({ t }) => asSuperuser(t, [['UPDATE transfer_records SET record_count = 1 WHERE leaf_index = 5']]),
    append: 2,
    signer: { applies: false, why: 'the column is not in the tree: every checkpoint still commits to the honest leaves' },
    audit: { kind: 'record-column', level: 0, index: 5 },
    witnesses: { applies: false, why: 'the column is not in the tree the witnesses are shown' },
    // The export serves the leaf's value (it verifies); a line carrying the column's value, as a view not bound
    // to its leaf would have shown it, fails.
    verify: { mode: 'export', fails: /FAIL {2}readable members equal their leaves — 1 member differs from the leaf: leaf 5 member recordCount/ },
  },
  {
    // Dropping rows that no checkpoint covers yet (between an append and the next checkpoint, at most about
    // 250 ms) leaves no signed trace: only the sender's receipt (its leafIndex) shows the loss, so that case
    // is not in this table. Rows under checkpoint 40 are.
    name: 'the newest rows dropped (records 30–39 and the stored nodes over them), then new records logged',
    group: 'storage',
    attack: async ({ t }) =>
      asSuperuser(t, [
        ['DELETE FROM transfer_records WHERE leaf_index >= 30'],
        ['DELETE FROM ledger_nodes WHERE (level = 4 AND idx = 1) OR (level = 5 AND idx = 0)'],
      ]),
    append: 2,
    signer: { applies: true, failure: { kind: 'log-shrunk', index: 40 } },
    audit: { kind: 'checkpoint-root', index: 40 },
    // The tree in storage (32 leaves) is smaller than what the witnesses cosigned: "old 40" above size 32.
    witnesses: { applies: true, status: 400 },
    verify: { mode: 'export', fails: /FAIL {2}root matches checkpoint 40 — .*the entries end before its size/ },
  },
];

/** One case of the table on a fresh registry with two witnesses. */
export async function runAttack(c: AttackCase): Promise<void> {
  const l = await loggedForty();
  try {
    await attackAndCheck(c, l);
  } finally {
    await l.close();
  }
}

async function attackAndCheck(c: AttackCase, l: Logged): Promise<void> {
  const { t, p, contractId, witnesses, honest } = l;
  const ledger = t.app.get(LedgerService);
  await c.attack(l);

  // Logging goes on: the records after the attack are accepted and stored.
  const more = await postTransfers(
    t,
    p.mainland,
    Array.from({ length: c.append }, () => transferRecord(contractId)),
  );
  expect(more.status).toBe(201);
  const size = await ledger.treeSize();

  // The signer (the audit is paused until oneAuditPass below).
  if (c.signer.applies) {
    const expected = c.signer.failure;
    const body = await waitFor('the signer to refuse', async () => {
      const b = await integrity(t, p.gdCac);
      return b.failures.some((f) => f.kind === expected.kind) ? b : undefined;
    });
    expect(body.failures).toEqual([expect.objectContaining(expected)]);
    // Several checkpointer ticks (every 250 ms) pass; none signs.
    await sleep(600);
    const [row] = await t.dataSource.query<Array<{ n: number }>>('SELECT max(tree_size)::int AS n FROM ledger_checkpoints');
    expect(row.n).toBe(40);
  } else {
    // The signer cannot see this one (c.signer.why): it signs the tree it proves from storage, which is the honest one.
    await waitFor(`checkpoint ${size}`, async () => {
      const [row] = await t.dataSource.query<Array<{ n: number }>>('SELECT max(tree_size)::int AS n FROM ledger_checkpoints');
      return row.n === size ? row.n : undefined;
    });
  }

  // The self-audit: one full pass names it, with the first bad index.
  await oneAuditPass(t, p.gdCac);
  const audited = await integrity(t, p.hkDpo);
  expect(audited.ok).toBe(false);
  expect(audited.failures).toEqual(expect.arrayContaining([expect.objectContaining(c.audit)]));
  if (c.audit.level === 0) {
    // The first bad record named is the one rewritten.
    const indexes = audited.failures.filter((f) => f.level === 0).map((f) => f.index as number);
    expect(Math.min(...indexes)).toBe(c.audit.index);
  }
  expect(await metric(t)).toBe('0');

  // The witnesses: a checkpoint over the tree in storage, signed with the log key, with the proof from storage.
  if (c.witnesses.applies) {
    const rootHash = await ledger.rootAt(size);
    const note = signCheckpoint({ origin: ORIGIN, treeSize: size, rootHash }, { name: ORIGIN, privateKey: LOG_KEY });
    const proof = size > 40 ? (await ledger.consistencyProof(40, size)).hashes : [];
    for (const w of witnesses) {
      const answer = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: `old 40\n${proof.map((h) => `${h}\n`).join('')}\n${note}` });
      expect(answer.status).toBe(c.witnesses.status);
      // It still stands on 40: the same checkpoint from "old 0" is answered with its size.
      const stale = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: `old 0\n\n${note}` });
      expect({ status: stale.status, text: await stale.text() }).toEqual({ status: 409, text: '40\n' });
    }
  }

  // Nothing signed, cosigned or served is inconsistent with the honest log (leaves 0–39 as they were, then the new ones).
  const honestHashes = [...honest, ...(await leaves(t, 40))].map(leafHashOf);
  const checkpoints = await t.dataSource.query<Array<{ tree_size: number; root_hash: Buffer }>>(
    'SELECT tree_size::int AS tree_size, root_hash FROM ledger_checkpoints ORDER BY tree_size',
  );
  const cosigned = await t.dataSource.query<Array<{ tree_size: number }>>('SELECT DISTINCT tree_size::int AS tree_size FROM ledger_cosignatures');
  expect(cosigned.length).toBeGreaterThan(0);
  for (const { tree_size } of cosigned) expect(checkpoints.map((c) => c.tree_size)).toContain(tree_size);
  for (const checkpoint of checkpoints) {
    expect({ size: checkpoint.tree_size, root: checkpoint.root_hash.toString('base64') }).toEqual({
      size: checkpoint.tree_size,
      root: treeHash(honestHashes.slice(0, checkpoint.tree_size)).toString('base64'),
    });
  }
  const served = verifyCosignedCheckpoint(
    await servedCheckpoint(t),
    LOG_VKEY,
    witnesses.map((w) => w.verifierKey),
    2,
  );
  expect(served.rootHash.equals(treeHash(honestHashes.slice(0, served.treeSize)))).toBe(true);
  if (c.signer.applies || c.witnesses.applies) expect(served.treeSize).toBe(40);

  // npm run verify, with the cosigned checkpoint 40 a regulator kept and the keys it pinned.
  const pinned = ['--log-key', LOG_VKEY, ...witnesses.flatMap((w) => ['--witness-key', w.verifierKey])];
  const run = async (...args: string[]) => {
    let output = '';
    const code = await verifyCli([...args, ...pinned], (s) => (output += s));
    return { code, output };
  };
  let result: { code: number; output: string };
  if (c.verify.mode === 'export') {
    const exported = await t.http.get('/transfers/export?format=ndjson').set(...bearer(p.gdCac));
    expect(exported.status).toBe(200);
    // Outside the folder of kept checkpoints, whose every file verify reads as a checkpoint.
    const file = path.join(os.tmpdir(), `${path.basename(l.kept)}-entries.ndjson`);
    let text = exported.text;
    if (c.audit.kind === 'record-column') {
      // The registry's export reads the leaf: it verifies.
      fs.writeFileSync(file, text);
      const clean = await run('--export', file, '--checkpoint', l.kept);
      expect(clean.output).toContain('RESULT: log verified');
      expect(clean.code).toBe(0);
      // The same line with the column's value instead.
      const [{ record_count: column }] = await t.dataSource.query<Array<{ record_count: number }>>(
        'SELECT record_count FROM transfer_records WHERE leaf_index = 5',
      );
      text = text
        .split('\n')
        .map((line) => (line.startsWith('{"leafIndex":5,') ? line.replace(/"recordCount":\d+/, `"recordCount":${column}`) : line))
        .join('\n');
    }
    fs.writeFileSync(file, text);
    try {
      result = await run('--export', file, '--checkpoint', l.kept);
    } finally {
      fs.rmSync(file, { force: true });
    }
  } else {
    await t.app.listen(0, '127.0.0.1');
    const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    // Every leaf's inclusion proof (--samples above the size), and consistency with the kept checkpoint.
    result = await run('--url', url, '--token', p.gdCac, '--samples', '1000', '--previous-checkpoint', path.join(l.kept, 'checkpoint-40.txt'));
  }
  expect(result.output).toMatch(c.verify.fails);
  expect(result.output).toContain('RESULT: VERIFICATION FAILED');
  expect(result.code).toBe(1);
}
