/*
 * Machinery shared by the scale-out tests (several instances on one database, a streaming standby):
 * instances with one signing key, who leads the background jobs, inclusion proofs of every acknowledged
 * record against the newest signed checkpoint, and the chain of stored checkpoints.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Client } from 'pg';
import { LEADERSHIP_LOCK } from '../../src/cluster/leadership';
import { hashLeaf, openCheckpoint, verifyConsistencyProof, verifyInclusionProof } from '../../tools/verify';
import { call, ClientTimeout, Ledgerbook, LogState, seed, Seeded, sleep } from './support';

/**
 * seed(), again when a call passes the client's timeout: seeding signs users in (argon2), and right after
 * registries booted on a loaded machine one such call may take longer than the client waits.
 */
export async function seedPatiently(baseUrl: string, writers: number): Promise<Seeded> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await seed(baseUrl, writers);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof ClientTimeout)) throw error;
    }
  }
}

/** One Ed25519 signing key for every instance (base64 PKCS#8 DER, as LEDGER_SIGNING_KEY takes it). */
export function sharedSigningKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

/** The instances whose /metrics say they lead the background jobs (unreachable ones are skipped). */
export async function leadersByMetrics(baseUrls: readonly string[]): Promise<string[]> {
  const leaders: string[] = [];
  for (const base of baseUrls) {
    try {
      const metrics = await call(base, 'GET', '/metrics', { timeoutMs: 5000 });
      for (const match of metrics.text.matchAll(/^registry_background_leader\{instance="([^"]+)"\} 1$/gm)) leaders.push(match[1]);
    } catch {
      // not answering: not leading
    }
  }
  return leaders;
}

/** The session holding the leadership lock in the database, by its application_name (null when none). */
export async function leaderInDatabase(databaseUrl: string): Promise<string | null> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`,
      [LEADERSHIP_LOCK],
    );
    return rows.length ? rows[0].application_name.replace(/^gba-registry-leadership /, '') : null;
  } finally {
    await client.end();
  }
}

/** Waits until exactly one of the instances leads, by metrics and by the database; returns its id. */
export async function oneLeader(baseUrls: readonly string[], databaseUrl: string, timeoutMs = 30_000): Promise<string> {
  let seen: { metrics: string[]; database: string | null } = { metrics: [], database: null };
  for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(250)) {
    seen = { metrics: await leadersByMetrics(baseUrls), database: await leaderInDatabase(databaseUrl) };
    if (seen.metrics.length === 1 && seen.metrics[0] === seen.database) return seen.database;
  }
  throw new Error(`not exactly one leader: metrics say ${JSON.stringify(seen.metrics)}, the database ${seen.database}`);
}

/**
 * Every acknowledged record, by an inclusion proof against the newest signed checkpoint: its leaf (read with
 * GET /ledger/entries) is the record sent, and the proof from GET /ledger/proofs/inclusion leads from its leaf
 * hash to the checkpoint's root. `sample` limits the proofs asked for (every one when undefined).
 */
export async function proveIncluded(
  baseUrl: string,
  readerToken: string,
  book: Ledgerbook,
  state: LogState,
  options: { sample?: number } = {},
): Promise<{ proofs: number; problems: string[] }> {
  const problems: string[] = [];
  const reply = await call(baseUrl, 'GET', '/ledger/checkpoint');
  if (reply.status !== 200) return { proofs: 0, problems: [`GET /ledger/checkpoint → ${reply.status}`] };
  const checkpoint = openCheckpoint(reply.text, state.key);
  let indexes = [...book.acknowledged.keys()].sort((a, b) => a - b);
  if (options.sample !== undefined && indexes.length > options.sample) {
    const step = indexes.length / options.sample;
    indexes = Array.from({ length: options.sample }, (_, i) => indexes[Math.floor(i * step)]);
  }
  let proofs = 0;
  for (const leafIndex of indexes) {
    const leaf = state.leaves.get(leafIndex);
    if (!leaf) {
      problems.push(`leaf ${leafIndex} was not read before its proof`);
      continue;
    }
    const proof = await call(baseUrl, 'GET', `/ledger/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${checkpoint.treeSize}`, { token: readerToken });
    const hashes = ((proof.json as { hashes?: string[] } | undefined)?.hashes ?? []).map((h) => Buffer.from(h, 'base64'));
    proofs++;
    if (proof.status !== 200 || !verifyInclusionProof(leafIndex, checkpoint.treeSize, hashLeaf(leaf), hashes, checkpoint.rootHash)) {
      problems.push(`no inclusion proof of leaf ${leafIndex} in the checkpoint of size ${checkpoint.treeSize} (${proof.status})`);
    }
  }
  return { proofs, problems };
}

export interface StoredChain {
  /** Signers in order of tree size, consecutive repeats collapsed: one entry per stretch one instance signed. */
  signerRuns: string[];
  checkpoints: number;
  problems: string[];
}

/**
 * The stored checkpoints form one chain: each extends the one before it (extends_size), each note verifies
 * with the log's key and names its row's size and root, and a consistency proof links each to the next.
 */
export async function storedChain(databaseUrl: string, baseUrl: string, readerToken: string, state: LogState): Promise<StoredChain> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let rows: Array<{ tree_size: string; extends_size: string | null; root_hash: Buffer; note: string; signed_by: string | null }>;
  try {
    rows = (await client.query('SELECT tree_size, extends_size, root_hash, note, signed_by FROM ledger_checkpoints ORDER BY tree_size')).rows;
  } finally {
    await client.end();
  }
  const problems: string[] = [];
  const signerRuns: string[] = [];
  let previous: { size: number; root: Buffer } | null = null;
  for (const row of rows) {
    const size = Number(row.tree_size);
    const opened = openCheckpoint(row.note, state.key);
    if (opened.treeSize !== size || !opened.rootHash.equals(row.root_hash)) problems.push(`checkpoint ${size}: its note states another size or root`);
    const extendsSize = row.extends_size === null ? null : Number(row.extends_size);
    if (extendsSize !== (previous?.size ?? -1)) problems.push(`checkpoint ${size} extends ${extendsSize}, the one before it is ${previous?.size ?? -1}`);
    if (previous && previous.size > 0) {
      const proof = await call(baseUrl, 'GET', `/ledger/proofs/consistency?first=${previous.size}&second=${size}`, { token: readerToken });
      const hashes = ((proof.json as { hashes?: string[] } | undefined)?.hashes ?? []).map((h) => Buffer.from(h, 'base64'));
      if (proof.status !== 200 || !verifyConsistencyProof(previous.size, size, hashes, previous.root, opened.rootHash)) {
        problems.push(`checkpoint ${previous.size} is not consistent with checkpoint ${size}`);
      }
    }
    const signer = row.signed_by ?? '(unknown)';
    if (signerRuns[signerRuns.length - 1] !== signer) signerRuns.push(signer);
    previous = { size, root: opened.rootHash };
  }
  return { signerRuns, checkpoints: rows.length, problems };
}
