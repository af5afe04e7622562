import { createDataSource } from './data-source';

/** Arbitrary constant shared by every instance of the registry. */
const MIGRATION_LOCK_KEY = 0x67_62_61_31; // "gba1"

/**
 * Runs pending migrations under a PostgreSQL advisory lock so that two
 * instances starting together do not race (immich DatabaseService.withLock).
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource(url, { poolSize: 2 });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}
