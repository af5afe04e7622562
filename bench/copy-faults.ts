/**
 * The export's own COPY on new and reused connections, on a kept log (the cluster `npm run bench:reads load` leaves in
 * READS_DIR): COPY_FAULTS_CONNECTIONS connections one after another, COPY_FAULTS_RUNS runs of the COPY on each, with the
 * backend's minor page faults per run (/proc/<pid>/stat; Linux only, and the backend must be on this machine). A new
 * backend maps PostgreSQL's shared buffers as it first touches them, so its first run pays a fault per 4 kB page of them
 * (docs/scaling.md#exports). Prints PostgreSQL's `shared_buffers` and `huge_pages_status` first. Measures and prints;
 * asserts nothing.
 *
 *   BENCH_ROWS=200000 READS_DIR=/tmp/reads200k node -r @swc-node/register bench/read-tails.ts load
 *   READS_DIR=/tmp/reads200k node -r @swc-node/register bench/copy-faults.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { EXPORT_COPY } from './phases/export';
import { databaseUrlFor, log, round } from './registry';

const DIR = process.env.READS_DIR || path.join(os.tmpdir(), 'gba-read-tails');
const CONNECTIONS = Number(process.env.COPY_FAULTS_CONNECTIONS || 3);
const RUNS = Number(process.env.COPY_FAULTS_RUNS || 3);

function minorFaults(pid: number): number {
  // Field 10 of /proc/<pid>/stat (minflt), counted after the command name's closing parenthesis.
  return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
}

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres({ dataDir: path.join(DIR, 'data'), port: 55_433, database: 'postgres' });
  const url = databaseUrlFor(pg.url, 'gba_read_tails');
  try {
    for (let c = 0; c < CONNECTIONS; c++) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const [{ pid, rows, buffers, huge }] = (
          await client.query<{ pid: number; rows: string; buffers: string; huge: string }>(
            "SELECT pg_backend_pid() AS pid, (SELECT count(*) FROM transfer_records) AS rows, current_setting('shared_buffers') AS buffers, current_setting('huge_pages_status') AS huge",
          )
        ).rows;
        if (c === 0) log(`shared_buffers ${buffers}, huge_pages_status ${huge}, ${rows} rows`);
        for (let r = 0; r < RUNS; r++) {
          const faults = minorFaults(pid);
          const started = process.hrtime.bigint();
          await pipeline(
            client.query(copyTo(EXPORT_COPY)),
            new Writable({
              write(_chunk: Buffer, _encoding, callback) {
                callback();
              },
            }),
          );
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          log(
            `connection ${c} run ${r}: ${round(Number(rows) / seconds)} rows/s, backend minor faults ${minorFaults(pid) - faults}; load ${os.loadavg()[0].toFixed(2)}`,
          );
        }
      } finally {
        await client.end();
      }
    }
  } finally {
    await pg.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`copy-faults failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
