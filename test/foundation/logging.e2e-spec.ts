/*
 * Structured JSON logs (pino) with a request id; secrets and tokens never logged (docs/contributing.md#config-logs-and-api-docs).
 */
import { Client } from 'pg';
import { ADMIN_PASSWORD, bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { LogCapture } from '../support/log-capture';

describe('structured logs', () => {
  const capture = new LogCapture();
  let t: TestApp;
  const PASSWORD = 'filer-password-Zq8vN3xR';
  const WRONG_PASSWORD = 'wrong-password-Lp4sT9yW';
  const secrets: string[] = [PASSWORD, WRONG_PASSWORD, ADMIN_PASSWORD];

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'info' }, { logDestination: capture });
    t.app.flushLogs(); // Nest's own lines and the services' (buffered until listen, which the tests do not call)
    secrets.push(t.adminToken);
    const org = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });

    const user = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'logged.filer@example.test', password: PASSWORD, role: 'ORG_FILER', organisationId: org });
    expect(user.status).toBe(201);
    const signIn = await t.http.post('/auth/token').send({ grantType: 'password', email: 'logged.filer@example.test', password: PASSWORD });
    expect(signIn.status).toBe(200);
    secrets.push(signIn.body.accessToken);
    const me = await t.http
      .get('/auth/me')
      .set(...bearer(signIn.body.accessToken))
      .set('X-Request-Id', 'log-test-request-0001');
    expect(me.status).toBe(200);
    const failed = await t.http.post('/auth/token').send({ grantType: 'password', email: 'logged.filer@example.test', password: WRONG_PASSWORD });
    expect(failed.status).toBe(401);

    const account = await t.http
      .post(`/organisations/${org}/service-accounts`)
      .set(...bearer(t.adminToken))
      .send({ name: 'logger' });
    expect(account.status).toBe(201);
    secrets.push(account.body.clientSecret);
    const machine = await t.http
      .post('/auth/token')
      .send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
    expect(machine.status).toBe(200);
    secrets.push(machine.body.accessToken);
    // A rejected body that carries a secret in an unknown field.
    const rejected = await t.http
      .post('/auth/token')
      .send({ grantType: 'password', email: 'x@example.test', password: PASSWORD, clientSecret: account.body.clientSecret, extra: 1 });
    expect(rejected.status).toBe(400);
    // A 5xx: a table the route reads is gone for a moment (renamed by its owner).
    const owner = new Client({ connectionString: t.databaseUrl });
    await owner.connect();
    await owner.query('ALTER TABLE rollout_filing_materials RENAME TO rollout_filing_materials_away');
    const broken = await t.http.get('/reference').set('X-Request-Id', 'log-test-request-0500');
    await owner.query('ALTER TABLE rollout_filing_materials_away RENAME TO rollout_filing_materials');
    await owner.end();
    expect(broken.status).toBe(500);
    // Probes are not logged (they would drown everything else).
    expect((await t.http.get('/health/live')).status).toBe(200);
    expect((await t.http.get('/health/ready')).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
  });
  afterAll(async () => t?.close());

  it('writes one JSON object per line at the configured level', () => {
    const lines = capture.lines;
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), service: 'gba-registry' });
      expect(line.level as number).toBeGreaterThanOrEqual(30); // info
    }
  });

  it("carries the request id on every request line, the caller's when it sent a sane one", () => {
    const requestLines = capture.lines.filter((line) => line.req !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(7);
    for (const line of requestLines) expect((line.req as { id?: unknown }).id).toEqual(expect.any(String));
    const mine = requestLines.filter((line) => (line.req as { id: string }).id === 'log-test-request-0001');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ req: { method: 'GET', url: '/auth/me' }, res: { statusCode: 200 } });
    expect(requestLines.some((line) => (line.req as { url: string }).url === '/auth/token' && (line.res as { statusCode: number }).statusCode === 401)).toBe(
      true,
    );
    expect(requestLines.filter((line) => (line.req as { url: string }).url.startsWith('/health/'))).toEqual([]);
  });

  it('logs a 5xx as an error with its request id, from the service that saw it, and the request as errored', () => {
    const mine = capture.lines.filter((line) => (line.req as { id?: string } | undefined)?.id === 'log-test-request-0500');
    expect(mine).toEqual([
      expect.objectContaining({
        level: 50,
        context: 'Problem',
        requestId: 'log-test-request-0500',
        msg: 'request failed',
        req: { id: 'log-test-request-0500', method: 'GET', url: '/reference' },
      }),
      expect.objectContaining({
        level: 30,
        msg: 'request errored',
        req: { id: 'log-test-request-0500', method: 'GET', url: '/reference' },
        res: { statusCode: 500 },
        err: expect.objectContaining({ message: 'failed with status code 500' }),
        responseTime: expect.any(Number),
      }),
    ]);
  });

  it('contains no password, access token, client secret or authorization header', () => {
    const text = capture.text;
    expect(secrets.length).toBe(7);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect({ leaked: text.includes(secret) ? secret : null }).toEqual({ leaked: null });
    }
    // No fragment of a JWT either (its header is the same for every token we sign).
    expect(text).not.toContain(t.adminToken.split('.')[1]);
    expect(text).not.toMatch(/Bearer\s/);
  });
});
