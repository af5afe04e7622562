/**
 * Individuals as parties (docs/rules.md#r1, docs/rules.md#r17, docs/rules.md#r10) through the API: an individual
 * located in Hong Kong, identified by HKID, is the recipient of a contract with a Shenzhen company; both filings are
 * submitted (the individual's without a legal representative's identity document) and accepted by the regulator of
 * each side; transfers are logged. The HKID is checked (mod 11) and never kept or returned in clear.
 */
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { listTransfers, postTransfers, transferRecord } from '../transfers/support';
import { contractBody, REQUIRED_KINDS, upload } from './fixtures';
import { reviewFiling, submitFiling } from './filings';

// A valid HKID (A123456, check 3 by Cap. 177A: 36·9 + 10·8 + 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 481; 11 − 481 mod 11 = 3).
const HKID = 'A123456(3)';
// The number, as written or normalised, that must appear nowhere: in no response, in no column.
const CLEAR_DIGITS = ['A123456', 'A1234563', '123456(3)'];
// GB 11643-1999's own example number, valid, and the same with a wrong check character.
const PRC_ID = '11010519491231002X';
const PRC_ID_WRONG_CHECK = '110105194912310021';

describe('Individuals as parties (R1, R10, R17)', () => {
  let t: TestApp;
  const seen: string[] = [];
  /** Keeps every response body, for the check that none holds a clear document number. */
  const keep = <T extends { body: unknown; text?: string }>(res: T): T => {
    seen.push(res.text ?? JSON.stringify(res.body));
    return res;
  };
  const register = async (body: Record<string, unknown>, token = t.adminToken) =>
    keep(
      await t.http
        .post('/organisations')
        .set(...bearer(token))
        .send(body),
    );
  const individual = (overrides: Record<string, unknown> = {}) => ({
    partyType: 'INDIVIDUAL',
    legalName: 'CHAN, Tai Man',
    legalNameZh: '陳大文',
    jurisdiction: 'HONG_KONG',
    city: 'HONG_KONG',
    identifierType: 'HKID',
    identifier: HKID,
    address: 'Flat 3A, 1 Harbour Road, Wan Chai, Hong Kong',
    contactPerson: 'Chan Tai Man',
    telephone: '+85291234567',
    email: 'chan.taiman@example.hk',
    ...overrides,
  });
  const organisationCount = async (): Promise<number> => (await t.dataSource.query('SELECT count(*)::int AS n FROM organisations'))[0].n;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  let individualId: string;

  it('registers an individual in Hong Kong by HKID, keeping a masked form and a keyed digest, not the number', async () => {
    const res = await register(individual());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      partyType: 'INDIVIDUAL',
      legalName: 'CHAN, Tai Man',
      legalNameZh: '陳大文',
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HKID',
      identifier: 'A123***(*)',
      sector: 'OTHER',
      address: 'Flat 3A, 1 Harbour Road, Wan Chai, Hong Kong',
      contactPerson: 'Chan Tai Man',
      telephone: '+85291234567',
      email: 'chan.taiman@example.hk',
    });
    individualId = res.body.id;

    const [row] = await t.dataSource.query('SELECT * FROM organisations WHERE id = $1', [individualId]);
    expect(row.party_type).toBe('INDIVIDUAL');
    expect(row.identifier).toBe('A123***(*)');
    expect(row.identifier_digest).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(row);
    for (const digits of CLEAR_DIGITS) expect(stored).not.toContain(digits);
  });

  it('recognises the same person again (409), however the number is written, without echoing it', async () => {
    const before = await organisationCount();
    const again = await register(individual({ identifier: ' a1234563 ', legalName: 'Chan Tai-man' }));
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body).toMatchObject({ code: 'DUPLICATE_IDENTIFIER' });
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule: 'unique' })]);
    // Another person whose masked form is the same (A123 + other digits) is a different person.
    const other = await register(individual({ identifier: 'A123000(2)', legalName: 'LEE, Siu Ming', legalNameZh: undefined }));
    expect(other.status).toBe(201);
    expect(other.body.identifier).toBe('A123***(*)');
    expect(await organisationCount()).toBe(before + 1);
  });

  it('refuses a wrong HKID check digit and a wrong resident-ID check character with 400 naming the field and the rule, writing nothing', async () => {
    const before = await organisationCount();
    const hkid = await register(individual({ identifier: 'A123456(4)' }));
    expect(hkid.status).toBe(400);
    expect(hkid.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(hkid.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule: 'HKID_CHECK_CHARACTER' })]);

    const prc = await register(
      individual({ jurisdiction: 'MAINLAND', city: 'SHENZHEN', identifierType: 'PRC_RESIDENT_ID', identifier: PRC_ID_WRONG_CHECK, legalName: 'Wang Fang' }),
    );
    expect(prc.status).toBe(400);
    expect(prc.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(prc.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule: 'PRC_RESIDENT_ID_CHECK_CHARACTER' })]);

    // An individual is identified by a document, an organisation by its side's register number (R17).
    const brn = await register(individual({ identifierType: 'HK_BRN', identifier: '12345678' }));
    expect(brn.status).toBe(400);
    expect(brn.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'identifierType', rule: 'R17' })]));
    const company = await register({ ...individual({ identifier: 'B000500(8)' }), partyType: 'ORGANISATION', sector: 'BANKING' });
    expect(company.status).toBe(400);
    expect(company.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'identifierType', rule: 'R17' })]));

    // Contact details are checked: E.164 telephone, an e-mail address.
    const contact = await register(individual({ identifier: 'B000500(8)', telephone: '9123 4567', email: 'not-an-address' }));
    expect(contact.status).toBe(400);
    expect(contact.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'telephone']);
    expect(await organisationCount()).toBe(before);

    const mainlander = await register(
      individual({ jurisdiction: 'MAINLAND', city: 'shenzhen', identifierType: 'PRC_RESIDENT_ID', identifier: PRC_ID.toLowerCase(), legalName: 'Wang Fang' }),
    );
    expect(mainlander.status).toBe(201);
    expect(mainlander.body).toMatchObject({ partyType: 'INDIVIDUAL', city: 'SHENZHEN', identifier: '**************002X' });
    const [row] = await t.dataSource.query('SELECT * FROM organisations WHERE id = $1', [mainlander.body.id]);
    expect(JSON.stringify(row)).not.toContain('19491231');
  });

  it('shows contact details to those who may read the party, and finds individuals by name only', async () => {
    const hkDpo = (await t.user('REGULATOR', { authority: 'HK_DPO' })).token;
    const gdCac = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
    const own = keep(await t.http.get(`/organisations/${individualId}`).set(...bearer(hkDpo)));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ email: 'chan.taiman@example.hk', telephone: '+85291234567', identifier: 'A123***(*)' });
    expect(keep(await t.http.get(`/organisations/${individualId}`).set(...bearer(gdCac))).status).toBe(404);

    const ids = async (query: Record<string, string>): Promise<string[]> => {
      const res = keep(
        await t.http
          .get('/organisations')
          .set(...bearer(t.adminToken))
          .query(query),
      );
      expect(res.status).toBe(200);
      return res.body.items.map((o: { id: string }) => o.id);
    };
    expect(await ids({ q: 'Chan, Tai' })).toContain(individualId);
    expect(await ids({ q: '陳大文' })).toContain(individualId);
    expect(await ids({ q: 'A123' })).not.toContain(individualId);
    expect(await ids({ q: 'A123***' })).not.toContain(individualId);
    expect(await ids({ identifier: 'A123***(*)' })).toEqual([]);
  });

  it('makes the individual the recipient of a Shenzhen company’s contract: both filings accepted by their side’s regulator, transfers logged', async () => {
    const companyId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN', sector: 'BANKING' });
    const company = (await t.user('ORG_FILER', { organisationId: companyId })).token;
    const person = (await t.user('ORG_ADMIN', { organisationId: individualId })).token;
    const gdCac = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
    const hkDpo = (await t.user('REGULATOR', { authority: 'HK_DPO' })).token;

    const created = keep(
      await t.http
        .post('/contracts')
        .set(...bearer(company))
        .send(contractBody(companyId, individualId)),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ direction: 'MAINLAND_TO_HK', processorId: companyId, recipientId: individualId });
    expect(created.body.filings).toEqual([
      expect.objectContaining({ party: 'processor', organisationId: companyId, authority: 'GD_CAC', status: 'NOT_SUBMITTED' }),
      expect.objectContaining({ party: 'recipient', organisationId: individualId, authority: 'HK_DPO', status: 'NOT_SUBMITTED' }),
    ]);

    // R10: the individual files the letter of undertaking and the signed contract; no legal representative.
    for (const kind of ['LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']) expect(keep(await upload(t, person, id, kind)).status).toBe(201);
    const recipientSubmit = keep(await submitFiling(t, person, id, 'recipient'));
    expect(recipientSubmit.status).toBe(200);
    expect(recipientSubmit.body.status).toBe('SUBMITTED');
    // The company still needs its legal representative's identity document.
    for (const kind of ['LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']) expect(keep(await upload(t, company, id, kind)).status).toBe(201);
    const early = keep(await submitFiling(t, company, id, 'processor'));
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'FILING_MATERIALS_MISSING', rule: 'R10', missing: ['LEGAL_REPRESENTATIVE_ID'] });
    expect(REQUIRED_KINDS).toContain('LEGAL_REPRESENTATIVE_ID');
    expect(keep(await upload(t, company, id, 'LEGAL_REPRESENTATIVE_ID')).status).toBe(201);
    expect(keep(await submitFiling(t, company, id, 'processor')).body.status).toBe('SUBMITTED');

    // R8: each filing is accepted by the regulator of its party's side, not the other's.
    const wrongSide = keep(await reviewFiling(t, gdCac, id, 'recipient'));
    expect(wrongSide.status).not.toBe(200);
    const gd = keep(await reviewFiling(t, gdCac, id, 'processor'));
    expect(gd.status).toBe(200);
    expect(gd.body).toMatchObject({ status: 'ACCEPTED', filingNumber: expect.stringMatching(/^GDCAC-GBA-\d{4}-\d{6}$/) });
    const hk = keep(await reviewFiling(t, hkDpo, id, 'recipient'));
    expect(hk.status).toBe(200);
    expect(hk.body).toMatchObject({ status: 'ACCEPTED', filingNumber: expect.any(String) });
    const filings = await t.dataSource.query('SELECT party, authority, status FROM filings WHERE contract_id = $1 ORDER BY party', [id]);
    expect(filings).toEqual([
      { party: 'processor', authority: 'GD_CAC', status: 'ACCEPTED' },
      { party: 'recipient', authority: 'HK_DPO', status: 'ACCEPTED' },
    ]);

    // Transfers, logged by either party (R2: the direction is the contract's, Mainland → Hong Kong).
    const fromCompany = keep(await postTransfers(t, company, [transferRecord(id)]));
    expect(fromCompany.status).toBe(201);
    expect(fromCompany.body.records).toEqual([expect.objectContaining({ flags: [] })]);
    const fromPerson = keep(await postTransfers(t, person, [transferRecord(id)]));
    expect(fromPerson.status).toBe(201);
    expect(fromPerson.body.records).toEqual([expect.objectContaining({ flags: [] })]);
    const logged = await t.dataSource.query('SELECT direction, flags FROM transfer_records WHERE contract_id = $1 ORDER BY leaf_index', [id]);
    expect(logged).toEqual([
      { direction: 'MAINLAND_TO_HK', flags: [] },
      { direction: 'MAINLAND_TO_HK', flags: [] },
    ]);

    // Every view of the contract shows the individual masked.
    for (const token of [company, person, gdCac, hkDpo]) {
      const view = keep(await t.http.get(`/contracts/${id}`).set(...bearer(token)));
      expect(view.status).toBe(200);
    }
    const listed = keep(await listTransfers(t, hkDpo, { contractId: id }));
    expect(listed.status).toBe(200);
    expect(keep(await t.http.get('/auth/me').set(...bearer(person))).body.organisation).toMatchObject({ identifier: 'A123***(*)' });
  });

  it('holds the clear number in no response and no column', async () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const body of seen) for (const digits of CLEAR_DIGITS) expect(body).not.toContain(digits);
    const rows = await t.dataSource.query(`SELECT row_to_json(o)::text AS row FROM organisations o WHERE party_type = 'INDIVIDUAL'`);
    expect(rows).toHaveLength(3);
    for (const { row } of rows) for (const digits of [...CLEAR_DIGITS, 'A123000', '19491231']) expect(row).not.toContain(digits);
  });
});
