import { bearer, startTestApp, TestApp } from '../support/app';
import { contractBody, fileContract, Parties, setupParties } from './fixtures';

// POST /contracts answers the sector gate (R15) and the filing deadlines (R9) from memory while the
// rollout catalogue and the calendar overrides are unchanged (issue 6). The check is a fingerprint
// read with the parties, so a change made anywhere (another instance, plain SQL) counts at once.
describe('filing: memoised sector gate and deadlines follow every change', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => {
    t = await startTestApp();
    p = await setupParties(t);
  });
  afterAll(async () => t?.close());

  it('a calendar override written behind the service moves the next deadline', async () => {
    const before = await fileContract(t, p);
    expect(before.filings.map((f: { deadline: string }) => f.deadline)).toEqual(['2025-02-13', '2025-02-12']);
    // As another instance would: straight into the table, not through this instance's CalendarService.
    await t.dataSource.query(
      `INSERT INTO calendar_overrides (jurisdiction, date, kind, reason) VALUES ('MAINLAND', '2025-02-05', 'CLOSURE', 'typhoon signal 8')`,
    );
    const after = await fileContract(t, p);
    expect(after.filings.map((f: { deadline: string }) => f.deadline)).toEqual(['2025-02-14', '2025-02-12']);
    await t.dataSource.query(`DELETE FROM calendar_overrides WHERE date = '2025-02-05'`);
    const again = await fileContract(t, p);
    expect(again.filings.map((f: { deadline: string }) => f.deadline)).toEqual(['2025-02-13', '2025-02-12']);
  });

  it('a phase written behind the service opens the sector for the next filing', async () => {
    const retail = await setupParties(t, 'RETAIL');
    const early = contractBody(retail.mainlandId, retail.hongKongId, {
      effectiveDate: '2024-06-03',
      annex: { retentionPeriod: { from: '2024-06-03', to: '2030-01-23' } },
      pipia: { completedOn: '2024-05-01' },
    });
    const refused = await t.http.post('/contracts').set(...bearer(retail.mainland)).send(early);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'SECTOR_NOT_OPEN', rule: 'R15' });

    const [{ id }] = await t.dataSource.query(
      `INSERT INTO rollout_phases (regime_code, number, opens_on, all_sectors) VALUES ('GBA_MAINLAND_HK', 3, '2024-05-01', false) RETURNING id`,
    );
    await t.dataSource.query(`INSERT INTO rollout_phase_sectors (phase_id, sector_code) VALUES ($1, 'RETAIL')`, [id]);
    const admitted = await t.http.post('/contracts').set(...bearer(retail.mainland)).send(early);
    expect(admitted.status).toBe(201);
  });

  it('GET /contracts/:id answers what POST /contracts answered', async () => {
    const created = await fileContract(t, p);
    const read = await t.http.get(`/contracts/${created.id}`).set(...bearer(p.mainland));
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    const history = await t.http.get(`/contracts/${created.id}/history`).set(...bearer(p.mainland));
    expect(history.body.items.map((h: { action: string; party: string | null }) => [h.action, h.party])).toEqual([
      ['CONTRACT_CREATED', null],
      ['FILING_CREATED', 'processor'],
      ['FILING_CREATED', 'recipient'],
    ]);
  });
});
