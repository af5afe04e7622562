/*
 * A streaming standby, regulators' reads from it, and failover (docs/scaling.md#a-streaming-standby).
 * On a primary cluster of its own, the test builds a hot standby with PostgreSQL's own means, makes it
 * synchronous and points DATABASE_READ_URLS at it; shows which reads it serves (replay paused: a
 * regulator's summary is the standby's, an administrator's the primary's, a proof of a tree size the standby
 * lacks comes from the primary); then kills the primary with SIGKILL under load, promotes the standby,
 * restarts the registry on it and proves every acknowledged record is there.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { proveIncluded, seedPatiently, sharedSigningKey, storedChain } from './cluster';
import { PgBinaries, pgBinaries, PgCluster } from '../../tools/pg-cluster';
import {
  call,
  freePort,
  FULL,
  LogState,
  newLedgerbook,
  newLogState,
  RegistryProcess,
  saveSection,
  send,
  SentBatch,
  sized,
  sleep,
  transferRecord,
  verifyLog,
} from './support';
import { observeCheckpoints, resendAll, startWriters, Switch, unansweredOf } from './writers';

const WRITERS = 4;
const LOAD_MS = sized(1500, 10_000);
const STANDBY = 'standby1';

/** The served_by counters of registry_replica_reads_total. */
async function replicaReads(baseUrl: string): Promise<{ replica: number; primary: number }> {
  const text = (await call(baseUrl, 'GET', '/metrics')).text;
  const count = (servedBy: string): number =>
    Number(new RegExp(`^registry_replica_reads_total\\{served_by="${servedBy}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { replica: count('replica'), primary: count('primary') };
}

async function summaryCount(baseUrl: string, token: string, contractId: string): Promise<number> {
  const reply = await call(baseUrl, 'GET', `/transfers/summary?contractId=${contractId}`, { token });
  if (reply.status !== 200) throw new Error(`GET /transfers/summary → ${reply.status} ${reply.text}`);
  return (reply.json as { transfers: number }).transfers;
}

describe('a synchronous streaming standby: reads, then failover', () => {
  let bin: PgBinaries;
  let primary: PgCluster | undefined;
  let standby: PgCluster | undefined;
  const registries: RegistryProcess[] = [];
  let dataDir: string;

  beforeAll(async () => {
    bin = await pgBinaries();
    primary = await PgCluster.primary(bin, 'primary');
    await primary.start();
    await primary.query('CREATE DATABASE registry');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-reliability-standby-'));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(registries.map((r) => r.kill('SIGKILL')));
    await standby?.destroy();
    await primary?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves regulators from the standby, and after the primary is killed and the standby promoted, every acknowledged record is there', async () => {
    const cluster = primary as PgCluster;
    const started = Date.now();
    const mark = (what: string): void => void process.stdout.write(`[standby] ${Math.round((Date.now() - started) / 1000)} s: ${what}\n`);
    const signingKey = sharedSigningKey();
    const registryEnv = { DATA_DIR: dataDir, DATABASE_POOL_SIZE: '6', LEDGER_SIGNING_KEY: signingKey };
    // The standby does not exist yet: the registry starts anyway and reads from the primary until it can reach it.
    const standbyPort = await freePort();
    const first = new RegistryProcess({
      ...registryEnv,
      PORT: String(await freePort()),
      INSTANCE_ID: 'before-failover',
      DATABASE_URL: cluster.url('registry'),
      DATABASE_READ_URLS: `postgres://postgres@127.0.0.1:${standbyPort}/registry`,
    });
    registries.push(first);
    await first.start(240_000);
    const seeded = await seedPatiently(first.baseUrl, WRITERS);
    const book = newLedgerbook();
    const state: LogState = await newLogState(first.baseUrl);
    const ingest = async (base: string, count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const batch: SentBatch = { key: randomUUID(), records: Array.from({ length: 10 }, () => transferRecord(seeded.contractId, 'standby')) };
        if (!(await send(base, seeded.writerTokens[i % WRITERS], book, batch))) throw new Error(`batch ${i} not acknowledged`);
      }
    };
    await ingest(first.baseUrl, 5);

    mark('registry started and seeded');
    // 1. The standby: a base backup of the running primary, streaming through a slot; then synchronous.
    standby = await cluster.standby(STANDBY, standbyPort);
    await cluster.requireSynchronousStandby(STANDBY);
    await ingest(first.baseUrl, 5);
    await standby.caughtUpWith(cluster);
    const [{ inRecovery }] = await standby.query<{ inRecovery: boolean }>('SELECT pg_is_in_recovery() AS "inRecovery"');
    expect(inRecovery).toBe(true);

    mark('standby built, synchronous, caught up');
    // 2. Replay paused: the standby still receives (and, synchronous, flushes) WAL but shows the past.
    const before = book.acknowledged.size;
    // The regulator's reads reach the standby once the registry's retry pause for it has passed.
    for (let i = 0; i < 100 && (await replicaReads(first.baseUrl)).replica === 0; i++) {
      await summaryCount(first.baseUrl, seeded.readerToken, seeded.contractId);
      await sleep(200);
    }
    await standby.query('SELECT pg_wal_replay_pause()');
    await ingest(first.baseUrl, 3);
    const after = book.acknowledged.size;
    const reads0 = await replicaReads(first.baseUrl);
    expect(await summaryCount(first.baseUrl, seeded.readerToken, seeded.contractId)).toBe(before);
    expect(await summaryCount(first.baseUrl, seeded.adminToken, seeded.contractId)).toBe(after);
    const reads1 = await replicaReads(first.baseUrl);
    expect(reads1.replica - reads0.replica).toBe(1);
    // The administrator reads the whole log from the primary (verifyLog waits for the checkpoint of every record);
    // then a regulator's proofs of that newest tree, which the paused standby lacks, come from the primary and verify.
    expect(await verifyLog(first.baseUrl, seeded.adminToken, book, state, seeded.contractId)).toEqual([]);
    const proofs = await proveIncluded(first.baseUrl, seeded.readerToken, book, state, { sample: 5 });
    expect(proofs.problems).toEqual([]);
    const reads2 = await replicaReads(first.baseUrl);
    expect(reads2.primary - reads1.primary).toBeGreaterThanOrEqual(proofs.proofs);
    await standby.query('SELECT pg_wal_replay_resume()');
    await standby.caughtUpWith(cluster);
    expect(await summaryCount(first.baseUrl, seeded.readerToken, seeded.contractId)).toBe(after);

    mark('replica reads checked');
    // 3. Load, then the primary is killed with SIGKILL mid-batch.
    const pending = unansweredOf(book);
    const on: Switch = { running: true };
    const load = [
      ...startWriters(on, WRITERS, { seeded, name: 'standby', book, target: () => first.baseUrl, pauseMs: 200 }),
      observeCheckpoints(on, () => [first.baseUrl], state, 100),
    ];
    await sleep(LOAD_MS);
    await cluster.kill();
    await sleep(500);
    on.running = false;
    await Promise.all(load);
    await first.kill('SIGKILL');
    const acknowledgedAtFailover = book.acknowledged.size;
    const checkpointsServedBeforeFailover = Math.max(...state.checkpoints.keys());

    mark('primary killed under load');
    // 4. Promote the standby and restart the registry on it.
    await standby.promote();
    const second = new RegistryProcess({
      ...registryEnv,
      PORT: String(await freePort()),
      INSTANCE_ID: 'after-failover',
      DATABASE_URL: standby.url('registry'),
    });
    registries.push(second);
    const restartMs = await second.start(240_000);

    mark('standby promoted, registry restarted on it');
    // 5. Every unanswered request again, with its key: committed ones replay, the others commit now.
    const problems = await resendAll(pending, () => second.baseUrl, book);
    // The registry resumes: it logs and signs on the promoted standby.
    await ingest(second.baseUrl, 3);
    const checkedBefore = state.recordsChecked;
    problems.push(...(await verifyLog(second.baseUrl, seeded.readerToken, book, state, seeded.contractId)));
    const included = await proveIncluded(second.baseUrl, seeded.readerToken, book, state, { sample: FULL ? undefined : 200 });
    problems.push(...included.problems);
    const chain = await storedChain(standby.url('registry'), second.baseUrl, seeded.readerToken, state);
    problems.push(...chain.problems);

    saveSection('standby', {
      title: `Synchronous standby: replica reads and failover (${bin.description}, ${bin.backup})`,
      figures: {
        postgres: bin.description,
        baseBackup: bin.backup,
        recordsAcknowledgedBeforeFailover: acknowledgedAtFailover,
        newestCheckpointServedBeforeFailover: checkpointsServedBeforeFailover,
        recordsAfterRetries: book.acknowledged.size,
        recordsChecked: state.recordsChecked - checkedBefore,
        inclusionProofsVerified: included.proofs + proofs.proofs,
        checkpointsLinked: state.linked.size,
        retriedUnacknowledged: pending.length,
        retriesAnsweredAsReplay: book.replayedRetries,
        regulatorReadsFromReplica: reads2.replica,
        regulatorReadsFromPrimary: reads2.primary,
        restartOnPromotedStandbyMs: restartMs,
        signerRuns: chain.signerRuns.join(' → '),
        statuses: JSON.stringify(book.statuses),
        mode: FULL ? 'full' : 'bounded',
      },
    });
    expect(problems).toEqual([]);
    // Every leaf of the promoted log was read back and held an acknowledged record (no gap, no duplicate, none unknown).
    expect(state.recordsChecked - checkedBefore).toBe(book.acknowledged.size);
    expect(acknowledgedAtFailover).toBeGreaterThan(after);
    // Every checkpoint served before the failover was linked to the promoted log's newest by a consistency proof (in verifyLog).
    expect(state.linked.has(checkpointsServedBeforeFailover)).toBe(true);
    expect(chain.signerRuns).toEqual(['before-failover', 'after-failover']);
  }, 600_000);
});
