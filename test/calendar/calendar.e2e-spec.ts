import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { CalendarService } from '../../src/calendar/calendar.service';
import { fileContract, setupParties, uploadAll } from '../contracts/fixtures';
import { publishedYears } from '../../src/calendar/working-days';

/*
 * Expected dates worked out by hand from the official calendars:
 * - Hong Kong 2025 general holidays (https://www.gov.hk/en/about/abouthk/holiday/2025.htm): none
 *   between 2 July and 30 September, so from Fri 2025-07-18 the 10th working day is Fri 2025-08-01.
 * - Mainland 2025 (国办发明电〔2024〕12号): 国庆中秋 10/1–10/8 off, Sun 9/28 and Sat 10/11 worked.
 *   From Fri 2025-09-26: 9/28, 9/29, 9/30, 10/9, 10/10, 10/11, 10/13, 10/14, 10/15, 10/16 → 2025-10-16.
 * - 2027 has no official calendar in the data on any side (today, 30 Nov 2026), so its public
 *   holidays are counted by rule (docs/rules.md#r9): Mainland 元旦 2027-01-01 (全国年节及纪念日放假办法
 *   as amended in 2024); Hong Kong Lunar New Year 2/6 (Sat), 2/8 (3rd day), 2/9 (4th day, for the
 *   2nd day on a Sunday) by Cap. 149; Macao 2026-12-21 (補假 for 12/20 on a Sunday), 12/22 冬至,
 *   12/24, 12/25, 2027-01-01 by Executive Order 60/2000.
 */
