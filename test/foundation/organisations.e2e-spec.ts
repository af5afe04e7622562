/*
 * The organisation register through the real HTTP API and PostgreSQL (docs/rules.md#r1, docs/rules.md#r17, docs/api.md#organisations-and-reference-data).
 * Identifier literals are written out rather than computed, so a regression in
 * src/organisations/identifiers.ts cannot make these tests agree with itself.
 */
import { Organisation } from '../../src/organisations/organisation.entity';
import { bearer, createOrganisation, nextBrn, startTestApp, TestApp } from '../support/app';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('organisation register (R1, R17)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const mainland = (identifier: string, extra: Record<string, unknown> = {}) => ({
    legalName: 'Shenzhen Test Company Limited',
    jurisdiction: 'MAINLAND',
    city: 'SHENZHEN',
    identifierType: 'USCC',
    identifier,
    sector: 'BANKING',
    ...extra,
  });
  const hongKong = (identifier: string, extra: Record<string, unknown> = {}) => ({
    legalNameZh: '灣區測試有限公司',
    jurisdiction: 'HONG_KONG',
    city: 'HONG_KONG',
    identifierType: 'HK_BRN',
    identifier,
    sector: 'HEALTHCARE',
    ...extra,
  });
  const register = (body: unknown, token = t.adminToken) =>
    t.http
      .post('/organisations')
      .set(...bearer(token))
      .send(body as object);
  const rowCount = (identifier: string) => t.dataSource.getRepository(Organisation).countBy({ identifier });

  describe('valid identifiers', () => {
    it.each([
      ['914403001922038216', 'SHENZHEN'], // 华为技术有限公司
      ['9144030010001686XA', 'SHENZHEN'], // 招商银行: organisation-code check character X
      ['91440300708461136T', 'SHENZHEN'], // 深圳市腾讯计算机系统有限公司
      ['91440300100000040X', 'GUANGZHOU'], // constructed: organisation-code check 11 → written 0
    ])('registers USCC %s', async (identifier, city) => {
      const response = await register(mainland(identifier, { city }));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        jurisdiction: 'MAINLAND',
        city,
        identifierType: 'USCC',
        identifier,
        verificationStatus: 'UNVERIFIED',
        verifiedAt: null,
      });
      const row = await t.dataSource.getRepository(Organisation).findOneByOrFail({ id: response.body.id });
      expect(row.identifier).toBe(identifier);
      expect(row.createdBy).not.toBeNull();
    });

    it('upper-cases a lower-case USCC and stores it normalised', async () => {
      const response = await register(mainland('91440300192317458f'));
      expect(response.status).toBe(201);
      expect(response.body.identifier).toBe('91440300192317458F');
      expect(await rowCount('91440300192317458F')).toBe(1);
    });

    it('registers a Hong Kong BRN of 8 digits, with a Chinese legal name only', async () => {
      const response = await register(hongKong('12345678'));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ identifier: '12345678', legalName: null, legalNameZh: '灣區測試有限公司' });
    });
  });

  describe('invalid identifiers → 400 naming the field and the rule', () => {
    it.each([
      ['wrong 18th (USCC) check character', '91440300708461136A', 'USCC_CHECK_CHARACTER'],
      ['wrong 18th check character on a code whose 17th is X', '9144030010001686XB', 'USCC_CHECK_CHARACTER'],
      // 17th character changed from 6 to 0 and the 18th recomputed so that only GB 11714 fails.
      ['wrong 17th (GB 11714 organisation-code) check character', '91440300715267260N', 'USCC_ORGANISATION_CODE_CHECK'],
      ['illegal letter I', '9144030070846I136T', 'USCC_ILLEGAL_CHARACTER'],
      ['illegal letter O', '9144030070846O136T', 'USCC_ILLEGAL_CHARACTER'],
      ['illegal letter S', '9144030070846S136T', 'USCC_ILLEGAL_CHARACTER'],
      ['illegal letter V', '9144030070846V136T', 'USCC_ILLEGAL_CHARACTER'],
      ['illegal letter Z', '9144030070846Z136T', 'USCC_ILLEGAL_CHARACTER'],
      ['17 characters', '91440300708461136', 'USCC_LENGTH'],
      ['19 characters', '91440300708461136TT', 'USCC_LENGTH'],
      ['inner hyphen', '914403-0708461136T', 'USCC_ILLEGAL_CHARACTER'],
    ])('USCC with %s', async (_label, identifier, rule) => {
      const response = await register(mainland(identifier));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule })]);
      expect(await rowCount(identifier)).toBe(0);
      expect(await rowCount(identifier.toUpperCase())).toBe(0);
    });

    it.each([
      ['7 digits', '1234567', 'HK_BRN_LENGTH'],
      ['9 digits', '123456789', 'HK_BRN_LENGTH'],
      ['a letter', '1234567A', 'HK_BRN_ILLEGAL_CHARACTER'],
      ['a full 11-digit BR number with branch suffix', '12345678-000', 'HK_BRN_LENGTH'],
    ])('BRN with %s', async (_label, identifier, rule) => {
      const response = await register(hongKong(identifier));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule })]);
      expect(await rowCount(identifier)).toBe(0);
    });
  });

  it.each(['BEIJING', 'SHANTOU', 'SHANGHAI', 'OTHER'])('refuses a party in %s, outside the GBA, with 422 PARTY_OUTSIDE_GBA (R1)', async (city) => {
    const response = await register(mainland('91440300100012316L', { city }));
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 422, code: 'PARTY_OUTSIDE_GBA', rule: 'R1' });
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'city' })]);
    expect(await rowCount('91440300100012316L')).toBe(0);
  });

  it('answers 409 DUPLICATE_IDENTIFIER for an identifier already registered, whatever its case', async () => {
    expect((await register(mainland('91110108551385082Q'))).status).toBe(201);
    const again = await register(mainland('91110108551385082q', { legalName: 'Someone Else Limited', city: 'ZHUHAI' }));
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(again.body).toMatchObject({ status: 409, code: 'DUPLICATE_IDENTIFIER' });
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule: 'unique' })]);
    expect(await rowCount('91110108551385082Q')).toBe(1);

    const brn = nextBrn();
    expect((await register(hongKong(brn))).status).toBe(201);
    expect((await register(hongKong(` ${brn} `))).status).toBe(409);
  });

  describe('jurisdiction, city and identifier type must agree', () => {
    it('refuses a Mainland organisation identified by a BRN', async () => {
      const response = await register(mainland('23456789', { identifierType: 'HK_BRN' }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'identifierType', rule: 'R17' })]));
    });

    it('refuses a Hong Kong organisation identified by a USCC', async () => {
      const response = await register(hongKong('911000001000013428', { identifierType: 'USCC' }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'identifierType', rule: 'R17' })]);
      expect(await rowCount('911000001000013428')).toBe(0);
    });

    it('refuses a Mainland jurisdiction with the Hong Kong city', async () => {
      const response = await register(mainland('91100000100003962T', { city: 'HONG_KONG' }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'city', rule: 'R1' })]);
    });

    it('requires a legal name in English or Chinese', async () => {
      const response = await register(mainland('91330100716105852F', { legalName: undefined }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'legalName', rule: 'required' })]);
    });

    it('refuses a sector outside the list', async () => {
      const response = await register(mainland('91330100716105852F', { sector: 'MINING' }));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'sector', rule: 'isIn' })]);
    });
  });
});

