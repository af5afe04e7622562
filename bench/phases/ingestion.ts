/**
 * Ingestion and its limits (README "Performance"): bulk POST /transfers at each growth step beside
 * the honest limit at the same size, the old single-COPY figure, and the self-check that fails the
 * run when the registry beats its limit.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { cpuPerItem, CpuSplit, postmasterPid } from '../cpu';
import { createTwin, dropTable, Load, loadBatchedCopies, loadOneCopy, vacuumAnalyze, withWal } from '../limits';
import { Api, INGEST_CLIENTS, log, round, ROWS } from '../registry';
import { BATCH, contractOfRow, TransferBodies, TransferRows } from '../rows';
import { keepTokensFresh, RunContext, Seed } from '../seed';
import { measureReads } from './reads';

/** What POST /transfers answers, as far as the bench reads it. */
interface TransfersAnswer {
  records?: Array<{ flags?: string[] }>;
  results?: Array<{ flags?: string[] }>;
}

/** The run's request bodies, encoded once per run before the first load (bench/rows.ts). */
const bodiesOfRun = new WeakMap<Seed, TransferBodies>();

/** The run's request bodies, encoded on first use: call it before a load is measured. */
export function bodiesFor(seedData: Seed): TransferBodies {
  let bodies = bodiesOfRun.get(seedData);
  if (!bodies) bodiesOfRun.set(seedData, (bodies = new TransferBodies(seedData)));
  return bodies;
}

/**
 * Ingestion through the API: rows [from, to) in batches of BATCH, INGEST_CLIENTS concurrent clients
 * (client w sends to `apis[w % apis.length]`), real tokens. Batch k is for contract k mod contracts,
 * logged by that contract's processor's service account (bench/rows.ts: the limits load the same rows).
 * The bodies are encoded before the clock starts, as the limits' rows are.
 */
