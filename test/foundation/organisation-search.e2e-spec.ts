/*
 * GET /organisations?q= (docs/api.md#organisations-and-reference-data): English and Chinese names, USCC and BRN
 * prefixes, one- and two-character Chinese queries, and the access policy's scope, through the real API and PostgreSQL.
 */
import { bearer, nextBrn, nextUscc, startTestApp, TestApp } from '../support/app';

describe('organisation search (GET /organisations?q=)', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const identifiers: Record<string, string> = {};

  const register = async (key: string, body: Record<string, unknown>) => {
    const response = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send(body);
    expect(response.status).toBe(201);
    ids[key] = response.body.id;
    identifiers[key] = response.body.identifier;
  };
  const search = async (q: string, token = t.adminToken): Promise<string[]> => {
    const response = await t.http
      .get('/organisations')
      .query({ q, limit: 100 })
      .set(...bearer(token));
    expect(response.status).toBe(200);
    return (response.body.items as Array<{ id: string }>).map((o) => o.id).sort();
  };

  beforeAll(async () => {
    t = await startTestApp();
    await register('bank', {
      legalName: 'Qianhai Harbour Bank Limited',
      legalNameZh: '前海港灣銀行有限公司',
      jurisdiction: 'MAINLAND',
      city: 'SHENZHEN',
      identifierType: 'USCC',
      identifier: nextUscc(),
      sector: 'BANKING',
    });
    await register('hospital', {
      legalName: 'Kowloon Harbour Hospital',
      legalNameZh: '九龍港灣醫院',
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HK_BRN',
      identifier: nextBrn(),
      sector: 'HEALTHCARE',
    });
    await register('insurer', {
      legalNameZh: '銀河保險有限公司',
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HK_BRN',
      identifier: nextBrn(),
      sector: 'INSURANCE',
    });
  });
  afterAll(async () => t?.close());

  it('matches English names anywhere, in any letter case', async () => {
    expect(await search('harbour')).toEqual([ids.bank, ids.hospital].sort());
    expect(await search('QIANHAI')).toEqual([ids.bank]);
  });

  it('matches Chinese names of three characters or more anywhere', async () => {
    expect(await search('港灣銀行')).toEqual([ids.bank]);
    expect(await search('有限公司')).toEqual([ids.bank, ids.insurer].sort());
  });

  it('matches a two-character Chinese query at the start of a name', async () => {
    expect(await search('九龍')).toEqual([ids.hospital]);
    expect(await search('銀河')).toEqual([ids.insurer]);
    expect(await search('前')).toEqual([ids.bank]);
  });

  it('matches USCC and BRN prefixes, a lower-case USCC too', async () => {
    expect(await search(identifiers.bank.slice(0, 12).toLowerCase())).toContain(ids.bank);
    expect(await search(identifiers.bank)).toEqual([ids.bank]);
    expect(await search(identifiers.hospital)).toEqual([ids.hospital]);
    expect(await search(identifiers.hospital.slice(0, 6))).toContain(ids.hospital);
  });

  it('treats % and _ as text, not patterns', async () => {
    expect(await search('%')).toEqual([]);
    expect(await search('_arbour')).toEqual([]);
  });

  it("is scoped as reads are: an organisation's user finds only what it may read", async () => {
    const filer = await t.user('ORG_ADMIN', { organisationId: ids.hospital });
    expect(await search('harbour', filer.token)).toEqual([ids.hospital]);
    expect(await search('前海', filer.token)).toEqual([]);
    expect(await search(identifiers.bank, filer.token)).toEqual([]);
  });

  it('refuses an empty or over-long query with a problem naming q', async () => {
    for (const q of ['', 'x'.repeat(101)]) {
      const response = await t.http
        .get('/organisations')
        .query({ q })
        .set(...bearer(t.adminToken));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(response.body)).toContain('q');
    }
  });
});
