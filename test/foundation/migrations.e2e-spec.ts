/*
 * Entities and committed migrations agree (docs/contributing.md#database; vendure checkMigrationStatus), and
 * migrations run safely when two instances start together (immich withLock(DatabaseLock.Migrations)).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { runMigrations } from '../../src/database/migrate';
import { createTestDatabase, databaseUrlFor } from '../support/database';

const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'src', 'database', 'migrations');
const migrationFiles = (): string[] => fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+-\w+\.ts$/.test(f));

/** The SQL TypeORM would generate to bring `url` in line with the entities; empty when they agree. */
async function pendingSchemaChanges(url: string): Promise<string[]> {
  // As the owner: the application's DataSource runs as the restricted role registry_app.
  const dataSource = createDataSource(url, { poolSize: 1 });
  await dataSource.initialize();
  try {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    await dataSource.destroy();
  }
}

async function withServer<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: databaseUrlFor(process.env.TEST_DATABASE_SERVER_URL!, 'postgres') });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

describe('migrations', () => {
  it('leave no difference between the entities and the migrated schema', async () => {
    const database = await createTestDatabase();
    try {
      const pending = await pendingSchemaChanges(database.url);
      if (pending.length) {
        throw new Error(
          `The entities and the migrations drifted apart; generate a migration ` +
            `(DATABASE_URL=<scratch db> npm run migration:generate -- Name). Pending up-queries:\n${pending.join(';\n')};`,
        );
      }
      expect(pending).toEqual([]);
    } finally {
      await database.drop();
    }
  });

  describe('run twice at once on an empty database', () => {
    const name = `gba_t_${process.env.TEST_RUN_ID ?? 'x'}_mig_${randomBytes(4).toString('hex')}`;
    let url: string;
    beforeAll(async () => {
      await withServer((admin) => admin.query(`CREATE DATABASE ${name}`));
      url = databaseUrlFor(process.env.TEST_DATABASE_SERVER_URL!, name);
    });
    afterAll(async () => {
      await withServer((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    });

    it('applies every migration exactly once, without error, under the advisory lock', async () => {
      const [first, second] = await Promise.all([runMigrations(url), runMigrations(url)]);
      const files = migrationFiles();
      expect(files.length).toBeGreaterThan(0);
      // One instance applied everything; the other waited for the lock and found nothing to do.
      expect([first.length, second.length].sort((a, b) => a - b)).toEqual([0, files.length]);

      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const rows = (await client.query('SELECT name FROM schema_migrations ORDER BY id')).rows as { name: string }[];
        expect(rows).toHaveLength(files.length);
        expect(new Set(rows.map((r) => r.name)).size).toBe(files.length);
        const role = await client.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'registry_app'`);
        expect(role.rows).toEqual([{ rolcanlogin: false }]);
      } finally {
        await client.end();
      }
      expect(await runMigrations(url)).toEqual([]);
      expect(await pendingSchemaChanges(url)).toEqual([]);
    });
  });
});
