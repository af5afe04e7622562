/**
 * A regime with a made-up side, as data only (docs/rules.md#r16): SQL inserted before the registry starts, as a
 * migration would, and no code change. The side ATLANTIS has its own city (R1), direction code (R2), identifier
 * scheme with a format (R17), working-day calendar (rest days Friday and Saturday, holidays as closures, R9), and an
 * authority with names over time (R8); the regime gives it its own windows (R8, R11) and materials (R10). A Shenzhen
 * company and an Atlantis company file a contract under it end to end: both filings submitted and reviewed by the
 * two sides' regulators (GD_CAC and the made-up AT_DPA), transfers logged.
 */
import { bearer, createOrganisation, postOrganisation, startTestAppWithSql, TestApp } from '../support/app';
import { contractBody, upload } from '../contracts/fixtures';
import { reviewFiling, submitFiling } from '../contracts/filings';
import { listTransfers, postTransfers, transferRecord } from '../transfers/support';

const REGIME = 'GBA_MAINLAND_ATLANTIS';

const NEW_SIDE_SQL = `
  INSERT INTO organisation_jurisdictions (code, direction_code, name_en, name_zh_hant, name_zh_hans, source)
    VALUES ('ATLANTIS', 'ATL', 'Atlantis', '亞特蘭蒂斯', '亚特兰蒂斯', 'made up for this test');
  INSERT INTO organisation_cities (code, jurisdiction, name_en, name_zh_hant, name_zh_hans) VALUES ('POSEIDONIA', 'ATLANTIS', 'Poseidonia', '波塞冬尼亞', '波塞冬尼亚');
  INSERT INTO organisation_identifier_schemes (code, party_type, jurisdiction, format, name_en, name_zh_hant, name_zh_hans, source)
    VALUES ('AT_REG', 'ORGANISATION', 'ATLANTIS', 'AT[0-9]{6}', 'Atlantis company register number', '亞特蘭蒂斯公司註冊號', '亚特兰蒂斯公司注册号', 'made up');
  INSERT INTO calendar_jurisdictions (jurisdiction, rest_days, published_years, source) VALUES ('ATLANTIS', '{5,6}', '{2025}', 'made up: Friday and Saturday off');
  INSERT INTO calendar_overrides (jurisdiction, date, kind, reason) VALUES ('ATLANTIS', '2025-07-07', 'CLOSURE', 'Founding Day (made up)');
  INSERT INTO rollout_authorities (code, jurisdiction, read_only, filing_number_prefix, source) VALUES ('AT_DPA', 'ATLANTIS', false, 'ATDPA', 'made up');
  INSERT INTO rollout_authority_names (authority, valid_from, name_en, name_zh_hant, name_zh_hans) VALUES
    ('AT_DPA', '1900-01-01', 'Atlantis Data Commission', '亞特蘭蒂斯數據委員會', '亚特兰蒂斯数据委员会'),
    ('AT_DPA', '2025-03-01', 'Atlantis Data Protection Authority', '亞特蘭蒂斯數據保護局', '亚特兰蒂斯数据保护局');
  INSERT INTO rollout_regimes (code, name, name_zh, sides, opens_on) VALUES ('${REGIME}', 'Mainland–Atlantis data contract', '內地、亞特蘭蒂斯數據合同', '{MAINLAND,ATLANTIS}', '2025-01-01');
  INSERT INTO rollout_phases (regime_code, number, name, opens_on, all_sectors) VALUES ('${REGIME}', 1, 'All sectors', '2025-01-01', true);
  INSERT INTO rollout_regime_sides (regime_code, jurisdiction, filing_authority, filing_working_days, review_working_days, resubmission_working_days) VALUES
    ('${REGIME}', 'MAINLAND', 'GD_CAC', 10, NULL, 10),
    ('${REGIME}', 'ATLANTIS', 'AT_DPA', 3, 5, 2);
  INSERT INTO rollout_filing_materials (regime_code, jurisdiction, party_type, kind, position, confirmed, source) VALUES
    ('${REGIME}', 'MAINLAND', 'ORGANISATION', 'SIGNED_CONTRACT', 1, false, 'made up'),
    ('${REGIME}', 'ATLANTIS', 'ORGANISATION', 'SIGNED_CONTRACT', 1, false, 'made up'),
    ('${REGIME}', 'ATLANTIS', 'ORGANISATION', 'ATLANTIS_DECLARATION', 2, false, 'made up');
`;

