import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';

/** A machine identity can be listed, its secret rotated, and disabled at once when it leaks. */
describe('service-account lifecycle', () => {
  let t: TestApp;
  let orgId: string;
  let otherOrgId: string;
  let orgAdmin: string;
  let otherAdmin: string;
  beforeAll(async () => {
    t = await startTestApp();
    orgId = await createOrganisation(t, { jurisdiction: 'HONG_KONG', sector: 'HEALTHCARE' });
    otherOrgId = await createOrganisation(t);
    orgAdmin = (await t.user('ORG_ADMIN', { organisationId: orgId })).token;
    otherAdmin = (await t.user('ORG_ADMIN', { organisationId: otherOrgId })).token;
  });
  afterAll(async () => t?.close());

  const signIn = (clientId: string, clientSecret: string) => t.http.post('/auth/token').send({ grantType: 'client_credentials', clientId, clientSecret });

  it('rotates a secret: the new one signs in, the old one no longer does', async () => {
    const created = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(orgAdmin))
      .send({ name: 'hospital-logger' });
    expect(created.status).toBe(201);
    const rotated = await t.http.post(`/organisations/${orgId}/service-accounts/${created.body.id}/rotate-secret`).set(...bearer(orgAdmin));
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientId).toBe(created.body.clientId);
    expect(rotated.body.clientSecret).not.toBe(created.body.clientSecret);
    expect((await signIn(created.body.clientId, created.body.clientSecret)).status).toBe(401);
    expect((await signIn(created.body.clientId, rotated.body.clientSecret)).status).toBe(200);

    const listed = await t.http.get(`/organisations/${orgId}/service-accounts`).set(...bearer(orgAdmin));
    expect(listed.status).toBe(200);
    const entry = listed.body.find((a: { id: string }) => a.id === created.body.id);
    expect(entry).toMatchObject({ clientId: created.body.clientId, name: 'hospital-logger', disabledAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(rotated.body.clientSecret);
    expect(JSON.stringify(listed.body)).not.toMatch(/secretHash|argon2/);
  });

  it('rotating a secret revokes the tokens issued before it, at once, even ones already verified; tokens from the new secret work', async () => {
    const created = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(orgAdmin))
      .send({ name: 'leaked-logger' });
    const old = (await signIn(created.body.clientId, created.body.clientSecret)).body.accessToken as string;
    // Used twice: verified, then served from the verified-token memo and the principal cache.
    expect((await t.http.get('/auth/me').set(...bearer(old))).status).toBe(200);
    expect((await t.http.get('/auth/me').set(...bearer(old))).status).toBe(200);

    const rotated = await t.http.post(`/organisations/${orgId}/service-accounts/${created.body.id}/rotate-secret`).set(...bearer(orgAdmin));
    expect(rotated.status).toBe(200);
    const refused = await t.http.get('/auth/me').set(...bearer(old));
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
    const [row] = await t.dataSource.query('SELECT tokens_valid_from FROM service_accounts WHERE id = $1', [created.body.id]);
    expect(row.tokens_valid_from).not.toBeNull();

    const fresh = await signIn(created.body.clientId, rotated.body.clientSecret);
    expect(fresh.status).toBe(200);
    const me = await t.http.get('/auth/me').set(...bearer(fresh.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: created.body.id, kind: 'service_account' });
  });

  it('disables an account: sign-in and the tokens it already holds are refused at once', async () => {
    const created = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(orgAdmin))
      .send({});
    const token = (await signIn(created.body.clientId, created.body.clientSecret)).body.accessToken as string;
    expect((await t.http.get('/auth/me').set(...bearer(token))).status).toBe(200);

    const disabled = await t.http.post(`/organisations/${orgId}/service-accounts/${created.body.id}/disable`).set(...bearer(orgAdmin));
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).toEqual(expect.any(String));
    expect((await t.http.get('/auth/me').set(...bearer(token))).status).toBe(401);
    expect((await signIn(created.body.clientId, created.body.clientSecret)).status).toBe(401);
    const [row] = await t.dataSource.query('SELECT disabled_at FROM service_accounts WHERE id = $1', [created.body.id]);
    expect(row.disabled_at).not.toBeNull();
    const again = await t.http.post(`/organisations/${orgId}/service-accounts/${created.body.id}/rotate-secret`).set(...bearer(orgAdmin));
    expect(again.status).toBe(409);
  });

  it("another organisation's administrator sees none of it (404), and filers may not manage accounts (403)", async () => {
    const created = await t.http
      .post(`/organisations/${orgId}/service-accounts`)
      .set(...bearer(orgAdmin))
      .send({});
    expect((await t.http.get(`/organisations/${orgId}/service-accounts`).set(...bearer(otherAdmin))).status).toBe(404);
    expect((await t.http.post(`/organisations/${orgId}/service-accounts/${created.body.id}/disable`).set(...bearer(otherAdmin))).status).toBe(404);
    // The account id under the wrong organisation is unknown too.
    expect((await t.http.post(`/organisations/${otherOrgId}/service-accounts/${created.body.id}/disable`).set(...bearer(otherAdmin))).status).toBe(404);
    const filer = (await t.user('ORG_FILER', { organisationId: orgId })).token;
    expect((await t.http.post(`/organisations/${orgId}/service-accounts/${created.body.id}/disable`).set(...bearer(filer))).status).toBe(403);
  });
});
