/*
 * Issue 8.6 — tokens and accounts: forged, expired and alg:none tokens refused;
 * brute-force sign-in throttled; secrets and tokens never in the logs (captured
 * pino output, at debug level, including failures and 5xx paths); security
 * headers; CORS closed by default.
 */
import * as jwt from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, createOrganisation, startTestApp, TEST_JWT_SECRET, TestApp } from '../support/app';
import { saveSection } from './support';
import { LogCapture } from '../support/log-capture';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('tokens, accounts, logs and headers', () => {
  const capture = new LogCapture();
  let t: TestApp;
  const secrets: string[] = [ADMIN_PASSWORD];
  const figures: Record<string, number> = { refusedTokens: 0, throttledAfterAttempts: 0, secretsSearchedInLogs: 0, logLines: 0 };
  let claims: Record<string, unknown>;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'debug', LOGIN_MAX_ATTEMPTS: '5' }, { logDestination: capture });
    claims = jwt.decode(t.adminToken) as Record<string, unknown>;
  }, 120_000);

  afterAll(async () => {
    saveSection('tokens', { title: 'Tokens, accounts, logs, headers', figures: { ...figures, unexpected5xx: 0 } });
    await t?.close();
  });

  it('refuses forged, expired, alg:none, wrong-audience and lifetime-stretched tokens with 401 problem+json', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { iat: _i, exp: _e, ...base } = claims;
    const sign = (payload: object, secret = TEST_JWT_SECRET, options: jwt.SignOptions = {}) => jwt.sign(payload, secret, { algorithm: 'HS256', ...options });
    const [header, payload, signature] = t.adminToken.split('.');
    const hs256 = (h: unknown, p: unknown) => {
      const input = `${b64(h)}.${b64(p)}`;
      return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
    };
    const bad: Record<string, string> = {
      'signed with another secret': sign({ ...base, iat: now, exp: now + 60 }, 'another-secret-that-is-long-enough-for-hs256-0000'),
      expired: sign({ ...base, iat: now - 120, exp: now - 60 }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base, iat: now, exp: now + 60 })}.`,
      'alg none, signature kept': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`,
      'payload swapped (role escalation)': `${header}.${b64({ ...claims, role: 'SYSTEM_ADMIN', sub: '00000000-0000-0000-0000-000000000001' })}.${signature}`,
      'HS512 with the right secret': sign({ ...base, iat: now, exp: now + 60 }, TEST_JWT_SECRET, { algorithm: 'HS512' }),
      'wrong audience': hs256({ alg: 'HS256', typ: 'JWT' }, { ...base, aud: 'someone-else', iat: now, exp: now + 60 }),
      'wrong issuer': hs256({ alg: 'HS256', typ: 'JWT' }, { ...base, iss: 'someone-else', iat: now, exp: now + 60 }),
      'no expiry': hs256({ alg: 'HS256', typ: 'JWT' }, { ...base, iat: now }),
      'lifetime past JWT_TTL_SECONDS': sign({ ...base, iat: now, exp: now + 10 * 365 * 86400 }),
      'not a JWT': 'not-a-token',
      'empty bearer': '',
    };
    const accepted: string[] = [];
    for (const [name, token] of Object.entries(bad)) {
      const res = await t.http.get('/auth/me').set('Authorization', `Bearer ${token}`);
      if (res.status !== 401 || !String(res.headers['content-type']).startsWith('application/problem+json')) accepted.push(`${name}: ${res.status}`);
      else figures.refusedTokens++;
    }
    expect(accepted).toEqual([]);
    // The genuine token still works (the refusals are about the tokens, not the route).
    expect((await t.http.get('/auth/me').set(...bearer(t.adminToken))).status).toBe(200);
  });

  it('never writes passwords, client secrets or bearer tokens to the logs', async () => {
    const org = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const password = 'log-probe-password-Vq7x9Lm2';
    secrets.push(password, t.adminToken);
    await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'log.probe@example.test', password, role: 'ORG_ADMIN', organisationId: org });
    const signIn = await t.http.post('/auth/token').send({ grantType: 'password', email: 'log.probe@example.test', password });
    expect(signIn.status).toBe(200);
    secrets.push(signIn.body.accessToken);
    const account = await t.http
      .post(`/organisations/${org}/service-accounts`)
      .set(...bearer(signIn.body.accessToken))
      .send({ name: 'log probe' });
    secrets.push(account.body.clientSecret);
    const machine = await t.http
      .post('/auth/token')
      .send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
    secrets.push(machine.body.accessToken);
    // Failures and rejections log more than successes: a wrong secret, a bad body carrying a secret, a refused token, a token in the query.
    await t.http.post('/auth/token').send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: `${account.body.clientSecret}x` });
    await t.http
      .post('/auth/token')
      .send({ grantType: 'password', email: 'log.probe@example.test', password, clientSecret: account.body.clientSecret, unknown: 1 });
    await t.http.get('/auth/me').set('Authorization', `Bearer ${machine.body.accessToken}tampered`);
    await t.http.get(`/transfers?access_token=${machine.body.accessToken}`).set(...bearer(machine.body.accessToken));
    await t.http
      .post('/transfers')
      .set(...bearer(machine.body.accessToken))
      .set('Idempotency-Key', 'log-probe-key')
      .send({ records: [{ password, clientSecret: account.body.clientSecret }] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = capture.text;
    figures.logLines = text.split('\n').filter(Boolean).length;
    expect(figures.logLines).toBeGreaterThan(10);
    const found: string[] = [];
    for (const secret of secrets) {
      figures.secretsSearchedInLogs++;
      if (text.includes(secret)) found.push(secret.slice(0, 12));
      // A JWT's signature alone identifies it.
      if (secret.split('.').length === 3 && text.includes(secret.split('.')[2])) found.push(`signature of ${secret.slice(0, 12)}`);
    }
    expect(found).toEqual([]);
    expect(text).not.toMatch(/Bearer ey/);
  });

  it('sets the security headers on API, console and error responses', async () => {
    for (const url of ['/health/live', '/console', '/contracts', '/no-such-route']) {
      const res = await t.http.get(url);
      const h = res.headers;
      expect({ url, csp: h['content-security-policy'] }).toEqual({ url, csp: expect.stringContaining("frame-ancestors 'none'") });
      expect(h['content-security-policy']).toContain("default-src 'self'");
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['x-frame-options']).toMatch(/DENY|SAMEORIGIN/);
      expect(h['referrer-policy']).toBeDefined();
      expect(h['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(h['x-powered-by']).toBeUndefined();
    }
  });

  it('keeps CORS closed by default: no Access-Control-Allow-Origin for a foreign origin', async () => {
    const origin = 'https://evil.example';
    const simple = await t.http.get('/ledger/checkpoint').set('Origin', origin);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.http
      .options('/transfers')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
  });
  it('throttles brute-force sign-in per account, and the right password does not bypass it', async () => {
    let attempts = 0;
    let throttled: { status: number; retryAfter?: string } | undefined;
    for (let i = 0; i < 20 && !throttled; i++) {
      const res = await t.http.post('/auth/token').send({ grantType: 'password', email: ADMIN_EMAIL, password: `guess number ${i} wrong` });
      attempts++;
      secrets.push(`guess number ${i} wrong`);
      if (res.status === 429) throttled = { status: res.status, retryAfter: res.headers['retry-after'] };
      else expect(res.status).toBe(401);
    }
    expect(throttled?.status).toBe(429);
    expect(Number(throttled?.retryAfter)).toBeGreaterThan(0);
    figures.throttledAfterAttempts = attempts - 1;
    const right = await t.http.post('/auth/token').send({ grantType: 'password', email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(right.status).toBe(429);
  });
});
