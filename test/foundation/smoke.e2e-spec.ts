import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { inTransaction } from '../../src/database/transaction';
import { bearer, startTestApp, TestApp } from '../support/app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('is live and ready', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('knows the admin', async () => {
    const me = await t.http.get('/auth/me').set(...bearer(t.adminToken));
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('SYSTEM_ADMIN');
  });

  it('runs queries as the restricted role', async () => {
    const [{ current_user }] = await t.dataSource.query('SELECT current_user');
    expect(current_user).toBe('registry_app');
  });

  it('runs transactions in READ COMMITTED even where the database defaults to another level', async () => {
    const owner = new Client({ connectionString: t.databaseUrl });
    await owner.connect();
    const database = (await owner.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name;
    await owner.query(`ALTER DATABASE "${database}" SET default_transaction_isolation = 'serializable'`);
    const fresh = createDataSource(t.databaseUrl, { appRole: 'registry_app', poolSize: 1 });
    try {
      // A session opened with no options of its own now starts in SERIALIZABLE: the setting took.
      const plain = new Client({ connectionString: t.databaseUrl });
      await plain.connect();
      const [{ transaction_isolation: plainLevel }] = (await plain.query('SHOW transaction_isolation')).rows;
      await plain.end();
      expect(plainLevel).toBe('serializable');
      await fresh.initialize();
      const level = await inTransaction(fresh, async (m) => (await m.query('SHOW transaction_isolation'))[0].transaction_isolation);
      expect(level).toBe('read committed');
    } finally {
      if (fresh.isInitialized) await fresh.destroy();
      await owner.query(`ALTER DATABASE "${database}" RESET default_transaction_isolation`);
      await owner.end();
    }
  });
});
