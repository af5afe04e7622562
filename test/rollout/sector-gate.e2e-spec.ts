import { RolloutService } from '../../src/rollout/rollout.service';
import { createOrganisation, startTestApp, TestApp } from '../support/app';
import { inTransaction } from '../../src/database/transaction';

// R15 through the service the contract filing calls: a RETAIL organisation's sector opened with
// phase 2 on 2024-11-01; BANKING opened with phase 1 on 2023-12-13 (seeded by migration).
describe('sector gate (RolloutService.isSectorOpen)', () => {
  let t: TestApp;
  let rollout: RolloutService;
  beforeAll(async () => {
    t = await startTestApp();
    rollout = t.app.get(RolloutService);
  });
  afterAll(async () => t?.close());

  it('refuses a RETAIL organisation before 2024-11-01 and admits it from that day', async () => {
    const retailId = await createOrganisation(t, { sector: 'RETAIL' });
    const [{ sector }] = await t.dataSource.query('SELECT sector FROM organisations WHERE id = $1', [retailId]);
    expect(sector).toBe('RETAIL');
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', sector, '2024-10-31')).toBe(false);
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', sector, '2024-11-01')).toBe(true);
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', sector, '2025-03-01')).toBe(true);
    expect(await rollout.sectorOpensOn('GBA_MAINLAND_HK', sector)).toBe('2024-11-01');
  });

  it('admits first-phase sectors from 2023-12-13, and nothing before the regime', async () => {
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', 'BANKING', '2023-12-12')).toBe(false);
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', 'BANKING', '2023-12-13')).toBe(true);
    expect(await rollout.isSectorOpen('GBA_MAINLAND_HK', 'HEALTHCARE', '2024-10-31')).toBe(true);
  });

  it('answers false for a regime that does not exist', async () => {
    expect(await rollout.isSectorOpen('NO_SUCH_REGIME', 'BANKING', '2025-01-01')).toBe(false);
  });

  it('reads inside a caller transaction', async () => {
    const open = await inTransaction(t.dataSource, (manager) => rollout.isSectorOpen('GBA_MAINLAND_HK', 'RETAIL', '2024-11-01', manager));
    expect(open).toBe(true);
  });

  it('rejects a malformed date with 400 VALIDATION_FAILED naming the field', async () => {
    await expect(rollout.isSectorOpen('GBA_MAINLAND_HK', 'RETAIL', '2024-11-31')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      options: { errors: [{ field: 'date', rule: 'DATE_FORMAT' }] },
    });
  });
});
