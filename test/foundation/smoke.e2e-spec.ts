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
});