describe('calendar routes (R9)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const deadline = (query: Record<string, string>) => t.http.get('/calendar/deadline').query(query);

  it('answers a Hong Kong deadline anonymously', async () => {
    const res = await deadline({ jurisdiction: 'HONG_KONG', from: '2025-07-18', workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2025-08-01', provisional: false, provisionalYears: [] });
  });

  it('counts Mainland make-up working days (调休)', async () => {
    const res = await deadline({ jurisdiction: 'MAINLAND', from: '2025-09-26', workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2025-10-16', provisional: false, provisionalYears: [] });
  });

  it('counts the Mainland from 2026-12-28 over 元旦 2027 by rule, provisionally', async () => {
    // 12/29–12/31 (1–3), [1/1], 1/4–1/8 (4–8), 1/11 (9), 1/12 (10).
    const res = await deadline({ jurisdiction: 'MAINLAND', from: '2026-12-28', workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2027-01-12', provisional: true, provisionalYears: [2027] });
    // From mid-December a count over weekends only would end on 1 January 2027; by rule it skips it: 12/21–12/25, 12/28–12/31, [1/1], 1/4.
    const mid = await deadline({ jurisdiction: 'MAINLAND', from: '2026-12-18', workingDays: '10' });
    expect(mid.body).toEqual({ deadline: '2027-01-04', provisional: true, provisionalYears: [2027] });
  });

  it('counts Hong Kong across the 2027 Lunar New Year by the Ordinance, provisionally', async () => {
    // From Fri 2027-01-29: 2/1–2/5 (1–5), [2/6–2/9], 2/10–2/12 (6–8), 2/15 (9), 2/16 (10).
    const res = await deadline({ jurisdiction: 'HONG_KONG', from: '2027-01-29', workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2027-02-16', provisional: true, provisionalYears: [2027] });
    // Day 0 on the 4th day of Lunar New Year: the first working day is 2/10.
    expect((await deadline({ jurisdiction: 'HONG_KONG', from: '2027-02-05', workingDays: '1' })).body.deadline).toBe('2027-02-10');
  });

  it('answers a Macao deadline from Macao public holidays', async () => {
    // From Fri 2026-12-18: [12/21, 12/22], 12/23 (1), [12/24, 12/25], 12/28–12/31 (2–5), [1/1], 1/4–1/8 (6–10).
    const res = await deadline({ jurisdiction: 'MACAO', from: '2026-12-18', workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2027-01-08', provisional: true, provisionalYears: [2026, 2027] });
    // The same day on the Mainland: 12/21–12/25, 12/28–12/31, [1/1], 1/4.
    expect((await deadline({ jurisdiction: 'MAINLAND', from: '2026-12-18', workingDays: '10' })).body.deadline).toBe('2027-01-04');
  });

  it('files contracts whose deadlines fall in 2027 as provisional, never on 1 January', async () => {
    const p = await setupParties(t);
    const contract = await fileContract(t, p, { effectiveDate: '2026-12-18', pipia: { completedOn: '2026-12-01' } });
    const expected = [
      // Mainland as above; Hong Kong 2026 (gazetted): [12/25, 12/26 Sat], 12/21–12/24, 12/28–12/31, [1/1], 1/4, 1/5.
      { party: 'processor', authority: 'GD_CAC', deadline: '2027-01-04', provisional: true },
      { party: 'recipient', authority: 'HK_DPO', deadline: '2027-01-05', provisional: true },
    ];
    expect(contract.filings.map(({ party, authority, deadline, provisional }) => ({ party, authority, deadline, provisional }))).toEqual(expected);
    const read = await t.http.get(`/contracts/${contract.id}`).set(...bearer(p.hkDpo));
    expect(read.status).toBe(200);
    expect(read.body.filings).toEqual(expected.map((f) => expect.objectContaining(f)));
    const rows: Array<{ deadline: string; provisional: boolean }> = await t.dataSource.query(
      `SELECT to_char(deadline, 'YYYY-MM-DD') AS deadline, provisional FROM filings WHERE contract_id = $1 ORDER BY party`,
      [contract.id],
    );
    expect(rows).toEqual([
      { deadline: '2027-01-04', provisional: true },
      { deadline: '2027-01-05', provisional: true },
    ]);
  });

  it('flags a deadline in a year with no published calendar as provisional', async () => {
    const coverage = await t.http.get('/calendar/coverage');
    expect(coverage.status).toBe(200);
    const hk = coverage.body.find((c: { jurisdiction: string }) => c.jurisdiction === 'HONG_KONG');
    const mainland = coverage.body.find((c: { jurisdiction: string }) => c.jurisdiction === 'MAINLAND');
    expect(hk.publishedYears).toEqual(expect.arrayContaining([2024, 2025]));
    expect(mainland.publishedYears).toEqual(expect.arrayContaining([2024, 2025]));
    expect(hk.source.package).toBe('date-holidays');
    expect(mainland.source.package).toBe('chinese-days');
    const unpublished = Math.max(...hk.publishedYears) + 5;
    // 1 March of that year plus 10 working days is within two weeks: weekends only.
    const res = await deadline({ jurisdiction: 'HONG_KONG', from: `${unpublished}-03-01`, workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body.provisional).toBe(true);
  });

  it('only system administrators add overrides', async () => {
    const orgId = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: orgId });
    const regulator = await t.user('REGULATOR', { authority: 'HK_DPO' });
    const body = { jurisdiction: 'HONG_KONG', date: '2025-07-21', kind: 'CLOSURE', reason: 'black rainstorm' };
    expect((await t.http.post('/calendar/overrides').send(body)).status).toBe(401);
    for (const token of [orgAdmin.token, regulator.token]) {
      const res = await t.http
        .post('/calendar/overrides')
        .set(...bearer(token))
        .send(body);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await t.dataSource.query('SELECT * FROM calendar_overrides')).toEqual([]);
  });

  it('a closure override moves the deadline, and a duplicate is refused', async () => {
    const body = { jurisdiction: 'HONG_KONG', date: '2025-07-21', kind: 'CLOSURE', reason: 'Black rainstorm warning: offices closed' };
    const created = await t.http
      .post('/calendar/overrides')
      .set(...bearer(t.adminToken))
      .send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, id: expect.any(String) });

    // 2025-07-21 no longer counts: the 10th working day moves from Fri 08-01 to Mon 08-04.
    const hk = await deadline({ jurisdiction: 'HONG_KONG', from: '2025-07-18', workingDays: '10' });
    expect(hk.body).toEqual({ deadline: '2025-08-04', provisional: false, provisionalYears: [] });
    // The other side's calendar is untouched: Mainland from Fri 07-18 is also 08-01 (no holidays).
    const mainland = await deadline({ jurisdiction: 'MAINLAND', from: '2025-07-18', workingDays: '10' });
    expect(mainland.body).toEqual({ deadline: '2025-08-01', provisional: false, provisionalYears: [] });
    // The service the contract filing calls sees the same override.
    await expect(t.app.get(CalendarService).deadline('HONG_KONG', '2025-07-18', 10)).resolves.toEqual({
      deadline: '2025-08-04',
      provisional: false,
      provisionalYears: [],
    });

    const again = await t.http
      .post('/calendar/overrides')
      .set(...bearer(t.adminToken))
      .send(body);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DUPLICATE_CALENDAR_OVERRIDE');

    const list = await t.http.get('/calendar/overrides').query({ jurisdiction: 'HONG_KONG', year: '2025' });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining(body)]);
    expect((await t.http.get('/calendar/overrides').query({ jurisdiction: 'MAINLAND' })).body).toEqual([]);
  });

  it('a working-day override shortens a deadline across a holiday', async () => {
    // Mainland 2025-10-08 is the last day of the National Day holiday. Declared open, it is the 4th
    // working day after 2025-09-26, and the 10th falls on 2025-10-15.
    const created = await t.http
      .post('/calendar/overrides')
      .set(...bearer(t.adminToken))
      .send({ jurisdiction: 'MAINLAND', date: '2025-10-08', kind: 'WORKING_DAY', reason: 'test: declared open' });
    expect(created.status).toBe(201);
    const res = await deadline({ jurisdiction: 'MAINLAND', from: '2025-09-26', workingDays: '10' });
    expect(res.body).toEqual({ deadline: '2025-10-15', provisional: false, provisionalYears: [] });
  });

  it.each([
    [{ jurisdiction: 'TAIWAN', from: '2025-01-02', workingDays: '10' }, 'jurisdiction', 'JURISDICTION_UNKNOWN'],
    [{ jurisdiction: 'macao', from: '2025-01-02', workingDays: '10' }, 'jurisdiction', 'JURISDICTION_UNKNOWN'],
    [{ jurisdiction: 'MAINLAND', from: '2025-02-30', workingDays: '10' }, 'from', 'DATE_INVALID'],
    [{ jurisdiction: 'MAINLAND', from: '2025/01/02', workingDays: '10' }, 'from', 'DATE_FORMAT'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02', workingDays: '0' }, 'workingDays', 'WORKING_DAYS_RANGE'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02', workingDays: '366' }, 'workingDays', 'WORKING_DAYS_RANGE'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02', workingDays: '-1' }, 'workingDays', 'WORKING_DAYS_RANGE'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02', workingDays: '2.5' }, 'workingDays', 'WORKING_DAYS_RANGE'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02', workingDays: 'ten' }, 'workingDays', 'WORKING_DAYS_RANGE'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02' }, 'workingDays', 'required'],
    [{ from: '2025-01-02', workingDays: '10' }, 'jurisdiction', 'required'],
    [{ jurisdiction: 'MAINLAND', from: '2025-01-02', workingDays: '10', extra: '1' }, 'extra', 'whitelistValidation'],
  ])('400 for %j naming %s', async (query, field, rule) => {
    const res = await deadline(query);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
  });

  it('400 for an override with a bad date or kind', async () => {
    const bad = await t.http
      .post('/calendar/overrides')
      .set(...bearer(t.adminToken))
      .send({ jurisdiction: 'HONG_KONG', date: '2025-13-01', kind: 'CLOSURE', reason: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'date', rule: 'DATE_INVALID' })]);
    const kind = await t.http
      .post('/calendar/overrides')
      .set(...bearer(t.adminToken))
      .send({ jurisdiction: 'HONG_KONG', date: '2025-08-01', kind: 'HOLIDAY', reason: 'x' });
    expect(kind.status).toBe(400);
    expect(kind.body.errors).toEqual([expect.objectContaining({ field: 'kind' })]);
  });

  it('takes overrides for Macao and lists its coverage', async () => {
    const created = await t.http
      .post('/calendar/overrides')
      .set(...bearer(t.adminToken))
      .send({ jurisdiction: 'MACAO', date: '2027-01-04', kind: 'CLOSURE', reason: 'Typhoon signal 8: government offices closed' });
    expect(created.status).toBe(201);
    const res = await deadline({ jurisdiction: 'MACAO', from: '2026-12-18', workingDays: '10' });
    expect(res.body).toEqual({ deadline: '2027-01-11', provisional: true, provisionalYears: [2026, 2027] });
    const coverage = await t.http.get('/calendar/coverage');
    const macao = coverage.body.find((c: { jurisdiction: string }) => c.jurisdiction === 'MACAO');
    expect(macao.publishedYears).toEqual([2020]);
    expect(macao.source.package).toBe('date-holidays-parser');
  });
});

