/**
 * Export (README "Performance"): GET /transfers/export?format=ndjson of the whole log on a freshly
 * started registry, its peak resident set, beside raw COPY … TO of the same table.
 */
import { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { Api, log, peakRssMb, resetPeakRss, round, rssMb, startRegistry, stopRegistry } from '../registry';
import { keepTokensFresh, RunContext } from '../seed';

/** Raw COPY … TO of the whole table: the export limit. */
async function measureCopyTo(ownerUrl: string): Promise<{ rows: number; rowsPerSecond: number }> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    let rows = 0;
    const started = process.hrtime.bigint();
    await pipeline(
      client.query(copyTo('COPY (SELECT * FROM transfer_records ORDER BY leaf_index) TO STDOUT')),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++;
          callback();
        },
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows, rowsPerSecond: rows / seconds };
  } finally {
    await client.end();
  }
}

async function measureExport(api: Api, token: string, appPid: number): Promise<{ rows: number; rowsPerSecond: number; peakRssMb: number; peakReset: boolean }> {
  const peakReset = resetPeakRss(appPid);
  let rows = 0;
  let peak = rssMb(appPid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(appPid));
  }, 50);
  const started = process.hrtime.bigint();
  const response = await fetch(`${api.base}/transfers/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok || !response.body) throw new Error(`export failed: ${response.status}`);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) rows++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const hwm = peakRssMb(appPid);
  return { rows, rowsPerSecond: rows / seconds, peakRssMb: Math.max(peak, peakReset ? hwm : peak), peakReset };
}

/** The `export.*` figures; restarts the registry (`app`) first and returns the one it started. */
export async function measureExportPhase(run: RunContext, app: ChildProcess): Promise<{ figures: Record<string, number>; app: ChildProcess }> {
  const { ownerUrl, api, seedData } = run;
  log('export limit: raw COPY TO');
  const copyOut = await measureCopyTo(ownerUrl);
  // The export's peak RSS is its own: measured on a freshly started registry, not on the process that just ingested N rows.
  const rssAfterIngest = rssMb(app.pid!);
  log('restarting the registry for the export');
  await stopRegistry(app);
  const fresh = await startRegistry(ownerUrl, run.port);
  const rssBeforeExport = rssMb(fresh.pid!);
  log('export through the API');
  await keepTokensFresh(api, seedData);
  const exported = await measureExport(api, seedData.regulatorToken, fresh.pid!);
  if (exported.rows !== copyOut.rows) log(`WARNING: export returned ${exported.rows} rows, COPY TO ${copyOut.rows}`);
  return {
    app: fresh,
    figures: {
      'app.rssAfterIngestMb': round(rssAfterIngest, 1),
      'app.rssBeforeExportMb': round(rssBeforeExport, 1),
      'export.rows': exported.rows,
      'export.rowsPerSecond': round(exported.rowsPerSecond),
      'export.copyToRowsPerSecond': round(copyOut.rowsPerSecond),
      'export.ratioToCopyTo': round(exported.rowsPerSecond / copyOut.rowsPerSecond, 3),
      'export.peakRssMb': round(exported.peakRssMb, 1),
    },
  };
}
