/**
 * The small-request part of the bench alone (README "Performance"), for comparing two versions of the
 * registry back to back: a fresh database loaded with BENCH_ROWS records through the API (the
 * ingestion phase, which also builds the twin the limit needs), then the pgbench-style single-row
 * limit, one-record requests from 32 clients and 20-record requests from 8 (phases/small-requests.ts).
 * Prints the `small.*` figures and the machine's load average as one JSON line.
 *
 *   npm run build && BENCH_ROWS=20000 node -r @swc-node/register bench/small.ts
 */
import * as os from 'node:os';
import { freePort } from './common';
import { openDatabase } from './database';
import { recordColumns } from './limits';
import { measureIngestion } from './phases/ingestion';
import { measureSmall } from './phases/small-requests';
import { Api, log, ROWS, startRegistry, stopRegistry } from './registry';
import { TransferRows } from './rows';
import { RunContext, seed } from './seed';

async function main(): Promise<void> {
  if (!Number.isInteger(ROWS) || ROWS < 10_000) throw new Error('BENCH_ROWS must be a whole number ≥ 10000');
  const loadAtStart = os.loadavg();
  const db = await openDatabase();
  try {
    const port = await freePort();
    const app = await startRegistry(db.ownerUrl, port);
    try {
      const api = new Api(`http://127.0.0.1:${port}`);
      log('seeding organisations, users, contracts');
      const run: RunContext = { ownerUrl: db.ownerUrl, api, port, seedData: await seed(api), registryPid: app.pid };
      const rows = new TransferRows(await recordColumns(db.ownerUrl), run.seedData);
      let small: Record<string, number> = {};
      await measureIngestion(run, rows, async () => {
        small = await measureSmall(run, rows);
      });
      process.stdout.write(`${JSON.stringify({ rows: ROWS, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg(), ...small })}\n`);
    } finally {
      await stopRegistry(app);
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench/small.ts failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
