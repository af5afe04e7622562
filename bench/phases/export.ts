/**
 * Export (README "Performance"): GET /transfers/export?format=ndjson of the whole log on a freshly
 * started registry, its peak resident set, beside the export's own COPY … TO with nothing done to its bytes.
 */
import { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { EXPORT_PLAN_SQL } from '../../src/database/copy';
import { receiveLines, send } from '../http';
import { Api, log, peakRssMb, resetPeakRss, round, rssMb, startRegistry, stopRegistry } from '../registry';
import { keepTokensFresh, RunContext } from '../seed';
import { settle } from './ingestion';

/**
 * The export's statement, as the registry sends it for a regulator who may read every record
 * (src/transfers/transfer-export.ts): the leaf index, the sector and the leaf, in leaf order, in
 * binary. A client that only receives its bytes is what the export cannot beat.
 */
export const EXPORT_COPY = 'COPY (SELECT t.leaf_index, t.sector, t.leaf FROM transfer_records t WHERE true ORDER BY t.leaf_index) TO STDOUT (FORMAT binary)';
/** The earlier limit, kept for comparison: every column as text, which costs PostgreSQL more than the export's three. */
const ALL_COLUMNS_COPY = 'COPY (SELECT * FROM transfer_records ORDER BY leaf_index) TO STDOUT';

/**
 * Rows per second of one COPY … TO on `client`, its bytes received and dropped; `rows` is the table's count (binary COPY has
 * no line ends). Planned as the registry plans its exports (EXPORT_PLAN_SQL), in a transaction of its own.
 */
async function measureCopyTo(client: Client, sql: string, rows: number): Promise<number> {
  const started = process.hrtime.bigint();
  await client.query(EXPORT_PLAN_SQL);
  await pipeline(
    client.query(copyTo(sql)),
    new Writable({
      write(_chunk: Buffer, _encoding, callback) {
        callback();
      },
    }),
  );
  await client.query('COMMIT');
  return rows / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** The export's limit, measured on one connection kept open across the registry's export (`after`, then `close`). */
export interface CopyLimit {
  rows: number;
  /** The better of two runs of the export's own COPY before the export. */
  rowsPerSecond: number;
  /** The first of them, on the connection's new backend. */
  firstRowsPerSecond: number;
  allColumnsRowsPerSecond: number;
  /** One more run after the export: the limit is the best of the runs on both sides of it. */
  after(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The export limit before the export: two runs of the export's own COPY on one connection, and the old all-column figure.
 * One connection because a new backend maps PostgreSQL's shared buffers into its address space page by page as it first
 * touches them: on 2 December (evening) the first COPY of 200,000 rows on each new connection took 54,000–65,900 minor page
 * faults (256 MB of shared buffers in 4 kB pages, about 25 µs each on this machine) and ran at 82,000–122,000 rows/s, every
 * later COPY on the same connection at 222,000–374,000 with under 110 (`bench/copy-faults.ts`). The registry's pooled connections are reused, so its
 * export can run on a backend that has paid that already; a limit that pays it on every run is one the registry beats
 * (the export ran at 127,360 rows/s against such a limit's 122,630 that evening, and at 252,340 against 111,120 in
 * `bench/export-probe.ts`).
 */
export async function measureCopyLimits(ownerUrl: string): Promise<CopyLimit> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const [{ n }] = (await client.query<{ n: string }>('SELECT count(*) AS n FROM transfer_records')).rows;
    const rows = Number(n);
    const first = await measureCopyTo(client, EXPORT_COPY, rows);
    const second = await measureCopyTo(client, EXPORT_COPY, rows);
    const allColumns = await measureCopyTo(client, ALL_COLUMNS_COPY, rows);
    return {
      rows,
      rowsPerSecond: Math.max(first, second),
      firstRowsPerSecond: first,
      allColumnsRowsPerSecond: allColumns,
      after: () => measureCopyTo(client, EXPORT_COPY, rows),
      close: () => client.end(),
    };
  } catch (error) {
    await client.end();
    throw error;
  }
}

/** What the registry's /metrics says of its memory (prom-client's default metrics), in MB. */
interface MemorySample {
  /** V8's heap as reserved (`nodejs_heap_size_total_bytes`). */
  heapTotalMb: number;
  /** Memory V8 is told is held outside its heap, Buffers' included (`nodejs_external_memory_bytes`). */
  externalMb: number;
}

async function memorySample(api: Api): Promise<MemorySample | null> {
  const { status, text } = await send(api.base, 'GET', '/metrics', {});
  if (status !== 200) return null;
  const mb = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN) / 1024 ** 2;
  return { heapTotalMb: mb('nodejs_heap_size_total_bytes'), externalMb: mb('nodejs_external_memory_bytes') };
}

export interface ExportMeasured {
  rows: number;
  rowsPerSecond: number;
  peakRssMb: number;
  peakReset: boolean;
  /** The largest of each figure of /metrics read every 500 ms during the export: where a peak of the resident set was. */
  peakHeapTotalMb: number;
  peakExternalMb: number;
}

export async function measureExport(api: Api, token: string, appPid: number): Promise<ExportMeasured> {
  const peakReset = resetPeakRss(appPid);
  let peak = rssMb(appPid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(appPid));
  }, 50);
  // The resident set's split, read from the registry itself (a /metrics request costs it about a millisecond).
  let peakHeapTotalMb = 0;
  let peakExternalMb = 0;
  let sampling = true;
  const memory = (async () => {
    while (sampling) {
      const sample = await memorySample(api).catch(() => null);
      if (sample) {
        peakHeapTotalMb = Math.max(peakHeapTotalMb, sample.heapTotalMb);
        peakExternalMb = Math.max(peakExternalMb, sample.externalMb);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const started = process.hrtime.bigint();
  try {
    // Its lines are counted as they arrive, with Buffer.indexOf (memchr), into one reused buffer (`receiveLines`): the
    // bench's client shares the machine's cores with the registry and PostgreSQL, where the limit's client drops its bytes unread.
    const { status, lines: rows } = await receiveLines(api.base, '/transfers/export?format=ndjson', { authorization: `Bearer ${token}` });
    if (status !== 200) throw new Error(`export failed: ${status}`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const hwm = peakRssMb(appPid);
    return {
      rows,
      rowsPerSecond: rows / seconds,
      peakRssMb: Math.max(peak, peakReset ? hwm : peak),
      peakReset,
      peakHeapTotalMb: round(peakHeapTotalMb, 1),
      peakExternalMb: round(peakExternalMb, 1),
    };
  } finally {
    clearInterval(sampler);
    sampling = false;
    await memory;
  }
}

/**
 * The `export.*` figures; restarts the registry (`app`) first and returns the one it started. Two exports on the fresh
 * registry: the first on a new backend of its pool, which maps PostgreSQL's shared buffers as it goes (`measureCopyLimits`),
 * the second usually on the same backend (the pool hands out the connection released last, unless the registry's timers took it
 * in between). The ratio is the better export's to the
 * best run of the limit; the first export's rate and the limit's first run, each on a new backend, are kept beside them.
 */
export async function measureExportPhase(run: RunContext, app: ChildProcess): Promise<{ figures: Record<string, number>; app: ChildProcess }> {
  const { ownerUrl, api, seedData } = run;
  // The witness and instance phases wrote rows after the last settle: autovacuum of them would run beside some runs and not others.
  log('letting PostgreSQL settle before the export');
  const settleSeconds = await settle(ownerUrl);
  log("export limit: the export's own COPY TO, received and dropped, twice on one connection");
  const copyOut = await measureCopyLimits(ownerUrl);
  let fresh: ChildProcess | undefined;
  try {
    // The export's peak RSS is its own: measured on a freshly started registry, not on the process that just ingested N rows.
    const rssAfterIngest = rssMb(app.pid!);
    log('restarting the registry for the export');
    await stopRegistry(app);
    fresh = await startRegistry(ownerUrl, run.port);
    const rssBeforeExport = rssMb(fresh.pid!);
    const exports = [];
    for (const which of ['first', 'second']) {
      log(`export through the API, ${which}`);
      await keepTokensFresh(api, seedData);
      const exported = await measureExport(api, seedData.regulatorToken, fresh.pid!);
      if (exported.rows !== copyOut.rows) log(`WARNING: export returned ${exported.rows} rows, COPY TO ${copyOut.rows}`);
      exports.push(exported);
    }
    const rowsPerSecond = Math.max(...exports.map((e) => e.rowsPerSecond));
    // A run after the export as well: on a shared machine a slow stretch during the runs before it made the registry
    // "beat" its limit (1 December: 115,682 rows/s against 114,379, where the same run's neighbours measured 158,000–163,000).
    log("export limit: the export's own COPY TO once more, after the exports");
    const limitAfter = await copyOut.after();
    const limit = Math.max(copyOut.rowsPerSecond, limitAfter);
    const ratio = rowsPerSecond / limit;
    // The bench checks itself: a limit that the registry beats is not a limit.
    if (ratio > 1) {
      throw new Error(`the limit is wrong: the export streamed ${round(rowsPerSecond)} rows/s, above its own COPY TO at ${round(limit)} rows/s`);
    }
    const figures = {
      'maintenance.settleSecondsBeforeExport': round(settleSeconds),
      'app.rssAfterIngestMb': round(rssAfterIngest, 1),
      'app.rssBeforeExportMb': round(rssBeforeExport, 1),
      'export.rows': exports[0].rows,
      'export.rowsPerSecond': round(rowsPerSecond),
      'export.firstRowsPerSecond': round(exports[0].rowsPerSecond),
      'export.copyToRowsPerSecond': round(limit),
      'export.copyToBeforeRowsPerSecond': round(copyOut.rowsPerSecond),
      'export.copyToFirstRowsPerSecond': round(copyOut.firstRowsPerSecond),
      'export.copyToAfterRowsPerSecond': round(limitAfter),
      'export.ratioToCopyTo': round(ratio, 3),
      'export.allColumnsCopyToRowsPerSecond': round(copyOut.allColumnsRowsPerSecond),
      'export.ratioToAllColumnsCopyTo': round(rowsPerSecond / copyOut.allColumnsRowsPerSecond, 3),
      'export.peakRssMb': round(Math.max(...exports.map((e) => e.peakRssMb)), 1),
      // Each export's own, and the largest V8 heap and memory outside it that /metrics showed during either.
      'export.firstPeakRssMb': round(exports[0].peakRssMb, 1),
      'export.secondPeakRssMb': round(exports[1].peakRssMb, 1),
      'export.peakHeapTotalMb': Math.max(...exports.map((e) => e.peakHeapTotalMb)),
      'export.peakExternalMb': Math.max(...exports.map((e) => e.peakExternalMb)),
    };
    return { app: fresh, figures };
  } catch (error) {
    // The caller holds the registry it passed in, which is stopped: the one started here is stopped here, or it outlives the run.
    if (fresh) await stopRegistry(fresh);
    throw error;
  } finally {
    await copyOut.close();
  }
}
