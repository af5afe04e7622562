/*
 * Passwords are judged by a strength estimator wherever they are set (POST /users, POST /users/me/password),
 * and a user changing their own password revokes the tokens issued before (docs/api.md#authentication-and-roles).
 */
import { User } from '../../src/auth/user.entity';
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('password strength and change', () => {
  let t: TestApp;
  let orgId: string;
  beforeAll(async () => {
    t = await startTestApp();
    orgId = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
  });
  afterAll(async () => t?.close());

  const createUser = (email: string, password: string) =>
    t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email, password, role: 'ORG_FILER', organisationId: orgId });
  const signIn = (email: string, password: string) => t.http.post('/auth/token').send({ grantType: 'password', email, password });

  it.each([
    ['twelve spaces', '            '],
    ['one letter twelve times', 'aaaaaaaaaaaa'],
    ['a common password with digits', 'password1234'],
    ['the e-mail address itself', 'kwok.siu.ming@hkbank.test'],
  ])('refuses %s as a new user password: 400 naming password and PASSWORD_TOO_WEAK, nothing written', async (_label, password) => {
    const response = await createUser('kwok.siu.ming@hkbank.test', password);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.body.errors).toEqual([
      { field: 'password', rule: 'PASSWORD_TOO_WEAK', message: expect.stringMatching(/^password is too easy to guess .+/) },
    ]);
    expect(await t.dataSource.getRepository(User).countBy({ email: 'kwok.siu.ming@hkbank.test' })).toBe(0);
  });

  it('accepts a strong password for a new user', async () => {
    const response = await createUser('strong.filer@example.test', 'quiet harbour ferry 1997');
    expect(response.status).toBe(201);
  });

  describe('POST /users/me/password', () => {
    const email = 'changer@example.test';
    let password = 'ledger clerk lantern 42';
    beforeAll(async () => {
      expect((await createUser(email, password)).status).toBe(201);
    });

    const change = (token: string, body: object) =>
      t.http
        .post('/users/me/password')
        .set(...bearer(token))
        .send(body);

    it('refuses a wrong current password with 400 naming currentPassword; the password stays', async () => {
      const token = (await signIn(email, password)).body.accessToken as string;
      const response = await change(token, { currentPassword: 'not my password at all', newPassword: 'amber kettle orbit 5521' });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.errors).toEqual([{ field: 'currentPassword', rule: 'CURRENT_PASSWORD_INCORRECT', message: expect.any(String) }]);
      expect((await signIn(email, password)).status).toBe(200);
      expect((await signIn(email, 'amber kettle orbit 5521')).status).toBe(401);
    });

    it('refuses a weak new password with 400 naming newPassword and saying why', async () => {
      const token = (await signIn(email, password)).body.accessToken as string;
      const response = await change(token, { currentPassword: password, newPassword: 'password1234' });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: 'newPassword', rule: 'PASSWORD_TOO_WEAK', message: expect.stringMatching(/^newPassword is too easy to guess .*commonly used password/) },
      ]);
      expect((await signIn(email, password)).status).toBe(200);
    });

    it('requires both fields', async () => {
      const token = (await signIn(email, password)).body.accessToken as string;
      const response = await change(token, {});
      expect(response.status).toBe(400);
      expect(new Set(response.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['currentPassword', 'newPassword']));
    });

    it('changes the password: the new one signs in, the old one does not, tokens issued before stop working at once', async () => {
      const before = (await signIn(email, password)).body.accessToken as string;
      expect((await t.http.get('/auth/me').set(...bearer(before))).status).toBe(200); // verified and remembered
      const response = await change(before, { currentPassword: password, newPassword: 'amber kettle orbit 5521' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: t.config.jwtTtlSeconds,
        sessionExpiresAt: expect.any(String),
      });
      expect((await t.http.get('/auth/me').set(...bearer(before))).status).toBe(401);
      expect((await t.http.get('/auth/me').set(...bearer(response.body.accessToken))).status).toBe(200);
      expect((await signIn(email, password)).status).toBe(401);
      const after = await signIn(email, 'amber kettle orbit 5521');
      expect(after.status).toBe(200);
      expect((await t.http.get('/auth/me').set(...bearer(after.body.accessToken))).status).toBe(200);
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ email });
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      password = 'amber kettle orbit 5521';
    });

    it('is not for service accounts (403)', async () => {
      const account = await t.http
        .post(`/organisations/${orgId}/service-accounts`)
        .set(...bearer(t.adminToken))
        .send({});
      const token = await t.http
        .post('/auth/token')
        .send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
      const response = await change(token.body.accessToken as string, { currentPassword: 'x', newPassword: 'amber kettle orbit 5521' });
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
    });
  });
});
