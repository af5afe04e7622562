/**
 * A third regime as data only (docs/rules.md#r16): rows inserted in SQL before the registry starts, as a migration
 * would, and no code change. A made-up Mainland–Hong Kong trial regime whose Hong Kong side files with a made-up
 * authority (names over time, its own filing-number prefix), with its own filing, review and resubmission windows
 * and its own materials (R8, R10, R11); a contract is filed under it end to end: two parties registered, both
 * filings submitted and reviewed by the two sides' regulators, transfers logged.
 */
import { bearer, createOrganisation, startTestAppWithSql, TestApp } from '../support/app';
import { contractBody, upload } from '../contracts/fixtures';
import { calendarDeadline, reviewFiling, submitFiling } from '../contracts/filings';
import { listTransfers, postTransfers, transferRecord } from '../transfers/support';

const REGIME = 'GBA_MAINLAND_HK_TRIAL';
const AUTHORITY = 'HK_TRIAL_OFFICE';

const THIRD_REGIME_SQL = `
  INSERT INTO rollout_regimes (code, name, name_zh, sides, opens_on)
    VALUES ('${REGIME}', 'Cross-boundary data trial (Mainland, Hong Kong)', '跨境數據試點（內地、香港）', '{MAINLAND,HONG_KONG}', '2025-01-01');
  INSERT INTO rollout_phases (regime_code, number, name, opens_on, all_sectors) VALUES ('${REGIME}', 1, 'All sectors', '2025-01-01', true);
  INSERT INTO rollout_authorities (code, jurisdiction, read_only, filing_number_prefix, source)
    VALUES ('${AUTHORITY}', 'HONG_KONG', false, 'HKTRIAL', 'made up for this test');
  INSERT INTO rollout_authority_names (authority, valid_from, name_en, name_zh_hant, name_zh_hans, source) VALUES
    ('${AUTHORITY}', '1900-01-01', 'Trial Data Office', '試點數據辦公室', '试点数据办公室', 'made up'),
    ('${AUTHORITY}', '2025-06-01', 'Cross-boundary Data Office', '跨境數據辦公室', '跨境数据办公室', 'made up: renamed on 2025-06-01');
  INSERT INTO rollout_regime_sides (regime_code, jurisdiction, filing_authority, filing_working_days, review_working_days, resubmission_working_days, source) VALUES
    ('${REGIME}', 'MAINLAND', 'GD_CAC', 5, 15, 3, 'made up'),
    ('${REGIME}', 'HONG_KONG', '${AUTHORITY}', 7, NULL, 4, 'made up');
  INSERT INTO rollout_filing_materials (regime_code, jurisdiction, party_type, kind, position, confirmed, source) VALUES
    ('${REGIME}', 'MAINLAND', 'ORGANISATION', 'SIGNED_CONTRACT', 1, false, 'made up'),
    ('${REGIME}', 'MAINLAND', 'ORGANISATION', 'DATA_FLOW_MAP', 2, false, 'made up'),
    ('${REGIME}', 'HONG_KONG', 'ORGANISATION', 'LETTER_OF_UNDERTAKING', 1, true, 'made up');
`;

