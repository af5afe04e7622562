import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { CalendarService } from '../../src/calendar/calendar.service';

/*
 * Expected dates worked out by hand from the official calendars:
 * - Hong Kong 2025 general holidays (https://www.gov.hk/en/about/abouthk/holiday/2025.htm): none
 *   between 2 July and 30 September, so from Fri 2025-07-18 the 10th working day is Fri 2025-08-01.
 * - Mainland 2025 (国办发明电〔2024〕12号): 国庆中秋 10/1–10/8 off, Sun 9/28 and Sat 10/11 worked.
 *   From Fri 2025-09-26: 9/28, 9/29, 9/30, 10/9, 10/10, 10/11, 10/13, 10/14, 10/15, 10/16 → 2025-10-16.
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
    expect(res.body).toEqual({ deadline: '2025-08-01', provisional: false });
  });

  it('counts Mainland make-up working days (调休)', async () => {
    const res = await deadline({ jurisdiction: 'MAINLAND', from: '2025-09-26', workingDays: '10' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deadline: '2025-10-16', provisional: false });
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
    expect(hk.body).toEqual({ deadline: '2025-08-04', provisional: false });
    // The other side's calendar is untouched: Mainland from Fri 07-18 is also 08-01 (no holidays).
    const mainland = await deadline({ jurisdiction: 'MAINLAND', from: '2025-07-18', workingDays: '10' });
    expect(mainland.body).toEqual({ deadline: '2025-08-01', provisional: false });
    // The service the contract filing calls sees the same override.
    await expect(t.app.get(CalendarService).deadline('HONG_KONG', '2025-07-18', 10)).resolves.toEqual({
      deadline: '2025-08-04',
      provisional: false,
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
    expect(res.body).toEqual({ deadline: '2025-10-15', provisional: false });
  });

  it.each([
    [{ jurisdiction: 'MACAO', from: '2025-01-02', workingDays: '10' }, 'jurisdiction', 'JURISDICTION_UNKNOWN'],
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
});
