import * as path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { RegistryPgClient } from './pg-client';

/** libpq's options syntax: a space inside a value is escaped with a backslash. */
const READ_COMMITTED_OPTION = '-c default_transaction_isolation=read\\ committed';

/**
 * The one TypeORM configuration, used by the app, the migration runner,
 * the drift test and the benchmarks (docs/contributing.md#database).
 */
export function dataSourceOptions(url: string, extra: { poolSize?: number; appRole?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [path.join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [path.join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension needed.
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    logging: false,
    extra: {
      max: extra.poolSize ?? 10,
      // A database that is down must fail requests fast (503), never hang them.
      connectionTimeoutMillis: 3000,
      keepAlive: true,
      // Every application connection runs as the restricted role (INSERT and SELECT only on the log tables), and
      // in READ COMMITTED whatever the server's default, so a transaction needs no SET (src/database/transaction.ts).
      options: [...(extra.appRole ? [`-c role=${extra.appRole}`] : []), READ_COMMITTED_OPTION].join(' '),
      application_name: 'gba-registry',
      // The pool's connections: node-postgres' Client, its promises settled without an old-generation closure.
      Client: RegistryPgClient,
    },
  };
}

export function createDataSource(url: string, extra: { poolSize?: number; appRole?: string } = {}): DataSource {
  return new DataSource(dataSourceOptions(url, extra));
}