describe('a third regime added as data only (R8, R10, R11, R16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestAppWithSql(THIRD_REGIME_SQL);
  });
  afterAll(async () => t?.close());

  const EFFECTIVE = '2025-07-02';

  it('lists the regime with its sides, authorities (names over time), identifier schemes, materials and windows at GET /reference', async () => {
    const res = await t.http.get('/reference');
    expect(res.status).toBe(200);
    const regime = res.body.regimes.find((r: { code: string }) => r.code === REGIME);
    expect(regime).toMatchObject({ code: REGIME, opensOn: '2025-01-01' });
    expect(regime.sides).toEqual([
      expect.objectContaining({
        jurisdiction: 'MAINLAND',
        filingAuthority: 'GD_CAC',
        filingWorkingDays: 5,
        reviewWorkingDays: 15,
        resubmissionWorkingDays: 3,
        cities: expect.arrayContaining(['SHENZHEN', 'ZHUHAI']),
        identifierTypes: expect.arrayContaining(['USCC']),
        materials: {
          ORGANISATION: [
            { kind: 'SIGNED_CONTRACT', confirmed: false, source: 'made up' },
            { kind: 'DATA_FLOW_MAP', confirmed: false, source: 'made up' },
          ],
          INDIVIDUAL: [],
        },
      }),
      expect.objectContaining({
        jurisdiction: 'HONG_KONG',
        filingAuthority: AUTHORITY,
        filingWorkingDays: 7,
        reviewWorkingDays: null,
        resubmissionWorkingDays: 4,
        identifierTypes: expect.arrayContaining(['HK_BRN']),
      }),
    ]);
    const authority = res.body.authorities.find((a: { code: string }) => a.code === AUTHORITY);
    expect(authority).toMatchObject({ jurisdiction: 'HONG_KONG', readOnly: false, filingNumberPrefix: 'HKTRIAL' });
    expect(authority.names.map((n: { validFrom: string; en: string; 'zh-Hant': string }) => [n.validFrom, n.en, n['zh-Hant']])).toEqual([
      ['1900-01-01', 'Trial Data Office', '試點數據辦公室'],
      ['2025-06-01', 'Cross-boundary Data Office', '跨境數據辦公室'],
    ]);
    // The seeded regimes are data too: the DPO's names over time, Hong Kong's confirmed materials.
    const dpo = res.body.authorities.find((a: { code: string }) => a.code === 'HK_DPO');
    expect(dpo.names.map((n: { validFrom: string; en: string }) => [n.validFrom, n.en])).toEqual([
      ['1900-01-01', 'Office of the Government Chief Information Officer (OGCIO)'],
      ['2024-07-25', 'Digital Policy Office (DPO)'],
    ]);
    const hk = res.body.regimes.find((r: { code: string }) => r.code === 'GBA_MAINLAND_HK');
    const hkSide = hk.sides.find((s: { jurisdiction: string }) => s.jurisdiction === 'HONG_KONG');
    expect(hkSide).toMatchObject({ filingAuthority: 'HK_DPO', filingWorkingDays: 10, reviewWorkingDays: null, resubmissionWorkingDays: 10 });
    expect(hkSide.materials.ORGANISATION.map((m: { kind: string; confirmed: boolean }) => [m.kind, m.confirmed])).toEqual([
      ['LEGAL_REPRESENTATIVE_ID', true],
      ['LETTER_OF_UNDERTAKING', true],
      ['SIGNED_CONTRACT', true],
    ]);
  });

  it('files a contract under it end to end: its authorities, windows and materials, reviewed by both sides, transfers logged', async () => {
    const shenzhenId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN', sector: 'RETAIL' });
    const hongKongId = await createOrganisation(t, { jurisdiction: 'HONG_KONG', sector: 'RETAIL' });
    const shenzhen = (await t.user('ORG_FILER', { organisationId: shenzhenId })).token;
    const hongKong = (await t.user('ORG_FILER', { organisationId: hongKongId })).token;
    const gdCac = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
    const hkDpo = (await t.user('REGULATOR', { authority: 'HK_DPO' })).token;
    // The made-up authority's regulator, created through the API: the authority is data.
    const created = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'trial-office@example.test', password: 'a long enough password 123', role: 'REGULATOR', authority: AUTHORITY });
    expect(created.status).toBe(201);
    const trialOffice = await t.tokenFor(created.body.id as string);
    const unknown = await t.http
      .post('/users')
      .set(...bearer(t.adminToken))
      .send({ email: 'nobody@example.test', password: 'a long enough password 123', role: 'REGULATOR', authority: 'NO_SUCH_OFFICE' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'authority', rule: 'isIn' })]);

    const filed = await t.http
      .post('/contracts')
      .set(...bearer(shenzhen))
      .send(
        contractBody(shenzhenId, hongKongId, {
          regime: REGIME,
          effectiveDate: EFFECTIVE,
          expiryDate: '2027-07-01',
          annex: { retentionPeriod: { from: EFFECTIVE, to: '2030-07-01' } },
          pipia: { completedOn: '2025-06-01' },
        }),
      );
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    // R8 from the data: 5 working days on the Mainland side, 7 on the Hong Kong side, with the authority's name of the day.
    expect(filed.body).toMatchObject({ regime: REGIME, direction: 'MAINLAND_TO_HK' });
    expect(filed.body.filings).toEqual([
      expect.objectContaining({ party: 'processor', authority: 'GD_CAC', deadline: await calendarDeadline(t, 'MAINLAND', EFFECTIVE, 5) }),
      expect.objectContaining({
        party: 'recipient',
        authority: AUTHORITY,
        authorityName: 'Cross-boundary Data Office',
        deadline: await calendarDeadline(t, 'HONG_KONG', EFFECTIVE, 7),
      }),
    ]);

    // R10 from the data: the Mainland side asks for a material no other regime has, and no legal representative's ID.
    const early = await submitFiling(t, shenzhen, id, 'processor');
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'FILING_MATERIALS_MISSING', rule: 'R10', missing: ['SIGNED_CONTRACT', 'DATA_FLOW_MAP'] });
    expect((await upload(t, hongKong, id, 'DATA_FLOW_MAP')).status).toBe(400);
    for (const kind of ['SIGNED_CONTRACT', 'DATA_FLOW_MAP']) expect((await upload(t, shenzhen, id, kind)).status).toBe(201);
    expect((await upload(t, hongKong, id, 'LETTER_OF_UNDERTAKING')).status).toBe(201);
    expect((await submitFiling(t, shenzhen, id, 'processor')).body.status).toBe('SUBMITTED');
    expect((await submitFiling(t, hongKong, id, 'recipient')).body.status).toBe('SUBMITTED');

    // R8: the Hong Kong filing is the made-up authority's; the DPO does not see it, the trial office reviews it.
    expect((await reviewFiling(t, hkDpo, id, 'recipient')).status).toBe(404);
    const returned = await reviewFiling(t, trialOffice, id, 'recipient', { decision: 'RETURN', reason: 'the letter is unsigned' });
    expect(returned.status).toBe(200);
    // R11 from the data: 4 working days to resubmit, in the Hong Kong calendar, from the review's GBA date.
    const reviewedOn = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(returned.body).toMatchObject({ status: 'RETURNED', resubmissionDeadline: await calendarDeadline(t, 'HONG_KONG', reviewedOn, 4) });
    expect((await submitFiling(t, hongKong, id, 'recipient')).body.status).toBe('SUBMITTED');

    const year = reviewedOn.slice(0, 4);
    const hk = await reviewFiling(t, trialOffice, id, 'recipient');
    expect(hk.status).toBe(200);
    expect(hk.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `HKTRIAL-GBA-${year}-000001`, authorityName: 'Cross-boundary Data Office' });
    const gd = await reviewFiling(t, gdCac, id, 'processor');
    expect(gd.status).toBe(200);
    expect(gd.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `GDCAC-GBA-${year}-000001` });

    // Transfers logged against it; the made-up authority's regulator reads them.
    const logged = await postTransfers(t, shenzhen, [
      transferRecord(id, { occurredAt: '2025-07-03T03:00:00Z', direction: 'MAINLAND_TO_HK' }),
      transferRecord(id, { occurredAt: '2025-07-03T04:00:00Z', direction: 'HK_TO_MAINLAND' }),
    ]);
    expect(logged.status).toBe(201);
    expect(logged.body.records.map((r: { flags: string[] }) => r.flags)).toEqual([[], ['DIRECTION_MISMATCH']]);
    const listed = await listTransfers(t, trialOffice, { contractId: id });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
  });

  it('gives a regime created through the API the rules of the earliest regime with each side, and refuses a side no regime has (R16)', async () => {
    const made = await t.http
      .post('/rollout/regimes')
      .set(...bearer(t.adminToken))
      .send({ code: 'GBA_MAINLAND_MACAO_TWO', name: 'Second Mainland–Macao', sides: ['MAINLAND', 'MACAO'], opensOn: '2026-01-01' });
    expect(made.status).toBe(201);
    expect(
      await t.dataSource.query(
        `SELECT jurisdiction, filing_authority, filing_working_days, resubmission_working_days, source FROM rollout_regime_sides WHERE regime_code = 'GBA_MAINLAND_MACAO_TWO' ORDER BY jurisdiction`,
      ),
    ).toEqual([
      { jurisdiction: 'MACAO', filing_authority: 'MO_DSPDP', filing_working_days: 10, resubmission_working_days: 10, source: 'copied from GBA_MAINLAND_MACAO' },
      { jurisdiction: 'MAINLAND', filing_authority: 'GD_CAC', filing_working_days: 10, resubmission_working_days: 10, source: 'copied from GBA_MAINLAND_HK' },
    ]);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM rollout_filing_materials WHERE regime_code = 'GBA_MAINLAND_MACAO_TWO'`))[0].n).toBe(10);

    const refused = await t.http
      .post('/rollout/regimes')
      .set(...bearer(t.adminToken))
      .send({ code: 'GBA_MAINLAND_ATLANTIS', name: 'Atlantis', sides: ['MAINLAND', 'ATLANTIS'], opensOn: '2026-01-01' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'sides', rule: 'R16' })]);
    expect(await t.dataSource.query(`SELECT code FROM rollout_regimes WHERE code = 'GBA_MAINLAND_ATLANTIS'`)).toEqual([]);
  });
});
