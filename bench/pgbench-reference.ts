/**
 * How the bench's pgbench-style limit for one-record requests (bench/limits.ts
 * measureSingleRowInserts, node-postgres) compares with pgbench itself, on one server: a database
 * with transfer_records as the Transfers migration creates it (table and indexes only), filled with
 * BENCH_REFERENCE_ROWS (default 200,000) of the bench's rows, then one-row INSERTs, one per
 * transaction, from 32 clients for BENCH_FILING_SECONDS (default 10) each: node-postgres first,
 * then `pgbench -n -M prepared -c 32 -j 2` with the same row as SQL literals.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node -r @swc-node/register bench/pgbench-reference.ts
 *
 * Needs `pgbench` on the PATH (Debian: postgresql-client). Measures and prints; never asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadBatchedCopies, measureSingleRowInserts, recordColumns } from './limits';
import { BATCH, TransferRows } from './rows';
import { Transfers1795684500001 } from '../src/database/migrations/1795684500001-Transfers';

const ROWS = Number(process.env.BENCH_REFERENCE_ROWS || 200_000);
const SECONDS = Number(process.env.BENCH_FILING_SECONDS || 10);
const CLIENTS = 32;

function literal(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
  if (Array.isArray(value)) return value.length ? `ARRAY[${value.map(literal).join(', ')}]::text[]` : `'{}'::text[]`;
  if (typeof value !== 'string') throw new Error(`bench: no SQL literal for ${typeof value}`);
  return `'${value.replace(/'/g, "''")}'`;
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is required (the server to compare on)');
  const database = `gba_pgbench_${Date.now()}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const dbUrl = url.toString();
  try {
    const client = new Client({ connectionString: dbUrl });
    await client.connect();
    // The migration's own DDL for the table and its indexes (no roles, grants or triggers: insert cost only).
    const statements: string[] = [];
    await new Transfers1795684500001().up({ query: (sql: string) => Promise.resolve(void statements.push(sql)) } as never);
    for (const sql of statements.filter((s) => /^CREATE (TABLE|INDEX .* ON) "transfer_records"/s.test(s))) await client.query(sql);
    await client.query(`CREATE SEQUENCE bench_leaf START ${10 ** 12}`);
    const rows = new TransferRows(await recordColumns(dbUrl), {
      contractIds: Array.from({ length: 50 }, () => randomUUID()),
      contractProcessor: Array.from({ length: 50 }, (_, c) => c % 10),
      processorIds: Array.from({ length: 10 }, () => randomUUID()),
      recipientIds: Array.from({ length: 10 }, () => randomUUID()),
    });
    await loadBatchedCopies(dbUrl, 'transfer_records', rows, 0, ROWS, { connections: 4, batch: BATCH });
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    const commit = (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit;

    await client.query('CHECKPOINT');
    const node = await measureSingleRowInserts(dbUrl, 'transfer_records', rows, {
      clients: CLIENTS,
      seconds: SECONDS,
      firstLeafIndex: ROWS,
      maxInserts: 1_000_000,
    });

    const values = rows.valuesOf(1);
    const columns = rows.columns;
    const sqlValues = columns.map((name, i) =>
      name === 'leaf_index'
        ? `nextval('bench_leaf')`
        : name === 'occurred_at'
          ? `'2025-02-01T00:00:00Z'::timestamptz + random() * interval '365 days'`
          : literal(values[i]),
    );
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gba-pgbench-')), 'insert.sql');
    fs.writeFileSync(script, `INSERT INTO transfer_records (${columns.join(', ')}) VALUES (${sqlValues.join(', ')});\n`);
    await client.query('CHECKPOINT');
    const pgbench = spawnSync('pgbench', ['-n', '-M', 'prepared', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-r', '-f', script, dbUrl], {
      encoding: 'utf8',
    });
    if (pgbench.status !== 0) throw new Error(`pgbench failed: ${pgbench.stderr}`);
    const tps = /tps = ([\d.]+)/.exec(pgbench.stdout)?.[1];
    const latency = /latency average = ([\d.]+) ms/.exec(pgbench.stdout)?.[1];
    await client.end();
    process.stdout.write(
      `PostgreSQL ${version}, synchronous_commit ${commit}, ${ROWS} rows in transfer_records, ${CLIENTS} clients, ${SECONDS} s each; load average ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(', ')}\n` +
        `node-postgres (the bench's limit): ${node.insertsPerSecond.toFixed(0)} inserts/s, p50 ${node.p50Ms.toFixed(1)} ms, p99 ${node.p99Ms.toFixed(1)} ms, WAL ${node.walBytesPerInsert.toFixed(0)} B per insert\n` +
        `pgbench -M prepared -j 2:            ${Number(tps).toFixed(0)} inserts/s, latency average ${latency} ms\n`,
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  process.stderr.write(`bench/pgbench-reference failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
