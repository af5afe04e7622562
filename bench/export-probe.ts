/**
 * The export on a kept log (the cluster `npm run bench:reads load` leaves in READS_DIR): GET /transfers/export of the
 * whole log from a freshly started registry, at once and again after EXPORT_PROBE_WAIT_S seconds of quiet, beside
 * the export's own COPY TO; EXPORT_PROBE_ROUNDS rounds. Prints one line per export. Measures and prints; asserts nothing.
 *
 *   BENCH_ROWS=1000000 READS_DIR=/tmp/reads1m node -r @swc-node/register bench/read-tails.ts load
 *   READS_DIR=/tmp/reads1m node -r @swc-node/register bench/export-probe.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { measureCopyLimits, measureExport } from './phases/export';
import { Api, databaseUrlFor, log, round, SECRETS, startRegistry, stopRegistry } from './registry';

const DIR = process.env.READS_DIR || path.join(os.tmpdir(), 'gba-read-tails');
const ROUNDS = Number(process.env.EXPORT_PROBE_ROUNDS || 2);
const WAIT_S = Number(process.env.EXPORT_PROBE_WAIT_S || 30);
const PORT = 55_490;

async function main(): Promise<void> {
  const state = JSON.parse(fs.readFileSync(path.join(DIR, 'state.json'), 'utf8')) as {
    secrets: typeof SECRETS;
    regulator: { email: string; password: string };
  };
  Object.assign(SECRETS, state.secrets);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(DIR, 'data'), port: 55_433, database: 'postgres' });
  const url = databaseUrlFor(pg.url, 'gba_read_tails');
  try {
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      const limit = await measureCopyLimits(url);
      const app = await startRegistry(url, PORT);
      try {
        const api = new Api(`http://127.0.0.1:${PORT}`);
        const token = async () =>
          (await api.ok<{ accessToken: string }>('POST', '/auth/token', null, { grantType: 'password', ...state.regulator })).accessToken;
        const report = async (label: string) => {
          const exported = await measureExport(api, await token(), app.pid!);
          const after = await limit.after();
          const best = Math.max(limit.rowsPerSecond, after);
          log(
            `round ${round_} ${label}: export ${round(exported.rowsPerSecond)} rows/s (${exported.rows} of ${limit.rows} rows), COPY TO ${round(best)} (first run ${round(limit.firstRowsPerSecond)}, after ${round(after)}), ratio ${round(exported.rowsPerSecond / best, 3)}, peak RSS ${round(exported.peakRssMb, 1)} MB (heap ${exported.peakHeapTotalMb}, external ${exported.peakExternalMb}); load ${os
              .loadavg()
              .map((l) => l.toFixed(2))
              .join(' ')}`,
          );
        };
        await report('at start');
        await report('again');
        await new Promise((r) => setTimeout(r, WAIT_S * 1000));
        await report(`after ${WAIT_S} s`);
      } finally {
        await stopRegistry(app);
        await limit.close();
      }
    }
  } finally {
    await pg.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`export-probe failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
