import * as path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';

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
      // Every application connection runs as the restricted role: INSERT and SELECT only on the log tables.
      ...(extra.appRole ? { options: `-c role=${extra.appRole}` } : {}),
      application_name: 'gba-registry',
    },
  };
}

export function createDataSource(url: string, extra: { poolSize?: number; appRole?: string } = {}): DataSource {
  return new DataSource(dataSourceOptions(url, extra));
}
