/*
 * People (docs/api.md#users, #sessions): the list of users scoped by the access policy, display names, an
 * administrator's password reset, and console sessions: a refresh token in an HttpOnly cookie, rotated on use,
 * a reused one ending the session, sign-out and disabling ending it (on another instance too), and a contract's
 * history naming who acted.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { contractBody, setupParties } from '../contracts/fixtures';
import { ADMIN_EMAIL, bearer, createOrganisation, startTestApp, TEST_USER_PASSWORD, TestApp } from '../support/app';

const PROBLEM_JSON = /^application\/problem\+json/;

/** The session cookie's value from a response, and the cookie's attributes. */
function sessionCookieOf(response: { headers: Record<string, unknown> }): { token: string; attributes: string } {
  const header = ([] as string[])
    .concat((response.headers['set-cookie'] as string[] | string | undefined) ?? [])
    .find((c) => c.startsWith('registry_session='));
  if (!header) throw new Error('no session cookie set');
  const [pair, ...attributes] = header.split('; ');
  return { token: pair.slice('registry_session='.length), attributes: attributes.join('; ') };
}

describe('people: users, passwords and sessions', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  // A second instance on the same database, open for the whole file (passport's strategy is process-wide: the
  // instance created last verifies tokens for both, so it must outlive every test).
  let b: NestFastifyApplication;
  let httpB: TestAgent;
  beforeAll(async () => {
    t = await startTestApp({ JWT_TTL_SECONDS: '60' });
    b = await createApp(t.config, t.databaseUrl, { silent: true });
    httpB = request(b.getHttpServer());
    orgA = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    orgB = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN' });
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  const signIn = (email: string, password = TEST_USER_PASSWORD) => t.http.post('/auth/token').send({ grantType: 'password', email, password });
  const refresh = (token: string, http: TestAgent = t.http) => http.post('/auth/refresh').set('Cookie', `registry_session=${token}`);
  const listAll = async (token: string, query: Record<string, string> = {}) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.http
        .get('/users')
        .query({ ...query, limit: '2', ...(cursor ? { cursor } : {}) })
        .set(...bearer(token));
      expect(page.status).toBe(200);
      ids.push(...(page.body.items as Array<{ id: string }>).map((u) => u.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  };

  describe('GET /users', () => {
    it("an administrator sees every user, an organisation's administrator its own organisation's only; regulators and filers are refused", async () => {
      const adminA = await t.user('ORG_ADMIN', { organisationId: orgA });
      const filerA = await t.user('ORG_FILER', { organisationId: orgA });
      const filerB = await t.user('ORG_FILER', { organisationId: orgB });
      const regulator = await t.user('REGULATOR', { authority: 'HK_DPO' });

      const all = await listAll(t.adminToken);
      expect(all).toEqual(expect.arrayContaining([adminA.id, filerA.id, filerB.id, regulator.id]));
      expect(new Set(all).size).toBe(all.length);
      const count = Number((await t.dataSource.query(`SELECT count(*) AS n FROM users`))[0].n);
      expect(all).toHaveLength(count);

      const own = await listAll(adminA.token);
      expect(own.sort()).toEqual([adminA.id, filerA.id].sort());
      // Asking for another organisation's users yields none of them.
      expect(await listAll(adminA.token, { organisationId: orgB })).toEqual([]);
      expect(await listAll(t.adminToken, { organisationId: orgB })).toEqual([filerB.id]);

      for (const token of [regulator.token, filerA.token]) {
        const refused = await t.http.get('/users').set(...bearer(token));
        expect(refused.status).toBe(403);
        expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
      }
    });

    it('shows display names, never password hashes; a display name given at creation is in GET /auth/me', async () => {
      const created = await t.http
        .post('/users')
        .set(...bearer(t.adminToken))
        .send({
          email: 'chan.tai.man@registry.test',
          password: 'harbour lantern typhoon 8',
          role: 'REGULATOR',
          authority: 'HK_DPO',
          displayName: '陳大文 Chan Tai Man',
        });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ displayName: '陳大文 Chan Tai Man', actsFor: 'authority' });
      const token = (await signIn('chan.tai.man@registry.test', 'harbour lantern typhoon 8')).body.accessToken as string;
      const me = await t.http.get('/auth/me').set(...bearer(token));
      expect(me.body).toMatchObject({ email: 'chan.tai.man@registry.test', displayName: '陳大文 Chan Tai Man', actsFor: 'authority' });
      const page = await t.http
        .get('/users')
        .query({ limit: '1000' })
        .set(...bearer(t.adminToken));
      const listed = (page.body.items as Array<Record<string, unknown>>).find((u) => u.id === created.body.id);
      expect(listed).toEqual({
        id: created.body.id,
        email: 'chan.tai.man@registry.test',
        displayName: '陳大文 Chan Tai Man',
        role: 'REGULATOR',
        organisationId: null,
        authority: 'HK_DPO',
        disabledAt: null,
        createdAt: expect.any(String),
      });
    });

    it('refuses a display name that is not clean text, naming the field', async () => {
      const response = await t.http
        .post('/users')
        .set(...bearer(t.adminToken))
        .send({ email: 'nul@registry.test', password: 'harbour lantern typhoon 8', role: 'REGULATOR', authority: 'HK_DPO', displayName: 'a\u0000b' });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'displayName' })]);
    });
  });

  describe("an administrator's reset", () => {
    it("sets the password, ends the user's tokens and sessions; an organisation's administrator resets its own users only", async () => {
      const adminA = await t.user('ORG_ADMIN', { organisationId: orgA });
      const filerA = await t.user('ORG_FILER', { organisationId: orgA });
      const filerB = await t.user('ORG_FILER', { organisationId: orgB });
      const session = sessionCookieOf(await signIn(filerA.email));

      const weak = await t.http
        .post(`/users/${filerA.id}/password`)
        .set(...bearer(adminA.token))
        .send({ newPassword: 'password1234' });
      expect(weak.status).toBe(400);
      expect(weak.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'newPassword', rule: 'PASSWORD_TOO_WEAK' })]);

      const reset = await t.http
        .post(`/users/${filerA.id}/password`)
        .set(...bearer(adminA.token))
        .send({ newPassword: 'junk rivet mango 5151' });
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ id: filerA.id, email: filerA.email });
      expect((await signIn(filerA.email)).status).toBe(401);
      expect((await signIn(filerA.email, 'junk rivet mango 5151')).status).toBe(200);
      expect((await t.http.get('/auth/me').set(...bearer(filerA.token))).status).toBe(401);
      expect((await refresh(session.token)).status).toBe(401);

      const other = await t.http
        .post(`/users/${filerB.id}/password`)
        .set(...bearer(adminA.token))
        .send({ newPassword: 'junk rivet mango 5151' });
      expect(other.status).toBe(404);
      expect((await signIn(filerB.email)).status).toBe(200);

      const admin = await t.dataSource.query(`SELECT id FROM users WHERE email = $1`, [ADMIN_EMAIL]);
      const own = await t.http
        .post(`/users/${admin[0].id}/password`)
        .set(...bearer(t.adminToken))
        .send({ newPassword: 'junk rivet mango 5151' });
      expect(own.status).toBe(403);
    });
  });

  describe('sessions', () => {
    it('a password sign-in sets an HttpOnly, SameSite=Strict cookie scoped to /auth; the token is stored as a digest only', async () => {
      const user = await t.user('REGULATOR', { authority: 'GD_CAC' });
      const response = await signIn(user.email);
      expect(response.status).toBe(200);
      expect(response.body.sessionExpiresAt).toEqual(expect.any(String));
      const { token, attributes } = sessionCookieOf(response);
      expect(attributes).toMatch(/^Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
      const stored = await t.dataSource.query(`SELECT token_hash FROM auth_refresh_tokens WHERE user_id = $1`, [user.id]);
      expect(stored).toHaveLength(1);
      expect(Buffer.from(stored[0].token_hash).toString('utf8')).not.toContain(token);
      expect(JSON.stringify(response.body)).not.toContain(token);
    });

    it('service accounts get no session', async () => {
      const account = await t.http
        .post(`/organisations/${orgA}/service-accounts`)
        .set(...bearer(t.adminToken))
        .send({});
      const response = await t.http
        .post('/auth/token')
        .send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
      expect(response.status).toBe(200);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body.sessionExpiresAt).toBeUndefined();
    });

    it('a refresh gives a working token and the next refresh token; the spent one presented again ends the session', async () => {
      const user = await t.user('REGULATOR', { authority: 'GD_CAC' });
      const first = sessionCookieOf(await signIn(user.email)).token;
      const renewed = await refresh(first);
      expect(renewed.status).toBe(200);
      const second = sessionCookieOf(renewed).token;
      expect(second).not.toBe(first);
      expect((await t.http.get('/auth/me').set(...bearer(renewed.body.accessToken as string))).body).toMatchObject({ id: user.id });
      const third = sessionCookieOf(await refresh(second)).token;

      const replay = await refresh(first);
      expect(replay.status).toBe(401);
      expect(replay.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(sessionCookieOf(replay).attributes).toMatch(/Max-Age=0/);
      // The whole family is revoked: the newest token, which the thief or the user holds, is refused too.
      expect((await refresh(third)).status).toBe(401);
      const live = await t.dataSource.query(`SELECT count(*)::int AS n FROM auth_refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
      expect(live[0].n).toBe(0);
    });

    it('refuses a refresh without a cookie, or with one the registry never issued', async () => {
      expect((await t.http.post('/auth/refresh')).status).toBe(401);
      expect((await refresh('A'.repeat(43))).status).toBe(401);
    });

    it('sign-out ends the session; another session of the same user goes on', async () => {
      const user = await t.user('REGULATOR', { authority: 'GD_CAC' });
      const laptop = sessionCookieOf(await signIn(user.email)).token;
      const desktop = sessionCookieOf(await signIn(user.email)).token;
      const out = await t.http.post('/auth/logout').set('Cookie', `registry_session=${laptop}`);
      expect(out.status).toBe(204);
      expect(sessionCookieOf(out).attributes).toMatch(/Max-Age=0/);
      expect((await refresh(laptop)).status).toBe(401);
      expect((await refresh(desktop)).status).toBe(200);
    });

    it('a session ends when SESSION_MAX_HOURS have passed since sign-in, however often it was renewed', async () => {
      const user = await t.user('REGULATOR', { authority: 'GD_CAC' });
      const token = sessionCookieOf(await signIn(user.email)).token;
      await t.dataSource.query(`UPDATE auth_refresh_tokens SET session_expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
      expect((await refresh(token)).status).toBe(401);
    });

    it('a password change ends the other sessions and starts a new one', async () => {
      const user = await t.user('ORG_FILER', { organisationId: orgA });
      const other = sessionCookieOf(await signIn(user.email)).token;
      const changed = await t.http
        .post('/users/me/password')
        .set(...bearer(user.token))
        .send({ currentPassword: TEST_USER_PASSWORD, newPassword: 'copper tundra violin 314' });
      expect(changed.status).toBe(200);
      expect((await refresh(other)).status).toBe(401);
      expect((await refresh(sessionCookieOf(changed).token)).status).toBe(200);
      expect((await signIn(user.email)).status).toBe(401);
    });

    describe('on two instances', () => {
      it('a user disabled on one instance can renew their session on neither, and their token is refused by the other at once', async () => {
        const user = await t.user('ORG_FILER', { organisationId: orgA });
        const signedIn = await signIn(user.email);
        const session = sessionCookieOf(signedIn).token;
        const renewed = await refresh(session, httpB);
        expect(renewed.status).toBe(200);
        const access = renewed.body.accessToken as string;
        expect((await httpB.get('/auth/me').set(...bearer(access))).status).toBe(200);
        expect((await t.http.post(`/users/${user.id}/disable`).set(...bearer(t.adminToken))).status).toBe(204);
        expect((await httpB.get('/auth/me').set(...bearer(access))).status).toBe(401);
        expect((await refresh(sessionCookieOf(renewed).token, httpB)).status).toBe(401);
        expect((await refresh(sessionCookieOf(renewed).token)).status).toBe(401);
      });
    });
  });

  it("a contract's history names who acted", async () => {
    const parties = await setupParties(t);
    const created = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({
        email: 'lee.siu.fong@mainland.test',
        password: 'harbour lantern typhoon 8',
        role: 'ORG_FILER',
        organisationId: parties.mainlandId,
        displayName: '李小芳',
      });
    expect(created.status).toBe(201);
    const token = (await signIn('lee.siu.fong@mainland.test', 'harbour lantern typhoon 8')).body.accessToken as string;
    const contract = await t.http
      .post('/contracts')
      .set(...bearer(token))
      .send(contractBody(parties.mainlandId, parties.hongKongId));
    expect(contract.status).toBe(201);
    const history = await t.http.get(`/contracts/${contract.body.id}/history`).set(...bearer(parties.gdCac));
    expect(history.status).toBe(200);
    expect(history.body.items.length).toBeGreaterThan(0);
    for (const entry of history.body.items) {
      expect(entry.actor).toMatchObject({ id: created.body.id, kind: 'user', name: '李小芳', role: 'ORG_FILER' });
    }
  });
});