describe('a regime with a made-up side, added as data only (R1, R2, R8, R9, R10, R11, R16, R17)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithSql(NEW_SIDE_SQL);
  });
  afterAll(async () => t?.close());

  // Thursday 2025-07-03. Atlantis rests on Fridays and Saturdays and closes on Monday 2025-07-07 (Founding Day):
  // its 3rd working day after day 0 is Sun 07-06, Tue 07-08, Wed 07-09 → 2025-07-09.
  const EFFECTIVE = '2025-07-03';

  it('counts deadlines in the made-up side’s calendar, published for 2025 only', async () => {
    const res = await t.http.get('/calendar/deadline').query({ jurisdiction: 'ATLANTIS', from: EFFECTIVE, workingDays: '3' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2025-07-09', provisional: false, provisionalYears: [] });
    const later = await t.http.get('/calendar/deadline').query({ jurisdiction: 'ATLANTIS', from: '2026-07-02', workingDays: '3' });
    expect(later.body).toMatchObject({ provisional: true, provisionalYears: [2026] });
    const unknown = await t.http.get('/calendar/deadline').query({ jurisdiction: 'LEMURIA', from: EFFECTIVE, workingDays: '3' });
    expect(unknown.status).toBe(400);
  });

  it('lists the side, its city, scheme, authority and the regime at GET /reference', async () => {
    const res = await t.http.get('/reference');
    expect(res.status).toBe(200);
    expect(res.body.jurisdictions).toContainEqual(expect.objectContaining({ code: 'ATLANTIS', directionCode: 'ATL' }));
    expect(res.body.cities).toContainEqual(expect.objectContaining({ code: 'POSEIDONIA', jurisdiction: 'ATLANTIS' }));
    expect(res.body.identifierTypes).toContainEqual(expect.objectContaining({ code: 'AT_REG', jurisdiction: 'ATLANTIS', format: 'AT[0-9]{6}' }));
    const regime = res.body.regimes.find((r: { code: string }) => r.code === REGIME);
    expect(regime.sides.find((s: { jurisdiction: string }) => s.jurisdiction === 'ATLANTIS')).toMatchObject({
      cities: ['POSEIDONIA'],
      identifierTypes: expect.arrayContaining(['AT_REG', 'HKID', 'PASSPORT']),
      filingAuthority: 'AT_DPA',
      filingWorkingDays: 3,
      reviewWorkingDays: 5,
      resubmissionWorkingDays: 2,
    });
    const authority = res.body.authorities.find((a: { code: string }) => a.code === 'AT_DPA');
    expect(authority.names.map((n: { validFrom: string; en: string }) => [n.validFrom, n.en])).toEqual([
      ['1900-01-01', 'Atlantis Data Commission'],
      ['2025-03-01', 'Atlantis Data Protection Authority'],
    ]);
  });

  it('registers an Atlantis company by its scheme’s format and refuses a wrong one, naming the field and rule', async () => {
    const bad = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send({ legalName: 'Bad', jurisdiction: 'ATLANTIS', city: 'POSEIDONIA', identifierType: 'AT_REG', identifier: 'AT12345', sector: 'RETAIL' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'identifier', rule: 'AT_REG_FORMAT' })]);
    const wrongScheme = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send({ legalName: 'Bad', jurisdiction: 'ATLANTIS', city: 'POSEIDONIA', identifierType: 'HK_BRN', identifier: '12345678', sector: 'RETAIL' });
    expect(wrongScheme.status).toBe(400);
    expect(wrongScheme.body.errors).toEqual([expect.objectContaining({ field: 'identifierType', rule: 'R17' })]);
  });

  it('files a Shenzhen → Atlantis contract end to end: reviewed by GD_CAC and AT_DPA, transfers logged', async () => {
    const shenzhenId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN', sector: 'RETAIL' });
    const registered = await postOrganisation(t, {
      legalName: 'Poseidonia Trading Co',
      jurisdiction: 'ATLANTIS',
      city: 'poseidonia',
      identifierType: 'AT_REG',
      identifier: ' at123456 ',
      sector: 'RETAIL',
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ jurisdiction: 'ATLANTIS', city: 'POSEIDONIA', identifierType: 'AT_REG', identifier: 'AT123456' });
    const atlantisId = registered.body.id as string;
    const shenzhen = (await t.user('ORG_FILER', { organisationId: shenzhenId })).token;
    const atlantis = (await t.user('ORG_FILER', { organisationId: atlantisId })).token;
    const gdCac = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
    const atDpa = (await t.user('REGULATOR', { authority: 'AT_DPA' })).token;
    const hkDpo = (await t.user('REGULATOR', { authority: 'HK_DPO' })).token;

    const filed = await t.http
      .post('/contracts')
      .set(...bearer(shenzhen))
      .send(
        contractBody(shenzhenId, atlantisId, {
          regime: REGIME,
          effectiveDate: EFFECTIVE,
          expiryDate: '2027-07-02',
          annex: {
            retentionPeriod: { from: EFFECTIVE, to: '2030-07-02' },
            storageLocation: { city: 'POSEIDONIA' },
            onwardRecipients: [{ name: 'Poseidonia Archive Ltd', city: 'POSEIDONIA' }],
          },
          pipia: { completedOn: '2025-06-01' },
        }),
      );
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const mainlandDeadline = (await t.http.get('/calendar/deadline').query({ jurisdiction: 'MAINLAND', from: EFFECTIVE, workingDays: '10' })).body.deadline;
    expect(filed.body).toMatchObject({ regime: REGIME, direction: 'MAINLAND_TO_ATL' });
    expect(filed.body.filings).toEqual([
      expect.objectContaining({ party: 'processor', authority: 'GD_CAC', deadline: mainlandDeadline }),
      expect.objectContaining({ party: 'recipient', authority: 'AT_DPA', authorityName: 'Atlantis Data Protection Authority', deadline: '2025-07-09' }),
    ]);

    // R10: the Atlantis side's own material.
    expect((await upload(t, atlantis, id, 'SIGNED_CONTRACT')).status).toBe(201);
    const early = await submitFiling(t, atlantis, id, 'recipient');
    expect(early.body).toMatchObject({ code: 'FILING_MATERIALS_MISSING', missing: ['ATLANTIS_DECLARATION'] });
    expect((await upload(t, atlantis, id, 'ATLANTIS_DECLARATION')).status).toBe(201);
    expect((await upload(t, shenzhen, id, 'SIGNED_CONTRACT')).status).toBe(201);
    expect((await submitFiling(t, shenzhen, id, 'processor')).body.status).toBe('SUBMITTED');
    expect((await submitFiling(t, atlantis, id, 'recipient')).body.status).toBe('SUBMITTED');

    // R8: Hong Kong's authority does not see it; Atlantis's reviews the Atlantis filing, the CAC the Mainland one.
    expect((await t.http.get(`/contracts/${id}`).set(...bearer(hkDpo))).status).toBe(404);
    expect((await t.http.get(`/contracts/${id}`).set(...bearer(atDpa))).status).toBe(200);
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const at = await reviewFiling(t, atDpa, id, 'recipient');
    expect(at.status).toBe(200);
    expect(at.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `ATDPA-GBA-${year}-000001` });
    const gd = await reviewFiling(t, gdCac, id, 'processor');
    expect(gd.status).toBe(200);
    expect(gd.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `GDCAC-GBA-${year}-000001` });

    // Transfers: the made-up side's city is inside the area for onward recipients (R5); the direction is its own (R2).
    const logged = await postTransfers(t, shenzhen, [
      transferRecord(id, {
        occurredAt: '2025-07-04T03:00:00Z',
        direction: 'MAINLAND_TO_ATL',
        onwardRecipient: { name: 'Poseidonia Archive Ltd', city: 'POSEIDONIA' },
      }),
      transferRecord(id, { occurredAt: '2025-07-04T04:00:00Z', direction: 'MAINLAND_TO_HK' }),
    ]);
    expect(logged.status).toBe(201);
    expect(logged.body.records.map((r: { flags: string[] }) => r.flags)).toEqual([[], ['DIRECTION_MISMATCH']]);
    const listed = await listTransfers(t, atDpa, { contractId: id });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
  });
});
