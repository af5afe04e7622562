/**
 * What monthly partitioning costs the load (docs/scaling.md#partitions). On an embedded PostgreSQL (or
 * DATABASE_URL), loads the bench's rows (bench/rows.ts) as the registry commits them (1,000-row COPYs on 4
 * connections) into two empty twins of transfer_records, alternately, BENCH_PARTITION_ROUNDS times
 * (default 3) of BENCH_PARTITION_ROWS rows (default 100,000):
 *   - unpartitioned, primary key (leaf_index): the table as it was before partitioning;
 *   - partitioned by month on recorded_at, primary key (leaf_index, recorded_at), with 48 monthly partitions
 *     and a DEFAULT one: the table as the registry has it, with four years of months attached.
 * Both carry every secondary index of transfer_records. Prints rows/s and WAL bytes per row for each.
 *
 *   node -r @swc-node/register bench/partitions.ts
 *
 * Measures and prints; never asserts a time.
 */
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { withScratchDatabase } from './common';
import { dropTable, loadBatchedCopies, recordColumns } from './limits';
import { BATCH, TransferRows } from './rows';

const ROWS = Number(process.env.BENCH_PARTITION_ROWS || 100_000);
const ROUNDS = Number(process.env.BENCH_PARTITION_ROUNDS || 3);
const CONNECTIONS = 4;
const MONTHS = 48;

/** The secondary indexes of transfer_records, as statements on `table`. */
async function secondaryIndexes(client: Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ def: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i WHERE i.indrelid = 'transfer_records'::regclass AND NOT i.indisprimary`,
  );
  return rows.map((r, n) => r.def.replace(/^CREATE INDEX \S+ ON (ONLY )?\S+ /, `CREATE INDEX ${table}_ix${n} ON ${table} `));
}

async function createUnpartitioned(client: Client, table: string): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (LIKE transfer_records INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (leaf_index))`);
  for (const sql of await secondaryIndexes(client, table)) await client.query(sql);
}

async function createPartitioned(client: Client, table: string): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(
    `CREATE TABLE ${table} (LIKE transfer_records INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (leaf_index, recorded_at)) PARTITION BY RANGE (recorded_at)`,
  );
  for (const sql of await secondaryIndexes(client, table)) await client.query(sql);
  await client.query(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
  for (let m = 0; m < MONTHS; m++) {
    const { rows } = await client.query<{ sql: string }>(
      `SELECT format('CREATE TABLE %I PARTITION OF ${table} FOR VALUES FROM (%L) TO (%L)', '${table}_' || $1::text, f, f + interval '1 month') AS sql
         FROM (SELECT date_trunc('month', now()) - make_interval(months => $1::int - 3) AS f) s`,
      [m],
    );
    await client.query(rows[0].sql);
  }
}

async function main(): Promise<void> {
  await withScratchDatabase('part', async (dbUrl) => {
    const rows = new TransferRows(await recordColumns(dbUrl), {
      contractIds: Array.from({ length: 50 }, () => randomUUID()),
      contractProcessor: Array.from({ length: 50 }, (_, c) => c % 10),
      processorIds: Array.from({ length: 10 }, () => randomUUID()),
      recipientIds: Array.from({ length: 10 }, () => randomUUID()),
    });
    const client = new Client({ connectionString: dbUrl });
    await client.connect();
    const variants: Array<[string, (c: Client, t: string) => Promise<void>]> = [
      ['unpartitioned, primary key (leaf_index)', createUnpartitioned],
      [`partitioned by month (${MONTHS} + DEFAULT), primary key (leaf_index, recorded_at)`, createPartitioned],
    ];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, create] of variants) {
        await create(client, 'bench_partition_twin');
        await client.query('CHECKPOINT');
        const load = await loadBatchedCopies(dbUrl, 'bench_partition_twin', rows, 0, ROWS, { connections: CONNECTIONS, batch: BATCH });
        process.stdout.write(
          `round ${round}  ${name.padEnd(82)} ${Math.round(load.rowsPerSecond).toString().padStart(7)} rows/s  WAL ${Math.round(load.walBytesPerRow).toString().padStart(5)} B/row\n`,
        );
        await dropTable(dbUrl, 'bench_partition_twin');
      }
    }
    await client.end();
    process.stdout.write(
      `\n${ROWS} rows per load, ${BATCH}-row COPYs on ${CONNECTIONS} connections; load average ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(', ')}\n`,
    );
  });
}

main().catch((error) => {
  process.stderr.write(`bench/partitions failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
