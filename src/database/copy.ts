// The connection a transaction runs on, for a binary COPY of the transfer records (./binary-copy.ts),
// and streaming reads through COPY … TO (pg-copy-streams) for the exports (README, Performance).
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** The pg client a transaction's EntityManager runs on. */
export async function clientOf(manager: EntityManager): Promise<PoolClient> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('clientOf needs an EntityManager bound to a transaction');
  return (await runner.connect()) as PoolClient;
}

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
