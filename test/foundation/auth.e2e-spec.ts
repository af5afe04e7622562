/*
 * Sign-in, tokens and accounts through the real endpoints (docs/api.md#authentication-and-roles; issue 2 "Sign-in and roles").
 */
import * as jwt from 'jsonwebtoken';
import { ServiceAccount } from '../../src/auth/service-account.entity';
import { User } from '../../src/auth/user.entity';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, createOrganisation, startTestApp, TEST_JWT_SECRET, TestApp } from '../support/app';

const PROBLEM_JSON = /^application\/problem\+json/;

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bearer tokens: every rejection is 401 problem+json', () => {
  let t: TestApp;
  let userId: string;
  let goodClaims: Record<string, unknown>;

  beforeAll(async () => {
    t = await startTestApp();
    userId = (await t.user('SYSTEM_ADMIN')).id;
    goodClaims = { sub: userId, kind: 'user', role: 'SYSTEM_ADMIN' };
  });
  afterAll(async () => t?.close());

  const sign = (overrides: jwt.SignOptions = {}, secret = TEST_JWT_SECRET, claims = goodClaims): string =>
    jwt.sign(claims, secret, { algorithm: 'HS256', issuer: t.config.jwtIssuer, audience: t.config.jwtAudience, expiresIn: 300, ...overrides });

  const expectRejected = async (authorization: string | undefined): Promise<void> => {
    const call = t.http.get('/auth/me');
    if (authorization !== undefined) call.set('Authorization', authorization);
    const response = await call;
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Authentication required' });
    expect(JSON.stringify(response.body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
  };

  it('accepts a well-formed token (the control case)', async () => {
    const response = await t.http.get('/auth/me').set(...bearer(sign()));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: userId, role: 'SYSTEM_ADMIN', kind: 'user' });
  });

  it('rejects alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...goodClaims, iss: t.config.jwtIssuer, aud: t.config.jwtAudience, iat: now, exp: now + 300 })}.`;
    await expectRejected(`Bearer ${unsigned}`);
  });

  it('rejects a token signed with another key', async () => {
    await expectRejected(`Bearer ${sign({}, 'another-secret-that-is-also-long-enough-0123456789')}`);
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const [header, , signature] = sign().split('.');
    const forged = b64url({ ...goodClaims, role: 'REGULATOR', iss: t.config.jwtIssuer, aud: t.config.jwtAudience, exp: Math.floor(Date.now() / 1000) + 300 });
    await expectRejected(`Bearer ${header}.${forged}.${signature}`);
  });

  it('rejects an HS384 token even with the right key (HS256 only)', async () => {
    await expectRejected(`Bearer ${sign({ algorithm: 'HS384' })}`);
  });

  it('rejects an expired token', async () => {
    const expired = jwt.sign({ ...goodClaims, exp: Math.floor(Date.now() / 1000) - 5 }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      issuer: t.config.jwtIssuer,
      audience: t.config.jwtAudience,
    });
    await expectRejected(`Bearer ${expired}`);
  });

  it('rejects a token it accepted before, once the token expires (verified tokens are remembered only until exp)', async () => {
    // exp on the next whole second after next: accepted now (and remembered), refused from exp on.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = jwt.sign({ ...goodClaims, iat: exp - 60, exp }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      issuer: t.config.jwtIssuer,
      audience: t.config.jwtAudience,
    });
    expect((await t.http.get('/auth/me').set(...bearer(token))).status).toBe(200);
    expect((await t.http.get('/auth/me').set(...bearer(token))).status).toBe(200); // the remembered path
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    await expectRejected(`Bearer ${token}`);
  });

  it('accepts a remembered token only verbatim: one changed character is verified afresh and refused', async () => {
    const token = sign();
    expect((await t.http.get('/auth/me').set(...bearer(token))).status).toBe(200);
    const [header, payload, signature] = token.split('.');
    const flipped = signature[5] === 'A' ? 'B' : 'A';
    await expectRejected(`Bearer ${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`);
    const forged = b64url({ ...goodClaims, role: 'REGULATOR', iss: t.config.jwtIssuer, aud: t.config.jwtAudience, exp: Math.floor(Date.now() / 1000) + 300 });
    await expectRejected(`Bearer ${header}.${forged}.${signature}`);
  });

  it('rejects a token without an expiry', async () => {
    const eternal = jwt.sign(goodClaims, TEST_JWT_SECRET, { algorithm: 'HS256', issuer: t.config.jwtIssuer, audience: t.config.jwtAudience });
    await expectRejected(`Bearer ${eternal}`);
  });

  it('rejects a token issued in the future, whose lifetime would start years from now', async () => {
    const iat = Math.floor(Date.now() / 1000) + 10 * 365 * 24 * 3600;
    const future = jwt.sign({ ...goodClaims, iat, exp: iat + 900 }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      issuer: t.config.jwtIssuer,
      audience: t.config.jwtAudience,
    });
    await expectRejected(`Bearer ${future}`);
    // A few seconds ahead (another server's clock) is within the allowance.
    const now = Math.floor(Date.now() / 1000);
    const skewed = jwt.sign({ ...goodClaims, iat: now + 5, exp: now + 305 }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      issuer: t.config.jwtIssuer,
      audience: t.config.jwtAudience,
    });
    expect((await t.http.get('/auth/me').set(...bearer(skewed))).status).toBe(200);
  });

  it('rejects a good token followed by anything else in the Authorization header', async () => {
    const token = sign();
    expect((await t.http.get('/auth/me').set('Authorization', `Bearer ${token}`)).status).toBe(200); // now remembered
    await expectRejected(`Bearer ${token} junk`);
    await expectRejected(`Bearer ${token} ${token}`);
    await expectRejected(`Bearer ${token},x`);
    await expectRejected(`Bearer\t${token}`);
    // The scheme is case-insensitive (RFC 9110 §11.1).
    expect((await t.http.get('/auth/me').set('Authorization', `bearer ${token}`)).status).toBe(200);
  });

  it('rejects a token that lives longer than the configured lifetime', async () => {
    await expectRejected(`Bearer ${sign({ expiresIn: t.config.jwtTtlSeconds + 3600 })}`);
  });

  it('rejects the wrong issuer, and no issuer', async () => {
    await expectRejected(`Bearer ${sign({ issuer: 'someone-else' })}`);
    await expectRejected(`Bearer ${jwt.sign(goodClaims, TEST_JWT_SECRET, { algorithm: 'HS256', audience: t.config.jwtAudience, expiresIn: 300 })}`);
  });

  it('rejects the wrong audience, and no audience', async () => {
    await expectRejected(`Bearer ${sign({ audience: 'another-api' })}`);
    await expectRejected(`Bearer ${jwt.sign(goodClaims, TEST_JWT_SECRET, { algorithm: 'HS256', issuer: t.config.jwtIssuer, expiresIn: 300 })}`);
  });

  it('rejects a token for an account that does not exist, or of an unknown kind', async () => {
    await expectRejected(`Bearer ${sign({}, TEST_JWT_SECRET, { ...goodClaims, sub: '00000000-0000-4000-8000-000000000000' })}`);
    await expectRejected(`Bearer ${sign({}, TEST_JWT_SECRET, { ...goodClaims, kind: 'robot' })}`);
    await expectRejected(`Bearer ${sign({}, TEST_JWT_SECRET, { ...goodClaims, sub: "x' OR 1=1 --" })}`);
  });

  it('rejects a token whose role no longer matches the account', async () => {
    await expectRejected(`Bearer ${sign({}, TEST_JWT_SECRET, { ...goodClaims, role: 'ORG_ADMIN' })}`);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the scheme only', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['Basic credentials', `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`],
    ['a non-JWT token', 'Bearer not-a-jwt'],
    ['three garbage segments', 'Bearer a.b.c'],
    ['two tokens', 'Bearer x.y.z x.y.z'],
  ])('rejects %s', async (_label, header) => {
    await expectRejected(header);
  });

  it('rejects a token of a user disabled after it was issued', async () => {
    const org = await createOrganisation(t);
    const created = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'soon.disabled@example.test', password: 'a long enough password', role: 'ORG_FILER', organisationId: org });
    expect(created.status).toBe(201);
    const signIn = await t.http.post('/auth/token').send({ grantType: 'password', email: 'soon.disabled@example.test', password: 'a long enough password' });
    expect(signIn.status).toBe(200);
    const token = signIn.body.accessToken as string;
    expect((await t.http.get('/auth/me').set(...bearer(token))).status).toBe(200);

    const disable = await t.http.post(`/users/${created.body.id}/disable`).set(...bearer(t.adminToken));
    expect(disable.status).toBe(204);
    expect((await t.dataSource.getRepository(User).findOneByOrFail({ id: created.body.id })).disabledAt).not.toBeNull();

    await expectRejected(`Bearer ${token}`);
    const again = await t.http.post('/auth/token').send({ grantType: 'password', email: 'soon.disabled@example.test', password: 'a long enough password' });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('sign-in grants and accounts', () => {
  let t: TestApp;
  let orgId: string;
  let otherOrgId: string;

  beforeAll(async () => {
    t = await startTestApp();
    orgId = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    otherOrgId = await createOrganisation(t, { jurisdiction: 'MAINLAND' });
  });
  afterAll(async () => t?.close());

  const signIn = (body: object) => t.http.post('/auth/token').send(body);

  it('issues an HS256 token with issuer, audience and a short expiry for the password grant', async () => {
    const response = await signIn({ grantType: 'password', email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: t.config.jwtTtlSeconds,
      sessionExpiresAt: expect.any(String),
    });
    const decoded = jwt.decode(response.body.accessToken, { complete: true }) as jwt.Jwt & { payload: jwt.JwtPayload };
    expect(decoded.header.alg).toBe('HS256');
    expect(decoded.payload).toMatchObject({ iss: t.config.jwtIssuer, aud: t.config.jwtAudience, role: 'SYSTEM_ADMIN', kind: 'user' });
    expect(decoded.payload.exp! - decoded.payload.iat!).toBe(t.config.jwtTtlSeconds);
    expect(decoded.payload.jti).toEqual(expect.any(String));
    const me = await t.http.get('/auth/me').set(...bearer(response.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: ADMIN_EMAIL, role: 'SYSTEM_ADMIN', organisationId: null, authority: null });
  });

  it('answers a wrong password and an unknown email alike: 401 INVALID_CREDENTIALS', async () => {
    const wrong = await signIn({ grantType: 'password', email: ADMIN_EMAIL, password: 'not the password' });
    const unknown = await signIn({ grantType: 'password', email: 'nobody@example.test', password: 'not the password' });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(response.body.accessToken).toBeUndefined();
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('requires the fields of the chosen grant', async () => {
    const response = await signIn({ grantType: 'password', email: ADMIN_EMAIL });
    expect(response.status).toBe(400);
    expect(response.body.errors.length).toBeGreaterThan(0);
    expect(new Set(response.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['password']));
    const unknownGrant = await signIn({ grantType: 'implicit' });
    expect(unknownGrant.status).toBe(400);
    expect(unknownGrant.body.errors).toEqual([expect.objectContaining({ field: 'grantType', rule: 'isIn' })]);
  });

  it('creates users through POST /users with an argon2id hash; the new user signs in', async () => {
    const created = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'Officer@Example.test', password: 'compliance officer password', role: 'ORG_ADMIN', organisationId: orgId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'officer@example.test', role: 'ORG_ADMIN', organisationId: orgId, kind: 'user' });
    expect(created.body.organisation).toMatchObject({ id: orgId });
    expect(JSON.stringify(created.body)).not.toContain('compliance officer password');
    const row = await t.dataSource.getRepository(User).findOneByOrFail({ email: 'officer@example.test' });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('compliance officer password');

    const token = await signIn({ grantType: 'password', email: 'officer@example.test', password: 'compliance officer password' });
    expect(token.status).toBe(200);
    const me = await t.http.get('/auth/me').set(...bearer(token.body.accessToken));
    expect(me.body).toMatchObject({ role: 'ORG_ADMIN', organisationId: orgId, organisation: { id: orgId } });

    const duplicate = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'officer@example.test', password: 'another long password', role: 'ORG_FILER', organisationId: orgId });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: 'DUPLICATE_EMAIL', errors: [expect.objectContaining({ field: 'email' })] });
  });

  it('lets an organisation administrator create filers of its own organisation only', async () => {
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: orgId });
    const filer = await t.http
      .post('/users')
      .set(...bearer(orgAdmin.token))
      .send({ email: 'filer@example.test', password: 'filer password 1234', role: 'ORG_FILER' });
    expect(filer.status).toBe(201);
    expect(filer.body.organisationId).toBe(orgId);

    const elsewhere = await t.http
      .post('/users')
      .set(...bearer(orgAdmin.token))
      .send({ email: 'intruder@example.test', password: 'filer password 1234', role: 'ORG_FILER', organisationId: otherOrgId });
    expect(elsewhere.status).toBe(404);

    const escalate = await t.http
      .post('/users')
      .set(...bearer(orgAdmin.token))
      .send({ email: 'root@example.test', password: 'filer password 1234', role: 'SYSTEM_ADMIN' });
    expect(escalate.status).toBe(400);
    expect(escalate.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'role' })]));
    expect(await t.dataSource.getRepository(User).countBy({ email: 'root@example.test' })).toBe(0);
    expect(await t.dataSource.getRepository(User).countBy({ email: 'intruder@example.test' })).toBe(0);

    const filerToken = (await t.user('ORG_FILER', { organisationId: orgId })).token;
    const asFiler = await t.http
      .post('/users')
      .set(...bearer(filerToken))
      .send({ email: 'x@example.test', password: 'filer password 1234', role: 'ORG_FILER' });
    expect(asFiler.status).toBe(403);
  });

  it('requires an authority for regulators and refuses one for others', async () => {
    const noAuthority = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'reg@example.test', password: 'regulator password', role: 'REGULATOR' });
    expect(noAuthority.status).toBe(400);
    expect(noAuthority.body.errors).toEqual([expect.objectContaining({ field: 'authority', rule: 'required' })]);
    const regulator = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'reg@example.test', password: 'regulator password', role: 'REGULATOR', authority: 'HK_DPO' });
    expect(regulator.status).toBe(201);
    expect(regulator.body).toMatchObject({ role: 'REGULATOR', authority: 'HK_DPO', organisationId: null });
  });

  it('creates a service account whose secret is returned once and stored only as a hash; it signs in with client_credentials', async () => {
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: orgId });
    const created = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(orgAdmin.token))
      .send({ name: 'core-banking-transfer-logger' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      organisationId: orgId,
      clientId: expect.stringMatching(/^sa_[0-9a-f]{24}$/),
      clientSecret: expect.any(String),
      name: 'core-banking-transfer-logger',
    });
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    expect(clientSecret.length).toBeGreaterThanOrEqual(32);

    // Only a hash is stored: no column of the row holds the secret.
    const [row] = await t.dataSource.query('SELECT * FROM service_accounts WHERE client_id = $1', [clientId]);
    expect(row.secret_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain(clientSecret);

    const token = await t.http.post('/auth/token').send({ grantType: 'client_credentials', clientId, clientSecret });
    expect(token.status).toBe(200);
    const me = await t.http.get('/auth/me').set(...bearer(token.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: created.body.id, kind: 'service_account', role: 'ORG_SYSTEM', organisationId: orgId, email: null });
    expect(JSON.stringify(me.body)).not.toContain(clientSecret);
    // Service accounts log transfers only: the register is not theirs to read.
    expect((await t.http.get(`/organisations/${orgId}`).set(...bearer(token.body.accessToken))).status).toBe(403);

    const wrong = await t.http.post('/auth/token').send({ grantType: 'client_credentials', clientId, clientSecret: clientSecret + 'x' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a service account for another organisation (404) and to non-administrators (403)', async () => {
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: orgId });
    const other = await t.http
      .post(`/organisations/${otherOrgId}/service-accounts`)
      .set(...bearer(orgAdmin.token))
      .send({});
    expect(other.status).toBe(404);
    const filer = await t.user('ORG_FILER', { organisationId: orgId });
    expect(
      (
        await t.http
          .post(`/organisations/${orgId}/service-accounts`)
          .set(...bearer(filer.token))
          .send({})
      ).status,
    ).toBe(403);
    expect(await t.dataSource.getRepository(ServiceAccount).countBy({ organisationId: otherOrgId })).toBe(0);
  });

  it('rejects a service-account token once the account is disabled', async () => {
    const created = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(t.adminToken))
      .send({});
    expect(created.status).toBe(201);
    const token = await t.http
      .post('/auth/token')
      .send({ grantType: 'client_credentials', clientId: created.body.clientId, clientSecret: created.body.clientSecret });
    expect(token.status).toBe(200);
    await t.dataSource.getRepository(ServiceAccount).update({ id: created.body.id }, { disabledAt: new Date() });
    const me = await t.http.get('/auth/me').set(...bearer(token.body.accessToken));
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('UNAUTHENTICATED');
  });
});
