/**
 * `npm run bench`: measures the registry against the limits of the machine it runs on, in the same
 * run (README "Performance"). Prints a table, writes bench/results/<date>.json and .md (and
 * BENCH_JSON=path if set). The phases, in order, each in its own module:
 *
 *   phases/ingestion.ts       bulk ingestion at N/10 and N rows beside the honest limit (self-check), reads at each size
 *   phases/reads.ts           audit queries and proofs
 *   phases/small-requests.ts  one-record and 20-record requests beside a pgbench-style limit
 *   phases/instances.ts       ingestion with two witnesses and on two instances, in alternating chunks
 *   phases/export.ts          the ndjson export beside COPY TO
 *   phases/filing.ts          POST /contracts and GET /contracts/:id beside the framework's ceiling and the database's limit
 *   phases/replica.ts         the audit query on a streaming standby beside the primary (last: its WAL streaming touches no other figure)
 *   report.ts                 the table and the result files
 *
 *   BENCH_ROWS    transfer rows to ingest (default 1,000,000; 10,000,000 is the full run)
 *   DATABASE_URL  a PostgreSQL server to use instead of an embedded one (a database `gba_bench_<ts>` is created on it)
 *   BENCH_JSON    also write the JSON result here
 *   BENCH_FILING_SECONDS  seconds per autocannon run (default 10)
 *   BENCH_CHUNK_ROWS      rows per witness and instance chunk
 *   BENCH_REPLICA=0       skip the streaming-replica phase
 *   BENCH_NODE_ARGS       extra node flags for the registry process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 *   JWT_TTL_SECONDS, DATABASE_POOL_SIZE, …  passed on to the registry; unset, it runs with its defaults (pool of 10)
 *
 * Never asserts a time: it measures and reports ratios to the limit measured in the same run.
 */
import { ChildProcess, spawnSync } from 'node:child_process';
import { BenchDatabase, openDatabase } from './database';
import { freePort } from './common';
import { recordColumns } from './limits';
import { measureExportPhase } from './phases/export';
import { measureFiling } from './phases/filing';
import { measureIngestion } from './phases/ingestion';
import { measureWitnessesAndInstances } from './phases/instances';
import { measureReplica } from './phases/replica';
import { measureSmall } from './phases/small-requests';
import { Api, log, ROOT, round, ROWS, rssMb, startRegistry, stopRegistry } from './registry';
import { startRun, writeReport } from './report';
import { TransferRows } from './rows';
import { RunContext, seed } from './seed';

/** Every phase in turn on one registry (restarted by the phases that need a fresh one); the figures they return. */
async function runPhases(db: BenchDatabase): Promise<{ figures: Record<string, number>; growth: Array<Record<string, number>>; replicaSkipped?: string }> {
  const port = await freePort();
  let app: ChildProcess = await startRegistry(db.ownerUrl, port);
  const api = new Api(`http://127.0.0.1:${port}`);
  const rssAtStart = rssMb(app.pid!);
  try {
    log('seeding organisations, users, contracts');
    const run: RunContext = { ownerUrl: db.ownerUrl, api, port, seedData: await seed(api), registryPid: app.pid };
    // The rows of the run, encoded once for the database's limits (bench/rows.ts).
    const transferRows = new TransferRows(await recordColumns(db.ownerUrl), run.seedData);
    let small: Record<string, number> = {};
    const ingestion = await measureIngestion(run, transferRows, async () => {
      small = await measureSmall(run, transferRows);
    });
    const instances = await measureWitnessesAndInstances(run, app);
    app = await startRegistry(db.ownerUrl, port);
    const exported = await measureExportPhase(run, app);
    app = exported.app;
    const filing = await measureFiling(run);
    const replica = await measureReplica(run, db);
    const figures = {
      rows: ROWS,
      ...ingestion.figures,
      ...instances,
      ...small,
      ...exported.figures,
      ...filing,
      ...replica.figures,
      'app.rssAtStartMb': round(rssAtStart, 1),
      'app.rssAtEndMb': round(rssMb(app.pid!), 1),
    };
    return { figures, growth: ingestion.growth, replicaSkipped: replica.skipped };
  } finally {
    await stopRegistry(app);
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROWS) || ROWS < 10_000) throw new Error('BENCH_ROWS must be a whole number ≥ 10000');
  const start = startRun();
  log(`BENCH_ROWS=${ROWS}; building`);
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const db = await openDatabase();
  let measured: Awaited<ReturnType<typeof runPhases>>;
  try {
    measured = await runPhases(db);
  } finally {
    await db.close();
  }
  writeReport({ start, postgresVersion: db.postgresVersion, ...measured });
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
