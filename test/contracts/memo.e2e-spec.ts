import { bearer, TestApp } from '../support/app';
import { contractBody, fileContract, Parties, setupParties, startWithParties } from './fixtures';

// POST /contracts answers the sector gate (R15) and the filing deadlines (R9) from memory while the
// rollout catalogue and the calendar overrides are unchanged (issue 6). The check is a fingerprint
// read with the parties, so a change made anywhere (another instance, plain SQL) counts at once.
// Once both parties are known, the filing is one statement that re-checks the fingerprints and the
// parties' jurisdiction, city and sector it assumed; `registry_contract_filings_total{path}` says
// which way each filing went.
async function filingPaths(t: TestApp): Promise<{ assumed: number; checked: number }> {
  const text = (await t.http.get('/metrics')).text;
  const count = (path: string): number => Number(new RegExp(`^registry_contract_filings_total\\{path="${path}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { assumed: count('assumed'), checked: count('checked') };
}

async function contractsOf(t: TestApp, processorId: string): Promise<number> {
  const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contracts WHERE processor_id = $1`, [processorId]);
  return n;
}

describe('filing: memoised sector gate and deadlines follow every change', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties()));
  afterAll(async () => t?.close());

  it('a calendar override written behind the service moves the next deadline', async () => {
    const before = await fileContract(t, p);
    expect(before.filings.map((f: { deadline: string }) => f.deadline)).toEqual(['2025-02-13', '2025-02-12']);
    // As another instance would: straight into the table, not through this instance's CalendarService.
    await t.dataSource.query(
      `INSERT INTO calendar_overrides (jurisdiction, date, kind, reason) VALUES ('MAINLAND', '2025-02-05', 'CLOSURE', 'typhoon signal 8')`,
    );
    const paths = await filingPaths(t);
    const contracts = await contractsOf(t, p.mainlandId);
    const after = await fileContract(t, p);
    expect(after.filings.map((f: { deadline: string }) => f.deadline)).toEqual(['2025-02-14', '2025-02-12']);
    // The one-statement filing saw the calendar fingerprint change, wrote nothing, and the checked path filed it once.
    expect(await filingPaths(t)).toEqual({ assumed: paths.assumed, checked: paths.checked + 1 });
    expect(await contractsOf(t, p.mainlandId)).toBe(contracts + 1);
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
    const refused = await t.http
      .post('/contracts')
      .set(...bearer(retail.mainland))
      .send(early);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'SECTOR_NOT_OPEN', rule: 'R15' });

    const [{ id }] = await t.dataSource.query(
      `INSERT INTO rollout_phases (regime_code, number, opens_on, all_sectors) VALUES ('GBA_MAINLAND_HK', 3, '2024-05-01', false) RETURNING id`,
    );
    await t.dataSource.query(`INSERT INTO rollout_phase_sectors (phase_id, sector_code) VALUES ($1, 'RETAIL')`, [id]);
    const admitted = await t.http
      .post('/contracts')
      .set(...bearer(retail.mainland))
      .send(early);
    expect(admitted.status).toBe(201);
  });

  it('a second filing between the same parties is the one statement, and answers the same', async () => {
    const fresh = await setupParties(t);
    const before = await filingPaths(t);
    const first = await fileContract(t, fresh);
    expect(await filingPaths(t)).toEqual({ assumed: before.assumed, checked: before.checked + 1 });
    // Verification changes a party's view but none of the facts the rules read: the statement returns the parties as they are now.
    await t.dataSource.query(`UPDATE organisations SET verification_status = 'VERIFIED', verified_at = now() WHERE id = $1`, [fresh.hongKongId]);
    const second = await fileContract(t, fresh);
    expect(await filingPaths(t)).toEqual({ assumed: before.assumed + 1, checked: before.checked + 1 });
    const strip = (view: object) =>
      JSON.parse(JSON.stringify(view, (key, value) => (['id', 'createdAt', 'updatedAt', 'verificationStatus'].includes(key) ? undefined : value)));
    expect(strip(second)).toEqual(strip(first));
    expect(JSON.stringify(second)).toContain('"verificationStatus":"VERIFIED"');
    const read = await t.http.get(`/contracts/${second.id}`).set(...bearer(fresh.mainland));
    expect(read.body).toEqual(second);
  });

  it("a party's city changed behind the service is not assumed: the filing is refused on what is there now", async () => {
    const moving = await setupParties(t);
    await fileContract(t, moving);
    await fileContract(t, moving);
    // Outside the Greater Bay Area (R1). Organisations cannot move through the API; plain SQL can.
    await t.dataSource.query(`UPDATE organisations SET city = 'BEIJING' WHERE id = $1`, [moving.mainlandId]);
    const paths = await filingPaths(t);
    const refused = await t.http
      .post('/contracts')
      .set(...bearer(moving.mainland))
      .send(contractBody(moving.mainlandId, moving.hongKongId));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ rule: 'R1' });
    expect(await contractsOf(t, moving.mainlandId)).toBe(2);
    expect(await filingPaths(t)).toEqual(paths);
    // And moved back: filed again, first through the checked path (it re-reads the city), then assumed.
    await t.dataSource.query(`UPDATE organisations SET city = 'SHENZHEN' WHERE id = $1`, [moving.mainlandId]);
    await fileContract(t, moving);
    await fileContract(t, moving);
    expect(await filingPaths(t)).toEqual({ assumed: paths.assumed + 1, checked: paths.checked + 1 });
    expect(await contractsOf(t, moving.mainlandId)).toBe(4);
  });

  it("a party's sector changed behind the service is re-checked against the gate", async () => {
    const changing = await setupParties(t);
    const early = contractBody(changing.mainlandId, changing.hongKongId, {
      effectiveDate: '2024-06-03',
      annex: { retentionPeriod: { from: '2024-06-03', to: '2030-01-23' } },
      pipia: { completedOn: '2024-05-01' },
    });
    const fileEarly = () =>
      t.http
        .post('/contracts')
        .set(...bearer(changing.mainland))
        .send(early);
    // Phase 1 (from 2023-12-13) opened banking; on 2024-06-03 an insurance processor is not yet admitted (R15).
    expect((await fileEarly()).status).toBe(201);
    expect((await fileEarly()).status).toBe(201);
    await t.dataSource.query(`UPDATE organisations SET sector = 'INSURANCE' WHERE id = $1`, [changing.mainlandId]);
    const refused = await fileEarly();
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'SECTOR_NOT_OPEN', rule: 'R15' });
    expect(await contractsOf(t, changing.mainlandId)).toBe(2);
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
