import { Client } from 'pg';
import { CONTRACT_STATUSES, contractStatus, contractStatusCondition, ContractStatusFacts } from '../../src/contracts/domain/contract-status';
import { FILING_STATUSES, FilingStatus, isOverdue, overdueSql } from '../../src/contracts/domain/filing-lifecycle';
import { createTestDatabase } from '../support/database';

// The list's filters are the domain's definitions in SQL (domain/contract-status.ts, filing-lifecycle.ts
// `overdueSql`): PostgreSQL evaluates them on every case of a table and must answer what the views'
// TypeScript answers, around each boundary date.
const TODAY = '2025-06-15';
const DATES = [null, '2025-06-14', '2025-06-15', '2025-06-16'];

describe('contract status and overdue: one definition, in TypeScript and in SQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('contractStatusCondition holds for exactly the status contractStatus gives', async () => {
    const cases: ContractStatusFacts[] = [];
    for (const terminatedOn of DATES)
      for (const first of DATES.slice(1)) for (const expiry of DATES) cases.push({ terminatedOn, firstEffectiveDate: first!, latestExpiryDate: expiry });
    const columns = { terminatedOn: 'x.terminated_on', firstEffectiveDate: 'x.first_effective', latestExpiryDate: 'x.latest_expiry', today: '$2::date' };
    const matching = CONTRACT_STATUSES.map((s) => `CASE WHEN ${contractStatusCondition(s, columns)} THEN '${s}' END`).join(', ');
    const { rows } = await client.query<{ n: number; statuses: string[] }>(
      `SELECT x.n, array_remove(ARRAY[${matching}], NULL) AS statuses
       FROM jsonb_to_recordset($1::jsonb) AS x(n int, terminated_on date, first_effective date, latest_expiry date) ORDER BY x.n`,
      [
        JSON.stringify(cases.map((c, n) => ({ n, terminated_on: c.terminatedOn, first_effective: c.firstEffectiveDate, latest_expiry: c.latestExpiryDate }))),
        TODAY,
      ],
    );
    expect(rows).toHaveLength(cases.length);
    expect(rows.map((r) => r.statuses)).toEqual(cases.map((c) => [contractStatus(c, TODAY)]));
    expect(new Set(rows.map((r) => r.statuses[0]))).toEqual(new Set(CONTRACT_STATUSES));
  });

  it('overdueSql is isOverdue', async () => {
    const cases: Array<{ status: FilingStatus; deadline: string; resubmissionDeadline: string | null }> = [];
    for (const status of FILING_STATUSES)
      for (const deadline of DATES.slice(1)) for (const resubmission of DATES) cases.push({ status, deadline: deadline!, resubmissionDeadline: resubmission });
    const sql = overdueSql({ status: 'x.status', deadline: 'x.deadline', resubmissionDeadline: 'x.resubmission_deadline' }, '$2::date');
    const { rows } = await client.query<{ overdue: boolean }>(
      `SELECT ${sql} AS overdue FROM jsonb_to_recordset($1::jsonb) AS x(n int, status text, deadline date, resubmission_deadline date) ORDER BY x.n`,
      [JSON.stringify(cases.map((c, n) => ({ n, status: c.status, deadline: c.deadline, resubmission_deadline: c.resubmissionDeadline }))), TODAY],
    );
    expect(rows.map((r) => r.overdue)).toEqual(cases.map((c) => isOverdue(c, TODAY)));
    expect(rows.some((r) => r.overdue) && rows.some((r) => !r.overdue)).toBe(true);
  });
});