export async function ingest(apis: Api[], seedData: Seed, from: number, to: number): Promise<{ recordsPerSecond: number; seconds: number; flagged: number }> {
  const bodies = bodiesFor(seedData);
  let next = from;
  let flagged = 0;
  const started = process.hrtime.bigint();
  async function client(worker: number): Promise<void> {
    const api = apis[worker % apis.length];
    for (;;) {
      const start = next;
      if (start >= to) return;
      next = Math.min(to, start + BATCH);
      await keepTokensFresh(api, seedData);
      const c = contractOfRow(start, seedData.contractIds.length);
      const token = seedData.processorTokens[seedData.contractProcessor[c]];
      const records = bodies.bodyOf(start, Math.min(to, start + BATCH) - start);
      const body = await api.ok<TransfersAnswer>('POST', '/transfers', token, records, { 'idempotency-key': randomUUID() });
      for (const r of body.records ?? body.results ?? []) if (r.flags?.length) flagged++;
    }
  }
  await Promise.all(Array.from({ length: INGEST_CLIENTS }, (_, w) => client(w)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { recordsPerSecond: (to - from) / seconds, seconds, flagged };
}

/** One statement as the bench database's owner. */
async function ownerQuery<T extends object>(ownerUrl: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A CHECKPOINT, so each measured load starts with the same clean shared buffers and WAL. */
export async function checkpoint(ownerUrl: string): Promise<void> {
  await ownerQuery(ownerUrl, 'CHECKPOINT');
}

/** Leaves in the log (rows of transfer_records). */
export async function leafCount(ownerUrl: string): Promise<number> {
  const [row] = await ownerQuery<{ n: string }>(ownerUrl, 'SELECT coalesce(max(leaf_index) + 1, 0)::bigint AS n FROM transfer_records');
  return Number(row.n);
}

/**
 * After a bulk load, PostgreSQL's own maintenance (autovacuum of the new rows, a checkpoint of
 * the WAL they produced) competes with the audit queries for the two cores. A registry in steady
 * state has done that work; do it now, timed and reported, so the queries measure the registry.
 */
export async function settle(ownerUrl: string): Promise<number> {
  const started = process.hrtime.bigint();
  await ownerQuery(ownerUrl, 'VACUUM (ANALYZE) transfer_records, ledger_nodes');
  await ownerQuery(ownerUrl, 'CHECKPOINT');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function waitForCheckpoint(api: Api, size: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { status, json } = await api.call('GET', '/ledger/checkpoint', null);
    if (status === 200 && typeof json === 'string' && Number(json.split('\n')[1]) >= size) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no checkpoint covering ${size} leaves within 60 s`);
}

interface Step {
  from: number;
  to: number;
  registry: number;
  walPerRecord: number;
  one: Load;
  batched: Load;
  limit: number;
  ratio: number;
  /** CPU µs per record of the API ingestion, and per row of the batched limit (bench/cpu.ts). */
  cpu: CpuSplit;
  limitCpu: CpuSplit;
}

/** One growth step: the registry beside its limit at the same size, and the read figures at that size. */
function growthRow(step: Step, queryP99Ms: number, inclusionP99Ms: number): Record<string, number> {
  return {
    rows: step.to,
    ingestRecordsPerSecond: round(step.registry),
    limitRowsPerSecond: round(step.limit),
    ratioToLimit: round(step.ratio, 3),
    limitOneCopyRowsPerSecond: round(step.one.rowsPerSecond),
    limitBatchedRowsPerSecond: round(step.batched.rowsPerSecond),
    walBytesPerRecord: round(step.walPerRecord, 0),
    limitWalBytesPerRow: round(step.batched.walBytesPerRow, 0),
    registryCpuMicrosPerRecord: round(step.cpu.registry, 1),
    postgresCpuMicrosPerRecord: round(step.cpu.postgres, 1),
    limitPostgresCpuMicrosPerRow: round(step.limitCpu.postgres, 1),
    queryP99Ms: round(queryP99Ms),
    inclusionP99Ms: round(inclusionP99Ms),
  };
}

/**
 * The honest limit at one step: the same rows into twins of transfer_records filled to the
 * registry's size, by one COPY and by BATCH-row COPYs on INGEST_CLIENTS connections (the better of
 * the two), then the registry's own load of them through the API. At the last step the one-COPY twin
 * is dropped as soon as its figure is taken: nothing after needs it, and at 10,000,000 rows each twin
 * is as large as the log (19 GB) on a machine with 24 GB of memory.
 */
async function ingestionStep(run: RunContext, rows: TransferRows, from: number, to: number, postmaster: number): Promise<Step> {
  const { ownerUrl } = run;
  log(`limit at ${from} → ${to}: one COPY into a twin of ${from} rows`);
  await checkpoint(ownerUrl);
  const one = await loadOneCopy(ownerUrl, 'bench_twin_one_copy', rows, from, to);
  if (to === ROWS) await dropTable(ownerUrl, 'bench_twin_one_copy');
  log(`limit at ${from} → ${to}: ${BATCH}-row COPYs on ${INGEST_CLIENTS} connections into a twin of ${from} rows`);
  await checkpoint(ownerUrl);
  const { result: batched, cpu: limitCpu } = await cpuPerItem({ postmaster }, to - from, () =>
    loadBatchedCopies(ownerUrl, 'bench_twin_batched', rows, from, to, { connections: INGEST_CLIENTS, batch: BATCH, vacuum: false }),
  );
  // Its VACUUM outside the CPU reading, as the registry's load is read without the settle that follows it.
  await vacuumAnalyze(ownerUrl, 'bench_twin_batched');
  log(`API ingestion: ${from} → ${to}`);
  await checkpoint(ownerUrl);
  const {
    result: { result: ingested, walBytes },
    cpu,
  } = await cpuPerItem({ registry: run.registryPid, postmaster }, to - from, () => withWal(ownerUrl, () => ingest([run.api], run.seedData, from, to)));
  await waitForCheckpoint(run.api, to);
  const limit = Math.max(one.rowsPerSecond, batched.rowsPerSecond);
  const step = {
    from,
    to,
    registry: ingested.recordsPerSecond,
    walPerRecord: walBytes / (to - from),
    one,
    batched,
    limit,
    ratio: ingested.recordsPerSecond / limit,
    cpu,
    limitCpu,
  };
  log(
    `  registry ${round(step.registry)} records/s; one COPY ${round(one.rowsPerSecond)}, batched ${round(batched.rowsPerSecond)} rows/s; ratio ${round(step.ratio, 3)}`,
  );
  log(
    `  CPU µs per record: registry ${round(cpu.registry, 1)}, PostgreSQL ${round(cpu.postgres, 1)}, client ${round(cpu.client, 1)}; per row of the batched limit: PostgreSQL ${round(limitCpu.postgres, 1)}, client ${round(limitCpu.client, 1)}`,
  );
  // The bench checks itself: a limit that the registry beats is not a limit.
  if (step.ratio > 1) {
    throw new Error(
      `the limit is wrong: at ${from} → ${to} rows the registry loaded ${round(step.registry)} records/s, above the limit of ${round(limit)} rows/s`,
    );
  }
  return step;
}

/**
 * Ingestion from 0 to N/10 and from N/10 to N rows, each step beside its limit and followed by the
 * read figures at that size (`growth`). Before the read figures at N rows, `beforeFinalReads` runs
 * (the small-request phase, whose limit uses the batched twin at N rows, which it then drops), so that the regulators'
 * reads are timed beside the registry's own tables alone, as a registry's would be, not beside two twins
 * twice the log's size (at 10,000,000 rows, 38 GB on a machine with 24 GB of memory).
 */
export async function measureIngestion(
  run: RunContext,
  rows: TransferRows,
  beforeFinalReads: () => Promise<void>,
): Promise<{ figures: Record<string, number>; growth: Array<Record<string, number>> }> {
  const { ownerUrl } = run;
  // The first figure, kept for comparison: one COPY of all N rows into an empty twin.
  log(`single-COPY figure: one COPY of ${ROWS} rows into an empty twin table`);
  await createTwin(ownerUrl, 'bench_single_copy');
  await checkpoint(ownerUrl);
  const singleCopy = await loadOneCopy(ownerUrl, 'bench_single_copy', rows, 0, ROWS);
  await dropTable(ownerUrl, 'bench_single_copy');

  await createTwin(ownerUrl, 'bench_twin_one_copy');
  await createTwin(ownerUrl, 'bench_twin_batched');
  const postmaster = await postmasterPid(ownerUrl);
  bodiesFor(run.seedData);
  const firstStep = Math.floor(ROWS / 10 / BATCH) * BATCH || BATCH;
  const figures: Record<string, number> = {};
  const growth: Array<Record<string, number>> = [];
  let last: Step | undefined;
  let reads: Awaited<ReturnType<typeof measureReads>> | undefined;
  for (const [from, to] of [
    [0, firstStep],
    [firstStep, ROWS],
  ]) {
    last = await ingestionStep(run, rows, from, to, postmaster);
    log('letting PostgreSQL settle: VACUUM (ANALYZE) and CHECKPOINT after the load');
    figures[to === ROWS ? 'maintenance.settleSeconds' : 'maintenance.settleSecondsAtStep'] = round(await settle(ownerUrl));
    if (to === ROWS) {
      await beforeFinalReads();
      // The small-request phase wrote rows too (about 130,000 at 200,000 rows), enough for autovacuum to start on the log
      // while the reads ran: in 44% of the samples of the audit queries on 2 December (evening), p99 25.66 ms.
      log('letting PostgreSQL settle again after the small requests');
      figures['maintenance.settleSecondsAfterSmall'] = round(await settle(ownerUrl));
    }
    await keepTokensFresh(run.api, run.seedData);
    reads = await measureReads(run, to, to === ROWS);
    Object.assign(figures, reads.figures);
    growth.push(growthRow(last, reads.query.p99, reads.proof.inclusionP99));
  }
  if (!last || !reads) throw new Error('no ingestion step ran');
  const { query, proof } = reads;
  Object.assign(figures, {
    'ingest.recordsPerSecond': round(last.registry),
    'ingest.copyRowsPerSecond': round(last.limit),
    'ingest.ratioToCopy': round(last.ratio, 3),
    'ingest.limitOneCopyRowsPerSecond': round(last.one.rowsPerSecond),
    'ingest.limitBatchedRowsPerSecond': round(last.batched.rowsPerSecond),
    'ingest.singleCopyRowsPerSecond': round(singleCopy.rowsPerSecond),
    'ingest.ratioToSingleCopy': round(last.registry / singleCopy.rowsPerSecond, 3),
    'ingest.walBytesPerRecord': round(last.walPerRecord, 0),
    'ingest.limitWalBytesPerRow': round(last.batched.walBytesPerRow, 0),
    'ingest.registryCpuMicrosPerRecord': round(last.cpu.registry, 1),
    'ingest.postgresCpuMicrosPerRecord': round(last.cpu.postgres, 1),
    'ingest.clientCpuMicrosPerRecord': round(last.cpu.client, 1),
    'ingest.limitPostgresCpuMicrosPerRow': round(last.limitCpu.postgres, 1),
    'ingest.limitClientCpuMicrosPerRow': round(last.limitCpu.client, 1),
    'query.p50Ms': round(query.p50),
    'query.p99Ms': round(query.p99),
    'proof.inclusionP50Ms': round(proof.inclusionP50),
    'proof.inclusionP99Ms': round(proof.inclusionP99),
    'proof.consistencyP50Ms': round(proof.consistencyP50),
    'proof.consistencyP99Ms': round(proof.consistencyP99),
  });
  return { figures, growth };
}
