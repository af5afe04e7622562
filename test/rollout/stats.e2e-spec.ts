import { inTransaction } from '../../src/database/transaction';
import { RolloutService } from '../../src/rollout/rollout.service';
import { startTestApp, TestApp } from '../support/app';
import { act, acceptFiling, organisationWithUser, register } from './support';

const ZERO = { INTERESTED: 0, ENROLLED: 0, ACTIVE: 0, DECLINED: 0, WITHDRAWN: 0 };

describe('GET /rollout/stats', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('is empty before any enrolment', async () => {
    const res = await t.http.get('/rollout/stats');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ enrolments: [], sectors: [] });
  });

  it('counts a scripted set of enrolments by regime × phase × sector × jurisdiction × status, joined with filings and transfers', async () => {
    const [admin] = await t.dataSource.query(`SELECT id FROM users WHERE role = 'SYSTEM_ADMIN' LIMIT 1`);
    // Mainland banking A: INTERESTED → ENROLLED → ACTIVE (accepted filing)
    const a = await organisationWithUser(t, { jurisdiction: 'MAINLAND', sector: 'BANKING' });
    const ea = await register(t, a);
    expect((await act(t, t.adminToken, ea.id, 'ENROL')).status).toBe(200);
    await acceptFiling(t, a.organisationId, admin.id);
    // Mainland banking B: ENROLLED
    const b = await organisationWithUser(t, { jurisdiction: 'MAINLAND', sector: 'BANKING' });
    expect((await act(t, t.adminToken, (await register(t, b)).id, 'ENROL')).status).toBe(200);
    // Hong Kong banking C: INTERESTED
    await register(t, await organisationWithUser(t, { jurisdiction: 'HONG_KONG', sector: 'BANKING' }));
    // Hong Kong retail D: DECLINED
    const d = await organisationWithUser(t, { jurisdiction: 'HONG_KONG', sector: 'RETAIL' });
    expect((await act(t, t.adminToken, (await register(t, d)).id, 'DECLINE')).status).toBe(200);
    // Mainland retail E: WITHDRAWN, then INTERESTED again
    const e = await organisationWithUser(t, { jurisdiction: 'MAINLAND', sector: 'RETAIL' });
    expect((await act(t, e.token, (await register(t, e)).id, 'WITHDRAW')).status).toBe(200);
    await register(t, e);
    // Mainland retail F: INTERESTED
    await register(t, await organisationWithUser(t, { jurisdiction: 'MAINLAND', sector: 'RETAIL' }));

    // What the contracts and transfers modules record in their own transactions.
    const rollout = t.app.get(RolloutService);
    await inTransaction(t.dataSource, async (m) => {
      await rollout.recordFilingAccepted('GBA_MAINLAND_HK', 'BANKING', 'MAINLAND', m);
      await rollout.recordFilingAccepted('GBA_MAINLAND_HK', 'BANKING', 'MAINLAND', m);
      await rollout.recordTransfers('GBA_MAINLAND_HK', 'BANKING', 'MAINLAND', 480, m);
      await rollout.recordTransfers('GBA_MAINLAND_HK', 'BANKING', 'MAINLAND', 20, m);
      await rollout.recordTransfers('GBA_MAINLAND_HK', 'BANKING', 'HONG_KONG', 7, m);
      await rollout.recordTransfers('GBA_MAINLAND_HK', 'BANKING', 'HONG_KONG', 0, m);
    });
    // A rolled-back transaction adds nothing.
    await expect(
      inTransaction(t.dataSource, async (m) => {
        await rollout.recordTransfers('GBA_MAINLAND_HK', 'RETAIL', 'MAINLAND', 1000, m);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');

    const res = await t.http.get('/rollout/stats');
    expect(res.status).toBe(200);
    const cells = res.body.enrolments.map(({ phaseId, ...rest }: { phaseId: string }) => {
      expect(phaseId).toEqual(expect.any(String));
      return rest;
    });
    const row = (phaseNumber: number, sector: string, jurisdiction: string, status: string, count: number) => ({
      regime: 'GBA_MAINLAND_HK',
      phaseNumber,
      sector,
      jurisdiction,
      status,
      count,
    });
    expect(cells).toEqual([
      row(1, 'BANKING', 'HONG_KONG', 'INTERESTED', 1),
      row(1, 'BANKING', 'MAINLAND', 'ACTIVE', 1),
      row(1, 'BANKING', 'MAINLAND', 'ENROLLED', 1),
      row(2, 'RETAIL', 'HONG_KONG', 'DECLINED', 1),
      row(2, 'RETAIL', 'MAINLAND', 'INTERESTED', 2),
      row(2, 'RETAIL', 'MAINLAND', 'WITHDRAWN', 1),
    ]);
    expect(res.body.sectors).toEqual([
      {
        regime: 'GBA_MAINLAND_HK',
        sector: 'BANKING',
        jurisdiction: 'HONG_KONG',
        enrolments: { ...ZERO, INTERESTED: 1 },
        acceptedFilings: 0,
        transferRecords: 7,
      },
      {
        regime: 'GBA_MAINLAND_HK',
        sector: 'BANKING',
        jurisdiction: 'MAINLAND',
        enrolments: { ...ZERO, ACTIVE: 1, ENROLLED: 1 },
        acceptedFilings: 2,
        transferRecords: 500,
      },
      { regime: 'GBA_MAINLAND_HK', sector: 'RETAIL', jurisdiction: 'HONG_KONG', enrolments: { ...ZERO, DECLINED: 1 }, acceptedFilings: 0, transferRecords: 0 },
      {
        regime: 'GBA_MAINLAND_HK',
        sector: 'RETAIL',
        jurisdiction: 'MAINLAND',
        enrolments: { ...ZERO, INTERESTED: 2, WITHDRAWN: 1 },
        acceptedFilings: 0,
        transferRecords: 0,
      },
    ]);

    const other = await t.http.get('/rollout/stats').query({ regime: 'GBA_MAINLAND_MACAO' });
    expect(other.body).toEqual({ enrolments: [], sectors: [] });
    const same = await t.http.get('/rollout/stats').query({ regime: 'GBA_MAINLAND_HK' });
    expect(same.body).toEqual(res.body);
  });

  it('answers the grouping from the covering index, not a table scan', async () => {
    const plan: Array<{ 'QUERY PLAN': string }> = await t.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      return m.query(
        `EXPLAIN SELECT regime_code, phase_id, sector_code, jurisdiction, status, count(*) FROM rollout_enrolments
         GROUP BY regime_code, phase_id, sector_code, jurisdiction, status`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/ix_rollout_enrolments_stats/);
  });
});
