/**
 * What PostgreSQL itself can do with the registry's rows on this machine, measured beside the
 * registry in the same run (bench/run.ts, README "Performance"): the limits the registry's figures
 * are divided by. No HTTP, no framework, no validation, rows encoded before the clock starts.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { percentile } from './common';
import { BATCH, TransferRows } from './rows';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** transfer_records' columns in table order. */
export async function recordColumns(url: string): Promise<string[]> {
  const client = await connect(url);
  try {
    const { rows } = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'transfer_records' AND table_schema = current_schema() ORDER BY ordinal_position`,
    );
    return rows.map((r) => r.column_name);
  } finally {
    await client.end();
  }
}

/** A twin of transfer_records: same columns, constraints, defaults and indexes (LIKE … INCLUDING ALL), empty. */
export async function createTwin(url: string, table: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (LIKE transfer_records INCLUDING ALL)`);
  } finally {
    await client.end();
  }
}

export async function dropTable(url: string, table: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
  } finally {
    await client.end();
  }
}

/** Bytes of WAL written so far by the whole server (pg_current_wal_insert_lsn). */
export async function walPosition(client: Client): Promise<number> {
  const { rows } = await client.query<{ b: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint AS b`);
  return Number(rows[0].b);
}

/** WAL bytes the server writes while `fn` runs (everything the server writes, autovacuum included). */
export async function withWal<T>(url: string, fn: () => Promise<T>): Promise<{ result: T; walBytes: number }> {
  const client = await connect(url);
  try {
    const before = await walPosition(client);
    const result = await fn();
    return { result, walBytes: (await walPosition(client)) - before };
  } finally {
    await client.end();
  }
}

export interface Load {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  walBytesPerRow: number;
}

async function checkLoaded(client: Client, table: string, from: number, to: number): Promise<void> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*)::bigint AS n FROM ${table} WHERE leaf_index >= $1 AND leaf_index < $2`, [from, to]);
  if (Number(rows[0].n) !== to - from) throw new Error(`bench: ${table} holds ${rows[0].n} rows of [${from}, ${to}), not ${to - from}`);
}

/**
 * Rows [from, to) into `table` in one COPY statement (one transaction), on one connection. Then,
 * off the clock, VACUUM (ANALYZE) so its maintenance does not run into the next measurement.
 */
export async function loadOneCopy(url: string, table: string, rows: TransferRows, from: number, to: number): Promise<Load> {
  const client = await connect(url);
  try {
    function* chunks(): Generator<Buffer> {
      yield rows.header;
      for (let start = from; start < to; start += BATCH) yield rows.tuplesOf(start, Math.min(BATCH, to - start));
      yield rows.trailer;
    }
    const wal = await walPosition(client);
    const started = process.hrtime.bigint();
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${rows.columns.join(', ')}) FROM STDIN (FORMAT binary)`)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const walBytes = (await walPosition(client)) - wal;
    await checkLoaded(client, table, from, to);
    await client.query(`VACUUM (ANALYZE) ${table}`);
    return { rows: to - from, seconds, rowsPerSecond: (to - from) / seconds, walBytesPerRow: walBytes / (to - from) };
  } finally {
    await client.end();
  }
}

/**
 * Rows [from, to) into `table` as the registry commits them: `batch` rows per COPY, each COPY its
 * own transaction, from `connections` connections taking the next batch in turn. The payloads are
 * patched copies of rows encoded before the clock. Then VACUUM (ANALYZE), off the clock, unless `vacuum` is
 * false (the caller then runs `vacuumAnalyze` itself, e.g. outside a CPU reading).
 */
export async function loadBatchedCopies(
  url: string,
  table: string,
  rows: TransferRows,
  from: number,
  to: number,
  { connections, batch, vacuum = true }: { connections: number; batch: number; vacuum?: boolean },
): Promise<Load> {
  const clients = await Promise.all(Array.from({ length: connections }, () => connect(url)));
  try {
    const sql = `COPY ${table} (${rows.columns.join(', ')}) FROM STDIN (FORMAT binary)`;
    let next = from;
    const wal = await walPosition(clients[0]);
    const started = process.hrtime.bigint();
    await Promise.all(
      clients.map(async (client) => {
        for (;;) {
          const start = next;
          if (start >= to) return;
          next = Math.min(to, start + batch);
          await pipeline(Readable.from([rows.payloadOf(start, next - start)]), client.query(copyFrom(sql)));
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const walBytes = (await walPosition(clients[0])) - wal;
    await checkLoaded(clients[0], table, from, to);
    if (vacuum) await clients[0].query(`VACUUM (ANALYZE) ${table}`);
    return { rows: to - from, seconds, rowsPerSecond: (to - from) / seconds, walBytesPerRow: walBytes / (to - from) };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** VACUUM (ANALYZE) of one table, as the database's owner. */
export async function vacuumAnalyze(url: string, table: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query(`VACUUM (ANALYZE) ${table}`);
  } finally {
    await client.end();
  }
}

export interface SingleRowLimit {
  insertsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** How long the load ran: with `total`, the rate, even when no insert succeeded. */
  seconds: number;
  walBytesPerInsert: number;
}

/**
 * A pgbench-style limit for one-record requests: one INSERT of one row per transaction
 * (autocommit, so each is flushed to the WAL before it is answered — synchronous_commit as the
 * server has it), named prepared statement, from `clients` connections in a closed loop for
 * `seconds`, leaf indexes from `firstLeafIndex`. Concurrent commits share WAL flushes, as they
 * would for any client of this server.
 */
export async function measureSingleRowInserts(
  url: string,
  table: string,
  rows: TransferRows,
  { clients, seconds, firstLeafIndex, maxInserts }: { clients: number; seconds: number; firstLeafIndex: number; maxInserts: number },
): Promise<SingleRowLimit> {
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(url)));
  const text = `INSERT INTO ${table} (${rows.columns.join(', ')}) VALUES (${rows.columns.map((_, i) => `$${i + 1}`).join(', ')})`;
  const latencies: number[] = [];
  let next = firstLeafIndex;
  try {
    const wal = await walPosition(connections[0]);
    const deadline = Date.now() + seconds * 1000;
    const started = process.hrtime.bigint();
    await Promise.all(
      connections.map(async (client) => {
        while (Date.now() < deadline && next - firstLeafIndex < maxInserts) {
          const values = rows.valuesOf(next++);
          const t0 = process.hrtime.bigint();
          await client.query({ name: 'bench-single-row', text, values });
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const walBytes = (await walPosition(connections[0])) - wal;
    latencies.sort((a, b) => a - b);
    return {
      insertsPerSecond: latencies.length / elapsed,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      total: latencies.length,
      seconds: elapsed,
      walBytesPerInsert: walBytes / Math.max(1, latencies.length),
    };
  } finally {
    await Promise.all(connections.map((c) => c.end()));
  }
}
