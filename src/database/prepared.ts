import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs `text` as a named prepared statement on a pooled connection: PostgreSQL parses and plans it once
 * per connection instead of on every request (the README, Performance, has the figure). `name` must be
 * unique to `text` across the process.
 * Errors come back as TypeORM's QueryFailedError, as `DataSource.query` throws them.
 */
export async function preparedQuery<T = Record<string, unknown>>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = dataSource.createQueryRunner('master');
  try {
    const client = (await runner.connect()) as PoolClient;
    try {
      return (await client.query({ name, text, values })).rows as T[];
    } catch (error) {
      throw new QueryFailedError(text, values, error as Error);
    }
  } finally {
    await runner.release();
  }
}

/**
 * `preparedQuery` on `manager`'s connection: the caller's transaction when `manager` is a transaction's,
 * else a pooled connection for this one statement.
 */
export async function preparedQueryIn<T = Record<string, unknown>>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) return preparedQuery<T>(manager.connection, name, text, values);
  const client = (await runner.connect()) as PoolClient;
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}

/** A name unique to `text` (`preparedQuery`), for statements whose text is built from the request's filters. */
export function statementName(prefix: string, text: string): string {
  return `${prefix}-${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
}
