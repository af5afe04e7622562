/*
 * Issue 8.1 — crash safety. The registry runs as a child process under
 * continuous ingestion from several clients; it is killed with SIGKILL at random
 * moments and restarted. After every restart every acknowledged record is in
 * the log byte for byte, indexes are gapless, the root matches the newest signed
 * checkpoint, consistency proofs link every checkpoint seen, and retried
 * unacknowledged requests (same Idempotency-Key) created no duplicates.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestDatabase } from '../support/database';
import { freePort, FULL, LogState, newLedgerbook, newLogState, RegistryProcess, saveSection, seed, Seeded, sized, sleep, verifyLog } from './support';
import { observeCheckpoints, resendAll, startWriters, Switch, unansweredOf, Writers } from './writers';

const KILLS = Number(process.env.RELIABILITY_KILLS ?? sized(3, 20));
const WRITERS = 4;

describe('crash safety: SIGKILL under continuous ingestion', () => {
  let database: { url: string; drop(): Promise<void> };
  let registry: RegistryProcess;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-reliability-crash-'));
    registry = new RegistryProcess({ DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_POOL_SIZE: '8' });
    await registry.start();
  }, 120_000);

  afterAll(async () => {
    await registry?.kill('SIGKILL');
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `loses no acknowledged record across ${KILLS} kills`,
    async () => {
      const base = registry.baseUrl;
      const seeded: Seeded = await seed(base, WRITERS);
      const book = newLedgerbook();
      const state: LogState = await newLogState(base);
      const bootTimes: number[] = [];
      let retried = 0;
      const on: Switch = { running: true };
      // Writers: batches of 1–20 records, each with its own Idempotency-Key; an unanswered batch is kept for retry.
      const writers: Writers = { seeded, name: 'crash', book, target: () => base, pauseMs: 50 };

      const problems: string[] = [];
      for (let kill = 1; kill <= KILLS; kill++) {
        on.running = true;
        // An observer keeps every signed checkpoint it sees, to be linked by consistency proofs later.
        const load = [...startWriters(on, WRITERS, writers), observeCheckpoints(on, () => [base], state, 150)];
        // A random moment: anywhere from mid-request to between requests.
        await sleep(200 + Math.floor(Math.random() * 1300));
        await registry.kill('SIGKILL');
        on.running = false;
        await Promise.all(load);
        bootTimes.push(await registry.start());

        // Retry every request that got no answer, with its key and body: committed ones replay, the others commit now.
        const pending = unansweredOf(book).splice(0);
        retried += pending.length;
        problems.push(...(await resendAll(pending, () => base, book)));
        const found = await verifyLog(base, seeded.readerToken, book, state, seeded.contractId);
        problems.push(...found.map((p) => `after kill ${kill}: ${p}`));
        if (problems.length) break;
      }
      on.running = false;

      const unexpected5xx = Object.entries(book.statuses)
        .filter(([s]) => /^5/.test(s) && s !== '503')
        .reduce((n, [, c]) => n + c, 0);
      saveSection('crash', {
        title: 'Crash safety (SIGKILL under ingestion)',
        figures: {
          killsSurvived: problems.length ? 0 : KILLS,
          writers: WRITERS,
          recordsAcknowledged: book.acknowledged.size,
          recordsChecked: state.recordsChecked,
          retriedUnacknowledged: retried,
          retriesAnsweredAsReplay: book.replayedRetries,
          checkpointsLinked: state.linked.size,
          consistencyProofsVerified: state.consistencyProofs,
          meanRestartMs: Math.round(bootTimes.reduce((a, b) => a + b, 0) / Math.max(1, bootTimes.length)),
          statuses: JSON.stringify(book.statuses),
          unexpected5xx,
          mode: FULL ? 'full' : 'bounded',
        },
      });
      expect(problems).toEqual([]);
      expect(book.unexpected).toEqual([]);
      expect(unexpected5xx).toBe(0);
      expect(state.recordsChecked).toBeGreaterThan(0);
    },
    60_000 + KILLS * 45_000,
  );
});
