/**
 * Where the database's time goes when transfer records are loaded: each index's cost. On an
 * embedded PostgreSQL (or DATABASE_URL), for twins of transfer_records with all their indexes, with
 * each secondary index left out in turn and with the primary key alone, loads the bench's rows
 * (bench/rows.ts) as the registry commits them (1,000-row COPYs on 4 connections) from 0 to
 * BENCH_INDEX_ROWS (default 100,000), and prints rows/s and WAL bytes per row for each.
 *
 *   node -r @swc-node/register bench/indexes.ts
 *
 * Measures and prints; never asserts a time.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { Client } from 'pg';
import { withScratchDatabase } from './common';
import { createTwin, dropTable, loadBatchedCopies, recordColumns } from './limits';
import { BATCH, TransferRows } from './rows';

const ROWS = Number(process.env.BENCH_INDEX_ROWS || 100_000);
const CONNECTIONS = 4;

async function main(): Promise<void> {
  await withScratchDatabase('idx', async (dbUrl) => {
    const processors = Array.from({ length: 10 }, () => randomUUID());
    const recipients = Array.from({ length: 10 }, () => randomUUID());
    const rows = new TransferRows(await recordColumns(dbUrl), {
      contractIds: Array.from({ length: 50 }, () => randomUUID()),
      contractProcessor: Array.from({ length: 50 }, (_, c) => c % 10),
      processorIds: processors,
      recipientIds: recipients,
    });
    const client = new Client({ connectionString: dbUrl });
    await client.connect();
    const { rows: indexes } = await client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'transfer_records' AND indexname <> 'pk_transfer_records' ORDER BY indexname`,
    );
    const variants: Array<[string, string[]]> = [
      ['all indexes', []],
      ...indexes.map((i): [string, string[]] => [`without ${i.indexname}`, [i.indexname]]),
      ['primary key only', indexes.map((i) => i.indexname)],
    ];
    const out: string[] = [];
    for (const [name, dropped] of variants) {
      await createTwin(dbUrl, 'bench_index_twin');
      // LIKE … INCLUDING INDEXES names the copies after the table: find each by its definition.
      for (const index of dropped) {
        const { rows: def } = await client.query<{ d: string }>(`SELECT pg_get_indexdef(c.oid) AS d FROM pg_class c WHERE c.relname = $1`, [index]);
        const wanted = def[0].d.replace(/^.* USING /, 'USING ').replace(/"/g, '');
        const { rows: twins } = await client.query<{ indexname: string; indexdef: string }>(
          `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'bench_index_twin'`,
        );
        const twin = twins.find((t) => t.indexdef.replace(/^.* USING /, 'USING ').replace(/"/g, '') === wanted);
        if (!twin) throw new Error(`no copy of ${index} on the twin`);
        await client.query(`DROP INDEX ${twin.indexname}`);
      }
      await client.query('CHECKPOINT');
      const load = await loadBatchedCopies(dbUrl, 'bench_index_twin', rows, 0, ROWS, { connections: CONNECTIONS, batch: BATCH });
      const { rows: size } = await client.query<{ b: string }>(`SELECT pg_indexes_size('bench_index_twin')::bigint AS b`);
      const line = `${name.padEnd(50)} ${Math.round(load.rowsPerSecond).toString().padStart(7)} rows/s  WAL ${Math.round(load.walBytesPerRow).toString().padStart(5)} B/row  indexes ${(Number(size[0].b) / ROWS).toFixed(0).padStart(4)} B/row`;
      process.stdout.write(line + '\n');
      out.push(line);
      await dropTable(dbUrl, 'bench_index_twin');
    }
    await client.end();
    process.stdout.write(
      `\n${ROWS} rows, ${BATCH}-row COPYs on ${CONNECTIONS} connections; load average ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(', ')}\n`,
    );
  });
}

main().catch((error) => {
  process.stderr.write(`bench/indexes failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