describe('a resubmission deadline counted into an unpublished year (R9, R11)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // 365 working days from any review date end more than a year later, beyond every calendar the data holds.
    // The window is data (docs/rules.md#r16): the Hong Kong side's of the Mainland–Hong Kong regime.
    t = await startTestApp();
    await t.dataSource.query(
      `UPDATE rollout_regime_sides SET resubmission_working_days = 365 WHERE regime_code = 'GBA_MAINLAND_HK' AND jurisdiction = 'HONG_KONG'`,
    );
  });
  afterAll(async () => t?.close());

  it('is marked provisional on the filing, and cleared on resubmission', async () => {
    const p = await setupParties(t);
    const contract = await fileContract(t, p);
    await uploadAll(t, p.hongKong, contract.id);
    expect((await t.http.post(`/contracts/${contract.id}/filings/recipient/submit`).set(...bearer(p.hongKong))).status).toBe(200);
    const returned = await t.http
      .post(`/contracts/${contract.id}/filings/recipient/review`)
      .set(...bearer(p.hkDpo))
      .send({ decision: 'RETURN', reason: 'letter of undertaking is unsigned' });
    expect(returned.status).toBe(200);
    expect(Number(returned.body.resubmissionDeadline.slice(0, 4))).toBeGreaterThan(Math.max(...publishedYears('HONG_KONG')));
    expect(returned.body).toMatchObject({ status: 'RETURNED', provisional: false, resubmissionProvisional: true });
    const read = await t.http.get(`/contracts/${contract.id}`).set(...bearer(p.hongKong));
    expect(read.body.filings.find((f: { party: string }) => f.party === 'recipient')).toMatchObject({ resubmissionProvisional: true });
    const row = async () =>
      (await t.dataSource.query(`SELECT resubmission_provisional FROM filings WHERE contract_id = $1 AND party = 'recipient'`, [contract.id]))[0];
    expect(await row()).toEqual({ resubmission_provisional: true });
    // The processor's filing has no resubmission deadline.
    expect(read.body.filings.find((f: { party: string }) => f.party === 'processor')).toMatchObject({
      resubmissionDeadline: null,
      resubmissionProvisional: null,
    });

    const resubmitted = await t.http.post(`/contracts/${contract.id}/filings/recipient/submit`).set(...bearer(p.hongKong));
    expect(resubmitted.body).toMatchObject({ status: 'SUBMITTED', resubmissionDeadline: null, resubmissionProvisional: null });
    expect(await row()).toEqual({ resubmission_provisional: null });
  });
});
