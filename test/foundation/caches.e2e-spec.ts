/*
 * Two instances on one database (docs/architecture.md#caches): an account disabled, its password changed or
 * its secret rotated on one instance is refused by the other on its very next request, although the other had
 * the account cached; a change made by hand in SQL is refused by both as soon as its notification arrives.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { CacheInvalidation } from '../../src/database/cache-invalidation';
import { createOrganisation, startTestApp, TEST_USER_PASSWORD, TestApp } from '../support/app';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('caches across two instances', () => {
  let a: TestApp;
  let b: NestFastifyApplication;
  let httpB: TestAgent;

  beforeAll(async () => {
    a = await startTestApp();
    b = await createApp(a.config, a.databaseUrl, { silent: true });
    httpB = request(b.getHttpServer());
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** B has the account cached: two requests answered, the second from its caches. */
  async function warm(token: string): Promise<void> {
    for (let i = 0; i < 2; i++) expect((await httpB.get('/auth/me').set(bearer(token))).status).toBe(200);
  }

  it('both instances listen for changes', () => {
    expect(a.app.get(CacheInvalidation).live).toBe(true);
    expect(b.get(CacheInvalidation).live).toBe(true);
  });

  it('a user disabled on instance A gets 401 from instance B on the very next request, every time', async () => {
    for (let i = 0; i < 10; i++) {
      const user = await a.user('REGULATOR', { authority: 'HK_DPO' });
      await warm(user.token);
      expect((await a.http.post(`/users/${user.id}/disable`).set(bearer(a.adminToken))).status).toBe(204);
      const next = await httpB.get('/auth/me').set(bearer(user.token));
      expect(next.status).toBe(401);
      expect(next.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('a password changed on A refuses the old token on B at once; the new token works on B', async () => {
    const user = await a.user('ORG_ADMIN', { organisationId: (await organisation(a)).id });
    await warm(user.token);
    const changed = await a.http
      .post('/users/me/password')
      .set(bearer(user.token))
      .send({ currentPassword: TEST_USER_PASSWORD, newPassword: 'a new and much longer passphrase 4 cache tests' });
    expect(changed.status).toBe(200);
    expect((await httpB.get('/auth/me').set(bearer(user.token))).status).toBe(401);
    expect((await httpB.get('/auth/me').set(bearer(changed.body.accessToken as string))).status).toBe(200);
  });

  it('an account disabled by hand in SQL, through neither instance, is refused by both once the notification arrives', async () => {
    const user = await a.user('REGULATOR', { authority: 'GD_CAC' });
    await warm(user.token);
    expect((await a.http.get('/auth/me').set(bearer(user.token))).status).toBe(200);
    const heard = [notified(a.app), notified(b)];
    await a.dataSource.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    await Promise.all(heard);
    expect((await httpB.get('/auth/me').set(bearer(user.token))).status).toBe(401);
    expect((await a.http.get('/auth/me').set(bearer(user.token))).status).toBe(401);
  });

  it('a user re-roled by hand in SQL cannot use its old token on B once the notification arrives', async () => {
    const user = await a.user('REGULATOR', { authority: 'HK_PCPD' });
    await warm(user.token);
    const heard = notified(b);
    await a.dataSource.query(`UPDATE users SET role = 'SYSTEM_ADMIN', authority = NULL WHERE id = $1`, [user.id]);
    await heard;
    expect((await httpB.get('/auth/me').set(bearer(user.token))).status).toBe(401);
  });

  it('a service account whose secret is rotated on A cannot use its old token on B', async () => {
    const org = await organisation(a);
    const created = await a.http.post(`/organisations/${org.id}/service-accounts`).set(bearer(a.adminToken)).send({ name: 'cache test' });
    expect(created.status).toBe(201);
    const token = await a.http
      .post('/auth/token')
      .send({ grantType: 'client_credentials', clientId: created.body.clientId, clientSecret: created.body.clientSecret });
    expect(token.status).toBe(200);
    const accessToken = token.body.accessToken as string;
    await warm(accessToken);
    const rotated = await a.http.post(`/organisations/${org.id}/service-accounts/${created.body.id}/rotate-secret`).set(bearer(a.adminToken));
    expect(rotated.status).toBe(200);
    expect((await httpB.get('/auth/me').set(bearer(accessToken))).status).toBe(401);
  });
});

const organisation = async (app: TestApp): Promise<{ id: string }> => ({ id: await createOrganisation(app) });

/**
 * Resolves when the instance has received a change notification. A change made by hand in SQL is answered as
 * soon as it commits; the registry's own revocations wait until every instance has acknowledged theirs.
 */
async function notified(app: NestFastifyApplication): Promise<void> {
  const invalidation = app.get(CacheInvalidation);
  const before = invalidation.epoch;
  while (invalidation.epoch === before) await new Promise((resolve) => setTimeout(resolve, 1));
}
