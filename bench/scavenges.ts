/**
 * What node-postgres' reads leave to the young generation (docs/scaling.md#read-tails): the regulators' audit
 * statement run one at a time through node-postgres in a child process with `--trace-gc-nvp`, keeping nothing of
 * its rows, on the cluster that `bench/read-tails.ts load` kept. Prints, per scavenge of the child, the median
 * bytes allocated since the last one, promoted to the old generation and the pause, with nothing of the registry
 * in the process.
 *
 *   node -r @swc-node/register bench/read-tails.ts load    # once, BENCH_ROWS rows
 *   node -r @swc-node/register bench/scavenges.ts
 *
 *   READS_DIR          the kept cluster (default os.tmpdir()/gba-read-tails)
 *   SCAVENGE_QUERIES   statements to run (default 3000)
 *   SCAVENGE_COLUMNS   the select list over `transfer_records t` (default the list's own, VIEW_COLUMNS_SQL)
 *   SCAVENGE_CLIENT    `registry` (default: the pool's RegistryPgClient, src/database/pg-client.ts) or `pg`
 *                      (node-postgres' own Client, whose promises keep every query's rows alive until a full collection)
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { RegistryPgClient } from '../src/database/pg-client';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { VIEW_COLUMNS_SQL } from '../src/transfers/record-reads';
import { percentile } from './common';
import { databaseUrlFor } from './registry';
import { occurredSpanMs, START_MS } from './rows';

const DIR = process.env.READS_DIR || path.join(os.tmpdir(), 'gba-read-tails');
const QUERIES = Number(process.env.SCAVENGE_QUERIES || 3000);
const COLUMNS = process.env.SCAVENGE_COLUMNS || VIEW_COLUMNS_SQL;
const CLIENT = process.env.SCAVENGE_CLIENT === 'pg' ? Client : RegistryPgClient;

/** The child: QUERIES audit statements through node-postgres, each page dropped as soon as it arrives. */
async function child(url: string): Promise<void> {
  const state = JSON.parse(fs.readFileSync(path.join(DIR, 'state.json'), 'utf8')) as { rows: number; contractIds: string[] };
  const client = new CLIENT({ connectionString: url });
  await client.connect();
  const text = `SELECT ${COLUMNS} FROM transfer_records t WHERE t.contract_id = $1::uuid AND t.occurred_at >= $2::timestamptz AND t.occurred_at < $3::timestamptz ORDER BY t.occurred_at, t.leaf_index LIMIT 101`;
  let rows = 0;
  for (let i = 0; i < QUERIES; i++) {
    const contractId = state.contractIds[i % state.contractIds.length];
    const fromMs = START_MS + Math.floor(Math.random() * occurredSpanMs(state.rows) * 0.9);
    const toMs = fromMs + 20 * 24 * 3600 * 1000;
    const result = await client.query({ name: 'audit', text, values: [contractId, new Date(fromMs).toISOString(), new Date(toMs).toISOString()] });
    rows += result.rows.length;
  }
  await client.end();
  process.stderr.write(`${QUERIES} statements, ${rows} rows\n`);
}

/** `name=value` of a `--trace-gc-nvp` line, as a number. */
function field(line: string, name: string): number {
  return Number(new RegExp(`\\b${name}=([0-9.]+)`).exec(line)?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres({ dataDir: path.join(DIR, 'data'), port: 55_433, database: 'postgres' });
  try {
    const url = databaseUrlFor(pg.url, 'gba_read_tails');
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const run = spawn(process.execPath, ['--trace-gc-nvp', '-r', '@swc-node/register', __filename, 'child', url], { stdio: ['ignore', 'pipe', 'inherit'] });
      let rest = '';
      run.stdout.on('data', (chunk: Buffer) => {
        const text = rest + chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        lines.push(...parts.filter((l) => l.includes(' gc=s ')));
      });
      run.on('error', reject);
      run.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}`))));
    });
    // The first second is the child loading its modules; what follows is the loop.
    const loop = lines.filter((l) => Number(/ (\d+) ms: /.exec(l)?.[1] ?? 0) > 1000);
    const median = (name: string) =>
      percentile(
        loop.map((l) => field(l, name)).sort((a, b) => a - b),
        50,
      );
    const pauses = loop.map((l) => field(l, 'pause')).sort((a, b) => a - b);
    process.stdout.write(
      `${loop.length} scavenges after the first second; per scavenge, median: allocated ${Math.round(median('allocated') / 1024)} kB, ` +
        `promoted ${Math.round(median('promoted') / 1024)} kB, survived in the young generation ${Math.round(median('new_space_survived') / 1024)} kB; ` +
        `pause p50 ${percentile(pauses, 50).toFixed(1)} ms, p90 ${percentile(pauses, 90).toFixed(1)} ms\n`,
    );
  } finally {
    await pg.stop();
  }
}

(process.argv[2] === 'child' ? child(process.argv[3]) : main()).catch((error) => {
  process.stderr.write(`scavenges failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
