import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager, QueryFailedError, TypeORMError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs `text` as a named prepared statement on a pooled connection: PostgreSQL parses and plans it once
 * per connection instead of on every request (the README, Performance, has the figure). `name` must be
 * unique to `text` across the process. The connection is taken straight from the primary's pool, without
 * a TypeORM QueryRunner for the one statement.
 * Errors come back as TypeORM's QueryFailedError, as `DataSource.query` throws them.
 */
export async function preparedQuery<T = Record<string, unknown>>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool | undefined;
  if (!pool) throw new TypeORMError('Driver not Connected');
  const client = await pool.connect();
  // The connection failing while it is out of the pool (no query running): dropped on release, not an unhandled 'error'.
  let broken: Error | undefined;
  const onError = (error: Error): void => void (broken = error);
  client.on('error', onError);
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
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
