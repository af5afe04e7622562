import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/**
 * Runs work atomically; repositories join through the EntityManager passed in.
 * Retries on serialization failure or deadlock (vendure transaction-wrapper).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: { isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE'; attempts?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      // READ COMMITTED is every connection's default (src/database/data-source.ts): no SET TRANSACTION round trip for it.
      const isolation = options.isolation === 'READ COMMITTED' ? undefined : options.isolation;
      return await (isolation ? dataSource.transaction(isolation, work) : dataSource.transaction(work));
    } catch (error) {
      const code = sqlState(error);
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}

/**
 * A transaction on one pooled connection that `work` opens and commits itself, with BEGIN sent together with its
 * first statements and COMMIT with its last (./one-message.ts), so neither costs a round trip of its own. `work`
 * gets the pg client and an EntityManager on the same connection for ordinary queries in between. When `work`
 * throws, the transaction is rolled back (a ROLLBACK with none open is only a warning); a connection that cannot
 * take the ROLLBACK is broken, and the pool drops it on release. Retried as inTransaction is.
 */
export async function inOwnTransaction<T>(dataSource: DataSource, work: (client: PoolClient, manager: EntityManager) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const runner = dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      try {
        return await work(client, runner.manager);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
    } finally {
      await runner.release();
    }
    await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
  }
}

/** One statement outside a transaction of the caller's, retried on serialization failure or deadlock as inTransaction is. */
export async function retried<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}

function sqlState(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return e?.code ?? e?.driverError?.code;
}
