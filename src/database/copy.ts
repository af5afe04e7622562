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

/** COPY (query) TO STDOUT as a readable stream of bytes. */
export function copyOut(client: PoolClient, sql: string): Readable {
  return client.query(copyTo(sql));
}
