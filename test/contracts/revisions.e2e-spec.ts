import { Client } from 'pg';
import { TestApp } from '../support/app';
import { fileContract, Parties, startWithParties } from './fixtures';

// POST /contracts plans a filing with the revisions of the rollout catalogue, the calendar data and the rule
// settings, and its insert writes only while they are still current (docs/architecture.md, "Data flow of
// POST /contracts"). Each revision is a one-row counter owned by its module that a statement trigger on each table
// it covers bumps (src/database/migrations/1795689100000-RevisionCounters.ts): a write in plain SQL, as the
// application's role or as the owner, counts.
const COVERED: Record<string, Record<string, string>> = {
  rollout_revision: {
    rollout_regimes: 'UPDATE rollout_regimes SET name = name',
    rollout_phases: 'UPDATE rollout_phases SET opens_on = opens_on',
    rollout_phase_sectors: 'UPDATE rollout_phase_sectors SET sector_code = sector_code',
    rollout_authorities: 'UPDATE rollout_authorities SET read_only = read_only',
    rollout_authority_names: 'UPDATE rollout_authority_names SET name_en = name_en',
    rollout_regime_sides: 'UPDATE rollout_regime_sides SET filing_working_days = filing_working_days',
    rollout_filing_materials: 'UPDATE rollout_filing_materials SET confirmed = confirmed',
  },
  calendar_revision: {
    calendar_overrides: `INSERT INTO calendar_overrides (jurisdiction, date, kind, reason) VALUES ('MAINLAND', '2033-03-03', 'CLOSURE', 'revision test')`,
    calendar_jurisdictions: 'UPDATE calendar_jurisdictions SET rest_days = rest_days',
  },
  rules_revision: {
    rule_settings: 'UPDATE rule_settings SET value = value',
  },
};

async function revision(t: TestApp, counter: string): Promise<number> {
  const [{ revision }] = await t.dataSource.query(`SELECT revision::int AS revision FROM ${counter}`);
  return revision;
}

async function revisions(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const counter of Object.keys(COVERED)) out[counter] = await revision(t, counter);
  return out;
}

async function filingPaths(t: TestApp): Promise<{ assumed: number; checked: number }> {
  const text = (await t.http.get('/metrics')).text;
  const count = (path: string): number => Number(new RegExp(`^registry_contract_filings_total\\{path="${path}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { assumed: count('assumed'), checked: count('checked') };
}

describe('filing revisions: counters their tables bump', () => {
  let t: TestApp;
  let p: Parties;
  let owner: Client;
  beforeAll(async () => {
    ({ t, p } = await startWithParties());
    owner = new Client({ connectionString: t.databaseUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
  });

  for (const [counter, tables] of Object.entries(COVERED)) {
    for (const [table, sql] of Object.entries(tables)) {
      it(`a write to ${table} in plain SQL by the application's role bumps ${counter} alone`, async () => {
        const before = await revisions(t);
        await t.dataSource.query(sql);
        expect(await revisions(t)).toEqual({ ...before, [counter]: before[counter] + 1 });
      });
    }
  }

  it('a TRUNCATE bumps the counter too, and a rolled-back write leaves it as it was', async () => {
    const before = await revision(t, 'calendar_revision');
    await owner.query('BEGIN');
    try {
      await owner.query('TRUNCATE calendar_overrides');
      const [{ revision: inside }] = (await owner.query('SELECT revision::int AS revision FROM calendar_revision')).rows;
      expect(inside).toBe(before + 1);
    } finally {
      await owner.query('ROLLBACK');
    }
    expect(await revision(t, 'calendar_revision')).toBe(before);
  });

  it("the application's role reads the counters and may not write them", async () => {
    for (const counter of Object.keys(COVERED)) {
      await expect(t.dataSource.query(`UPDATE ${counter} SET revision = revision + 1`)).rejects.toMatchObject({ driverError: { code: '42501' } });
    }
  });

  it('the triggers are on exactly those tables: none on rollout_sector_counters nor on the transfer log', async () => {
    const { rows } = await owner.query(
      `SELECT DISTINCT c.relname AS "table" FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
       WHERE g.tgname LIKE '%\\_bump\\_revision' ORDER BY 1`,
    );
    const covered = Object.values(COVERED).flatMap((tables) => Object.keys(tables));
    expect(rows.map((r: { table: string }) => r.table)).toEqual([...covered].sort());
  });

  // Planned before the change: the remembered revisions are stale, so the one-statement filing writes nothing
  // and the filing is planned again on facts read afresh (the checked path), once.
  for (const [counter, tables] of Object.entries(COVERED)) {
    const [table, sql] = Object.entries(tables).at(-1)!;
    it(`a filing planned before a write to ${table} is planned again (${counter})`, async () => {
      await fileContract(t, p);
      const paths = await filingPaths(t);
      await fileContract(t, p);
      expect(await filingPaths(t)).toEqual({ assumed: paths.assumed + 1, checked: paths.checked });
      await owner.query(sql);
      await fileContract(t, p);
      expect(await filingPaths(t)).toEqual({ assumed: paths.assumed + 1, checked: paths.checked + 1 });
    });
  }
});