describe('organisation visibility (docs/api.md#authentication-and-roles)', () => {
  let t: TestApp;
  let shenzhen: string;
  let guangzhou: string;
  let hongKong: string;
  const regulators: Record<'GD_CAC' | 'HK_DPO' | 'HK_PCPD', string> = { GD_CAC: '', HK_DPO: '', HK_PCPD: '' };
  let shenzhenFiler: string;
  let hongKongAdmin: string;

  beforeAll(async () => {
    t = await startTestApp();
    shenzhen = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN' });
    guangzhou = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'GUANGZHOU', sector: 'HEALTHCARE' });
    hongKong = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    for (const authority of ['GD_CAC', 'HK_DPO', 'HK_PCPD'] as const) {
      regulators[authority] = (await t.user('REGULATOR', { authority })).token;
    }
    shenzhenFiler = (await t.user('ORG_FILER', { organisationId: shenzhen })).token;
    hongKongAdmin = (await t.user('ORG_ADMIN', { organisationId: hongKong })).token;
  });
  afterAll(async () => t?.close());

  const get = (id: string, token: string) => t.http.get(`/organisations/${id}`).set(...bearer(token));
  const listIds = async (token: string): Promise<string[]> => {
    const response = await t.http.get('/organisations').set(...bearer(token));
    expect(response.status).toBe(200);
    return (response.body.items as { id: string }[]).map((o) => o.id).sort();
  };

  it('shows an organisation user its own organisation only; another one is 404, not 403', async () => {
    expect((await get(shenzhen, shenzhenFiler)).status).toBe(200);
    for (const other of [guangzhou, hongKong]) {
      const response = await get(other, shenzhenFiler);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      // Indistinguishable from an id that does not exist.
      expect(response.body).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'Organisation was not found' });
    }
    expect((await get(shenzhen, hongKongAdmin)).status).toBe(404);
    expect(await listIds(shenzhenFiler)).toEqual([shenzhen]);
    expect(await listIds(hongKongAdmin)).toEqual([hongKong]);
  });

  it('pages through the register with the cursors it issues', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      if (++pages > 10) throw new Error(`pagination does not end; seen ${seen.join(', ')}`);
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
        .get('/organisations')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set(...bearer(t.adminToken));
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((o) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([shenzhen, guangzhou, hongKong].sort());
  });

  it('answers 404 for an unknown id and for a malformed id alike', async () => {
    expect((await get('00000000-0000-4000-8000-000000000000', t.adminToken)).status).toBe(404);
    expect((await get('not-a-uuid', t.adminToken)).status).toBe(404);
  });

  it('shows each regulator the organisations of its own side only', async () => {
    expect(await listIds(regulators.GD_CAC)).toEqual([shenzhen, guangzhou].sort());
    expect(await listIds(regulators.HK_DPO)).toEqual([hongKong]);
    expect(await listIds(regulators.HK_PCPD)).toEqual([hongKong]);
    expect((await get(hongKong, regulators.GD_CAC)).status).toBe(404);
    expect((await get(shenzhen, regulators.HK_DPO)).status).toBe(404);
    expect((await get(shenzhen, regulators.HK_PCPD)).status).toBe(404);
    expect((await get(hongKong, regulators.HK_PCPD)).status).toBe(200);
    expect(await listIds(t.adminToken)).toEqual([shenzhen, guangzhou, hongKong].sort());
  });

  it('lets a regulator verify an organisation of its side; the row records who and when', async () => {
    const response = await t.http.post(`/organisations/${guangzhou}/verify`).set(...bearer(regulators.GD_CAC));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: guangzhou, verificationStatus: 'VERIFIED' });
    expect(Date.parse(response.body.verifiedAt)).not.toBeNaN();
    const row = await t.dataSource.getRepository(Organisation).findOneByOrFail({ id: guangzhou });
    expect(row.verificationStatus).toBe('VERIFIED');
    expect(row.verifiedBy).not.toBeNull();
    // Verifying again keeps the first verification.
    const again = await t.http.post(`/organisations/${guangzhou}/verify`).set(...bearer(regulators.GD_CAC));
    expect(again.status).toBe(200);
    expect(again.body.verifiedAt).toBe(response.body.verifiedAt);
  });

  it('answers 404 to a regulator verifying an organisation of the other side', async () => {
    const response = await t.http.post(`/organisations/${hongKong}/verify`).set(...bearer(regulators.GD_CAC));
    expect(response.status).toBe(404);
    const row = await t.dataSource.getRepository(Organisation).findOneByOrFail({ id: hongKong });
    expect(row.verificationStatus).toBe('UNVERIFIED');
  });

  it('keeps the PCPD read-only: it cannot verify or register', async () => {
    const verify = await t.http.post(`/organisations/${hongKong}/verify`).set(...bearer(regulators.HK_PCPD));
    expect(verify.status).toBe(403);
    expect(verify.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(verify.body.code).toBe('FORBIDDEN');
    expect((await t.dataSource.getRepository(Organisation).findOneByOrFail({ id: hongKong })).verificationStatus).toBe('UNVERIFIED');

    const register = await t.http
      .post('/organisations')
      .set(...bearer(regulators.HK_PCPD))
      .send({ legalName: 'PCPD Attempt Ltd', jurisdiction: 'HONG_KONG', city: 'HONG_KONG', identifierType: 'HK_BRN', identifier: '87654321', sector: 'OTHER' });
    expect(register.status).toBe(403);
    expect(await t.dataSource.getRepository(Organisation).countBy({ identifier: '87654321' })).toBe(0);
  });

  it('lets the DPO verify a Hong Kong organisation and register one of its side, not of the other', async () => {
    expect((await t.http.post(`/organisations/${hongKong}/verify`).set(...bearer(regulators.HK_DPO))).status).toBe(200);
    const ownSide = await t.http
      .post('/organisations')
      .set(...bearer(regulators.HK_DPO))
      .send({
        legalName: 'DPO Registered Ltd',
        jurisdiction: 'HONG_KONG',
        city: 'HONG_KONG',
        identifierType: 'HK_BRN',
        identifier: '76543210',
        sector: 'OTHER',
      });
    expect(ownSide.status).toBe(201);
    const otherSide = await t.http
      .post('/organisations')
      .set(...bearer(regulators.HK_DPO))
      .send({
        legalName: 'Other Side Ltd',
        jurisdiction: 'MAINLAND',
        city: 'ZHUHAI',
        identifierType: 'USCC',
        identifier: '91440300192317458F',
        sector: 'OTHER',
      });
    expect(otherSide.status).toBe(403);
  });

  it('refuses organisation users verifying or registering (role check)', async () => {
    expect((await t.http.post(`/organisations/${shenzhen}/verify`).set(...bearer(shenzhenFiler))).status).toBe(403);
    const response = await t.http
      .post('/organisations')
      .set(...bearer(hongKongAdmin))
      .send({
        legalName: 'Self Registered Ltd',
        jurisdiction: 'HONG_KONG',
        city: 'HONG_KONG',
        identifierType: 'HK_BRN',
        identifier: '65432109',
        sector: 'OTHER',
      });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('FORBIDDEN');
  });
});
