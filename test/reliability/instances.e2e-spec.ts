/*
 * Several instances, one registry (docs/scaling.md#several-instances). Three registry processes on one
 * database ingest at once, each request with its Idempotency-Key; the instance that leads the background
 * jobs is killed with SIGKILL mid-batch; every unanswered request is sent again, with its key, to a
 * survivor. Then: every acknowledged record is in the log exactly once (read back, root recomputed, an
 * inclusion proof against the newest signed checkpoint), indexes are gapless, one survivor took the lead,
 * and the stored checkpoints form one chain, signed by one instance at a time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestDatabase } from '../support/database';
import { leaderInDatabase, oneLeader, proveIncluded, seedPatiently, sharedSigningKey, storedChain } from './cluster';
import { freePort, FULL, LogState, newLedgerbook, newLogState, RegistryProcess, saveSection, sized, sleep, verifyLog } from './support';
import { observeCheckpoints, resendAll, startWriters, Switch, unansweredOf } from './writers';

const INSTANCES = ['a', 'b', 'c'];
/** Writers per instance: each sends batches of 1–20 records, one after the other. */
const WRITERS_PER_INSTANCE = 2;
/** How long the load runs before the kill, and after it against the survivors. */
const LOAD_MS = sized(1500, 8000);

describe('several instances on one database', () => {
  let database: { url: string; drop(): Promise<void> };
  const registries: RegistryProcess[] = [];
  const dataDirs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const signingKey = sharedSigningKey();
    for (const instance of INSTANCES) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gba-reliability-instance-${instance}-`));
      dataDirs.push(dataDir);
      registries.push(
        new RegistryProcess({
          DATABASE_URL: database.url,
          DATA_DIR: dataDir,
          PORT: String(await freePort()),
          DATABASE_POOL_SIZE: '4',
          INSTANCE_ID: instance,
          LEDGER_SIGNING_KEY: signingKey,
          LEDGER_AUDIT_PAUSE_MS: '200',
        }),
      );
    }
    // Started together: the migration lock and the leadership lock are both taken in the same second.
    // On a loaded machine three processes compiling and booting at once take a while.
    await Promise.all(registries.map((r) => r.start(240_000)));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(registries.map((r) => r.kill('SIGKILL')));
    await database?.drop();
    for (const dataDir of dataDirs) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('every acknowledged record is in the log once after the leading instance is killed mid-batch; one instance signs at a time', async () => {
    const bases = registries.map((r) => r.baseUrl);
    const firstLeader = await oneLeader(bases, database.url);
    const victim = INSTANCES.indexOf(firstLeader);
    const survivors = registries.filter((_, i) => i !== victim);

    const writers = INSTANCES.length * WRITERS_PER_INSTANCE;
    const seeded = await seedPatiently(bases[(victim + 1) % INSTANCES.length], writers);
    const book = newLedgerbook();
    const state: LogState = await newLogState(bases[0]);
    const pending = unansweredOf(book);
    const on: Switch = { running: true };

    // Writer w sends to instance w % 3 while it lives, then to a survivor.
    const target = (w: number): string => {
      const home = registries[w % INSTANCES.length];
      return (home.alive() ? home : survivors[w % survivors.length]).baseUrl;
    };
    const observer = observeCheckpoints(on, () => registries.filter((r) => r.alive()).map((r) => r.baseUrl), state, 150);

    const load = [...startWriters(on, writers, { seeded, name: 'instances', book, target, pauseMs: 50 }), observer];
    await sleep(LOAD_MS);
    // Mid-batch: the writers keep requests in flight on every instance all the time.
    await registries[victim].kill('SIGKILL');
    const nextLeader = await oneLeader(
      survivors.map((r) => r.baseUrl),
      database.url,
    );
    await sleep(LOAD_MS);
    on.running = false;
    await Promise.all(load);

    // Every request that got no answer, again with its key and body, to a survivor: a committed one replays, the others commit now.
    const retried = pending.length;
    const problems = await resendAll(pending, (i) => survivors[i % survivors.length].baseUrl, book);

    const reader = survivors[0].baseUrl;
    problems.push(...(await verifyLog(reader, seeded.readerToken, book, state, seeded.contractId)));
    const included = await proveIncluded(reader, seeded.readerToken, book, state, { sample: FULL ? undefined : 300 });
    problems.push(...included.problems);
    const chain = await storedChain(database.url, reader, seeded.readerToken, state);
    problems.push(...chain.problems);

    saveSection('instances', {
      title: 'Several instances on one database (leader killed with SIGKILL mid-batch)',
      figures: {
        instances: INSTANCES.length,
        writers,
        firstLeader,
        nextLeader,
        recordsAcknowledged: book.acknowledged.size,
        recordsChecked: state.recordsChecked,
        inclusionProofsVerified: included.proofs,
        retriedUnacknowledged: retried,
        retriesAnsweredAsReplay: book.replayedRetries,
        checkpointsInChain: chain.checkpoints,
        signerRuns: chain.signerRuns.join(' → '),
        statuses: JSON.stringify(book.statuses),
        mode: FULL ? 'full' : 'bounded',
      },
    });
    expect(problems).toEqual([]);
    expect(book.unexpected).toEqual([]);
    expect(state.recordsChecked).toBe(book.acknowledged.size);
    expect(book.acknowledged.size).toBeGreaterThan(0);
    // The lead moved once, to a survivor, and the database agrees which session holds it.
    expect(nextLeader).not.toBe(firstLeader);
    expect(await leaderInDatabase(database.url)).toBe(nextLeader);
    // One instance signed at a time: the killed leader's stretch, then the new leader's; nobody else signed.
    expect(chain.signerRuns).toEqual([firstLeader, nextLeader]);
  }, 300_000);
});
