/*
 * Sign-in throttling that stops guessing without letting a stranger lock the right people out
 * (docs/api.md#authentication-and-roles; OWASP Authentication Cheat Sheet, "Account lockout"):
 * failures count per (account, client address) pair, per address only above a much higher bar,
 * and the counts live in PostgreSQL, shared by every instance.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { AuthService } from '../../src/auth/auth.service';
import { ADDRESS_FACTOR } from '../../src/auth/login-throttle';
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';

const PROBLEM_JSON = /^application\/problem\+json/;
const RIGHT = 'the right password';

/** Through the real route, from a chosen client address (Fastify's inject sets the socket address). */
async function signInFrom(app: NestFastifyApplication, remoteAddress: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/auth/token',
    remoteAddress,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as Record<string, unknown> };
}
const password = (email: string, secret: string) => ({ grantType: 'password', email, password: secret });

async function createUsers(t: TestApp, emails: string[]): Promise<void> {
  for (const email of emails) {
    const created = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email, password: RIGHT, role: 'REGULATOR', authority: 'HK_DPO' });
    expect(created.status).toBe(201);
  }
}

describe('sign-in throttling per (account, address)', () => {
  let t: TestApp;
  const MAX = 3;
  const WINDOW = 120;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_ATTEMPTS: String(MAX), LOGIN_WINDOW_SECONDS: String(WINDOW) });
    await createUsers(t, ['regulator@example.test', 'mistyper@example.test', 'colleague@example.test', 'nat.user@example.test']);
  });
  afterAll(async () => t?.close());

  it('a stranger failing against a regulator from other addresses does not lock the regulator out', async () => {
    // Many failures from one address, and a few from each of several more: far above the per-pair limit.
    for (let i = 0; i < MAX * 3; i++)
      expect([401, 429]).toContain((await signInFrom(t.app, '198.18.7.7', password('regulator@example.test', `guess ${i}`))).status);
    for (let a = 1; a <= 4; a++) {
      for (let i = 0; i < MAX; i++) expect((await signInFrom(t.app, `198.18.8.${a}`, password(' REGULATOR@example.test ', `guess ${i}`))).status).toBe(401);
    }
    // The stranger's own address is throttled on that account...
    expect((await signInFrom(t.app, '198.18.7.7', password('regulator@example.test', 'guess again'))).status).toBe(429);
    // ...the regulator, at her own address, signs in.
    const regulator = await signInFrom(t.app, '203.0.113.20', password('regulator@example.test', RIGHT));
    expect(regulator.status).toBe(200);
    expect(regulator.body.accessToken).toEqual(expect.any(String));
  });

  it('repeated failures from one address on one account are answered 429 with Retry-After, even for the right password', async () => {
    for (let i = 0; i < MAX; i++) expect((await signInFrom(t.app, '192.0.2.10', password('mistyper@example.test', 'mistyped'))).status).toBe(401);
    for (const secret of ['mistyped', RIGHT]) {
      const locked = await signInFrom(t.app, '192.0.2.10', password('mistyper@example.test', secret));
      expect(locked.status).toBe(429);
      expect(String(locked.headers['content-type'])).toMatch(PROBLEM_JSON);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(WINDOW);
      expect(locked.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      expect(locked.body.accessToken).toBeUndefined();
    }
    // The counts are rows in PostgreSQL.
    const rows = await t.dataSource.query<{ failures: number; blocked_until: Date | null }[]>(
      `SELECT failures, blocked_until FROM login_throttle WHERE key = 'pair:password:mistyper@example.test:192.0.2.10'`,
    );
    expect(rows).toEqual([{ failures: MAX, blocked_until: expect.any(Date) }]);
    // A colleague at the same address, and the same person elsewhere, are unaffected.
    expect((await signInFrom(t.app, '192.0.2.10', password('colleague@example.test', RIGHT))).status).toBe(200);
    expect((await signInFrom(t.app, '192.0.2.11', password('mistyper@example.test', RIGHT))).status).toBe(200);
  });

  it('a success forgets the failures of that pair', async () => {
    for (let i = 0; i < MAX - 1; i++) expect((await signInFrom(t.app, '192.0.2.30', password('colleague@example.test', 'typo'))).status).toBe(401);
    expect((await signInFrom(t.app, '192.0.2.30', password('colleague@example.test', RIGHT))).status).toBe(200);
    for (let i = 0; i < MAX - 1; i++) expect((await signInFrom(t.app, '192.0.2.30', password('colleague@example.test', 'typo'))).status).toBe(401);
    expect((await signInFrom(t.app, '192.0.2.30', password('colleague@example.test', RIGHT))).status).toBe(200);
  });

  it('a service account behind an address where users keep failing still signs in; password sign-in there stops only above the address bar', async () => {
    const orgId = await createOrganisation(t);
    const account = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(t.adminToken))
      .send({ name: 'transfer-logger' });
    expect(account.status).toBe(201);
    const nat = '100.64.0.1';
    // Many different people mistyping behind one NAT: every failure counts towards the address.
    for (let i = 0; i < ADDRESS_FACTOR * MAX; i++) {
      expect((await signInFrom(t.app, nat, password(`someone-${i % 40}@example.test`, 'mistyped'))).status).toBe(401);
    }
    const logger = await signInFrom(t.app, nat, { grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
    expect(logger.status).toBe(200);
    // Password guessing across accounts from that one address is what the address bar stops.
    const user = await signInFrom(t.app, nat, password('nat.user@example.test', RIGHT));
    expect(user.status).toBe(429);
    expect(Number(user.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('throttles the client_credentials grant per (client id, address) too', async () => {
    const body = { grantType: 'client_credentials', clientId: 'sa_000000000000000000000000', clientSecret: 'nope' };
    for (let i = 0; i < MAX; i++) expect((await signInFrom(t.app, '198.51.100.1', body)).status).toBe(401);
    const locked = await signInFrom(t.app, '198.51.100.1', body);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    expect((await signInFrom(t.app, '198.51.100.2', body)).status).toBe(401);
  });

  it('purges rows whose time has passed', async () => {
    await t.dataSource.query(
      `INSERT INTO login_throttle (key, failures, locks, blocked_until, expires_at) VALUES ('pair:password:gone@example.test:192.0.2.99', 2, 0, NULL, now() - interval '1 second')`,
    );
    await t.dataSource.query(`UPDATE login_throttle SET expires_at = now() - interval '1 second' WHERE key LIKE 'pair:password:mistyper@example.test:%'`);
    const purged = await t.app.get(AuthService).throttle.purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(2);
    expect(await t.dataSource.query(`SELECT key FROM login_throttle WHERE expires_at <= now()`)).toEqual([]);
    // The expired lock no longer holds.
    expect((await signInFrom(t.app, '192.0.2.10', password('mistyper@example.test', RIGHT))).status).toBe(200);
  });
});

describe('sign-in throttling shared by two instances on one database', () => {
  let t: TestApp;
  let second: NestFastifyApplication;
  const MAX = 4;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_ATTEMPTS: String(MAX) });
    second = await createApp(t.config, t.databaseUrl, { silent: true });
    await createUsers(t, ['shared@example.test']);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('failures counted by one instance lock the pair on the other', async () => {
    const apps = [t.app, second];
    for (let i = 0; i < MAX; i++) expect((await signInFrom(apps[i % 2], '192.0.2.50', password('shared@example.test', 'wrong'))).status).toBe(401);
    for (const app of apps) {
      const locked = await signInFrom(app, '192.0.2.50', password('shared@example.test', RIGHT));
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect((await signInFrom(second, '192.0.2.51', password('shared@example.test', RIGHT))).status).toBe(200);
  });
});

describe('sign-in throttling behind a trusted proxy (TRUST_PROXY)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_ATTEMPTS: '2', TRUST_PROXY: '10.1.1.1' });
    await createUsers(t, ['behind@example.test']);
  });
  afterAll(async () => t?.close());

  const viaProxy = (proxy: string, client: string, email: string, secret: string) =>
    signInFrom(t.app, proxy, password(email, secret), { 'x-forwarded-for': client });

  it('counts failures per forwarded client address, not per proxy', async () => {
    for (let i = 0; i < 2; i++) expect((await viaProxy('10.1.1.1', '203.0.113.5', 'behind@example.test', 'x')).status).toBe(401);
    expect((await viaProxy('10.1.1.1', '203.0.113.5', 'behind@example.test', RIGHT)).status).toBe(429);
    // Another client behind the same proxy is not locked out.
    expect((await viaProxy('10.1.1.1', '203.0.113.6', 'behind@example.test', RIGHT)).status).toBe(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer', async () => {
    for (let i = 0; i < 2; i++) expect((await viaProxy('198.51.100.9', `198.18.0.${i}`, 'behind@example.test', 'x')).status).toBe(401);
    // Rotating the forwarded address does not help: the peer's own address is what counts.
    expect((await viaProxy('198.51.100.9', '198.18.0.99', 'behind@example.test', RIGHT)).status).toBe(429);
  });
});
