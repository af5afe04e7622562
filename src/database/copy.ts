// Streaming reads through COPY … TO (pg-copy-streams) for the exports (README, Performance), on a
// pooled connection of their own.
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** A pooled client for a long read (exports); call release() exactly once. */
export async function borrowClient(dataSource: DataSource): Promise<{ client: PoolClient; release: (error?: Error) => void }> {
  const [client, release] = (await (dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PoolClient, (error?: Error) => void];
  let released = false;
  return {
    client,
    // Releasing with an error makes the pool destroy the connection instead of reusing it.
    release: (error?: Error) => {
      if (!released) {
        released = true;
        release(error);
      }
    },
  };
}

/**
 * How an export's COPY is planned: without parallel workers. An export reads its rows in leaf order, and
 * the log is stored in leaf order, so the primary key's index scan streams the first row at once and holds
 * nothing. With two workers, PostgreSQL prices a parallel scan and a sort of the whole log lower once the
 * log outgrows effective_cache_size (at 10 million records: 8.8 against 14.7 million), and then sends
 * nothing until it has sorted it all on disk (its first byte after 27–33 s at 10 million records; docs/scaling.md#exports).
 * On two cores a parallel plan has no core to spare anyway.
 */
export const EXPORT_PLAN_SQL = 'BEGIN READ ONLY; SET LOCAL max_parallel_workers_per_gather = 0';

/**
 * COPY (query) TO STDOUT as a readable stream of bytes, planned as EXPORT_PLAN_SQL says, in a read-only
 * transaction that ends with the stream. The connection is released once: after COMMIT when the COPY
 * ended, destroyed when it failed or the client went away mid-stream (it is then still in COPY OUT).
 */
export async function exportCopy(client: PoolClient, sql: string, release: (error?: Error) => void): Promise<Readable> {
  await client.query(EXPORT_PLAN_SQL);
  const copy = client.query(copyTo(sql));
  let done = false;
  copy.once('end', () => {
    done = true;
    client.query('COMMIT').then(
      () => release(),
      (error: Error) => release(error),
    );
  });
  copy.once('error', (error) => {
    done = true;
    release(error);
  });
  copy.once('close', () => {
    if (!done) release(new Error('export aborted'));
  });
  return copy;
}
