/**
 * Monthly transfer figures (docs/api.md#transfer-figures): GET /transfers/figures answers from transfer_figures,
 * kept in the transaction that logs the records. What the test checks: the figures equal a GROUP BY over the
 * logged records (also after concurrent requests sequenced in one group commit), the month is Hong Kong's,
 * each regulator sees exactly the contracts touching its side, organisations and the public see none, and the
 * migration's backfill rebuilds the same figures from the records.
 */
import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { TransferFigures1795687500000 } from '../../src/database/migrations/1795687500000-TransferFigures';
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { contractBody, fileContract, macaoTerms, Parties, setupParties } from '../contracts/fixtures';
import { postTransfers, transferRecord } from './support';

jest.setTimeout(120_000);

interface Figure {
  month: string;
  sector: string;
  direction: string;
  transfers: number;
  records: number;
  dataSubjects: number;
  flaggedTransfers: number;
}

describe('GET /transfers/figures', () => {
  let t: TestApp;
  let p: Parties;
  let dspdp: string;

  beforeAll(async () => {
    t = await startTestApp();
    p = await setupParties(t, 'BANKING');
    dspdp = (await t.user('REGULATOR', { authority: 'MO_DSPDP' })).token;
    const hk = await fileContract(t, p);
    // January (HK time) twice, one flagged (onward recipient outside the GBA); 2025-01-31T17:00Z is 1 February in Hong Kong.
    const january = [
      transferRecord(hk.id, { occurredAt: '2025-01-25T03:00:00Z', recordCount: 10, dataSubjectCount: 4 }),
      transferRecord(hk.id, {
        occurredAt: '2025-01-31T15:59:59Z',
        recordCount: 20,
        dataSubjectCount: 5,
        onwardRecipient: { name: 'Outside Ltd', city: 'BEIJING' },
      }),
    ];
    const february = [transferRecord(hk.id, { occurredAt: '2025-01-31T16:00:00Z', recordCount: 30, dataSubjectCount: 6 })];
    expect((await postTransfers(t, p.mainland, january)).status).toBe(201);
    // Concurrent requests are sequenced in one group commit: each adds its own figures once.
    const concurrent = await Promise.all([
      postTransfers(t, p.mainland, february),
      ...Array.from({ length: 6 }, (_, i) =>
        postTransfers(t, p.hongKong, [transferRecord(hk.id, { occurredAt: `2025-03-0${i + 1}T01:00:00Z`, recordCount: 1, dataSubjectCount: 1 })]),
      ),
    ]);
    expect(concurrent.map((r) => r.status)).toEqual(Array(7).fill(201));

    // A Mainland–Macao contract (R16): seen by Guangdong and Macao's bureau, not by Hong Kong's regulators.
    const zhuhaiId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'ZHUHAI', sector: 'HEALTHCARE' });
    const macaoId = await createOrganisation(t, { jurisdiction: 'MACAO', sector: 'HEALTHCARE' });
    const zhuhai = (await t.user('ORG_FILER', { organisationId: zhuhaiId })).token;
    const macao = await t.http
      .post('/contracts')
      .set(...bearer(zhuhai))
      .send(contractBody(zhuhaiId, macaoId, macaoTerms()));
    expect(macao.status).toBe(201);
    const logged = await postTransfers(t, zhuhai, [
      transferRecord(macao.body.id, { occurredAt: '2025-12-20T03:00:00Z', direction: 'MAINLAND_TO_MACAO', recordCount: 7, dataSubjectCount: 7 }),
    ]);
    expect(logged.status).toBe(201);
  });

  afterAll(async () => t?.close());

  const figuresAs = async (token: string, query: Record<string, string> = {}): Promise<Figure[]> => {
    const res = await t.http
      .get('/transfers/figures')
      .query(query)
      .set(...bearer(token));
    expect(res.status).toBe(200);
    return res.body.figures;
  };

  /** The same figures counted from the records themselves, months in Hong Kong time. */
  const countedFromRecords = async (sides?: string): Promise<Figure[]> => {
    const rows = await t.dataSource.query(
      `SELECT to_char(occurred_at AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM') AS month, sector, direction,
              count(*)::int AS transfers, sum(record_count)::int AS records, sum(data_subject_count)::int AS "dataSubjects",
              (count(*) FILTER (WHERE flags <> '{}'))::int AS "flaggedTransfers"
         FROM transfer_records ${sides ? 'WHERE processor_jurisdiction = $1 OR recipient_jurisdiction = $1' : ''}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      sides ? [sides] : [],
    );
    return rows;
  };

  it('counts every logged record once, by month in Hong Kong time, sector and direction, with the flagged ones', async () => {
    const all = await figuresAs(t.adminToken);
    expect(all).toEqual([
      { month: '2025-01', sector: 'BANKING', direction: 'MAINLAND_TO_HK', transfers: 2, records: 30, dataSubjects: 9, flaggedTransfers: 1 },
      { month: '2025-02', sector: 'BANKING', direction: 'MAINLAND_TO_HK', transfers: 1, records: 30, dataSubjects: 6, flaggedTransfers: 0 },
      // By March the filings (due 10 working days after 2025-01-24) are overdue: FILING_OVERDUE on each.
      { month: '2025-03', sector: 'BANKING', direction: 'MAINLAND_TO_HK', transfers: 6, records: 6, dataSubjects: 6, flaggedTransfers: 6 },
      { month: '2025-12', sector: 'HEALTHCARE', direction: 'MAINLAND_TO_MACAO', transfers: 1, records: 7, dataSubjects: 7, flaggedTransfers: 0 },
    ]);
    expect(all).toEqual(await countedFromRecords());
  });

  it('gives each regulator the records of contracts touching its side, as GET /transfers does', async () => {
    expect(await figuresAs(p.gdCac)).toEqual(await countedFromRecords('MAINLAND'));
    const hongKong = await figuresAs(p.hkDpo);
    expect(hongKong).toEqual(await countedFromRecords('HONG_KONG'));
    expect(hongKong.map((f) => f.direction)).not.toContain('MAINLAND_TO_MACAO');
    expect(await figuresAs(p.pcpd)).toEqual(hongKong);
    expect(await figuresAs(dspdp)).toEqual([expect.objectContaining({ month: '2025-12', sector: 'HEALTHCARE', transfers: 1 })]);
  });

  it('filters by month, sector and direction', async () => {
    expect((await figuresAs(t.adminToken, { from: '2025-02', to: '2025-03' })).map((f) => f.month)).toEqual(['2025-02', '2025-03']);
    expect((await figuresAs(t.adminToken, { sector: 'HEALTHCARE' })).map((f) => f.month)).toEqual(['2025-12']);
    expect((await figuresAs(t.adminToken, { direction: 'HK_TO_MAINLAND' })).length).toBe(0);
  });

  it('with flagged=true groups the flagged records by flag, contract and organisation, as counted from the records, scoped by side', async () => {
    const flaggedAs = async (token: string, query: Record<string, string> = {}) => {
      const res = await t.http
        .get('/transfers/figures')
        .query({ ...query, flagged: 'true' })
        .set(...bearer(token));
      expect(res.status).toBe(200);
      return res.body.flagged;
    };
    const byFlag = await t.dataSource.query(
      `SELECT fl AS flag, count(*)::int AS transfers FROM transfer_records, unnest(flags) fl GROUP BY fl ORDER BY 2 DESC, 1`,
    );
    const all = await flaggedAs(t.adminToken);
    const [{ flagged }] = await t.dataSource.query(`SELECT count(*)::int AS flagged FROM transfer_records WHERE flags <> '{}'`);
    expect(all.transfers).toBe(flagged);
    expect(all.transfers).toBe(7);
    expect(all.byFlag.map((g: { flag: string; transfers: number }) => ({ flag: g.flag, transfers: g.transfers }))).toEqual(byFlag);
    expect(all.byFlag.find((g: { flag: string }) => g.flag === 'ONWARD_RECIPIENT_OUTSIDE_GBA')).toEqual({
      flag: 'ONWARD_RECIPIENT_OUTSIDE_GBA',
      transfers: 1,
      contracts: 1,
      organisations: 2,
      lastSeen: '2025-01-31T15:59:59.000Z',
    });
    expect(all.byContract).toEqual([
      expect.objectContaining({ processorId: p.mainlandId, recipientId: p.hongKongId, transfers: 7, lastSeen: '2025-03-06T01:00:00.000Z' }),
    ]);
    expect(all.byContract[0].flags).toEqual(Object.fromEntries(byFlag.map((g: { flag: string; transfers: number }) => [g.flag, g.transfers])));
    expect(all.byOrganisation.map((g: { organisationId: string; transfers: number }) => [g.organisationId, g.transfers]).sort()).toEqual(
      [
        [p.mainlandId, 7],
        [p.hongKongId, 7],
      ].sort(),
    );
    // Macao's bureau reads no flagged record (its side's one contract has none); months and sectors filter as the figures do.
    expect(await flaggedAs(dspdp)).toEqual({ transfers: 0, byFlag: [], byContract: [], byOrganisation: [] });
    expect((await flaggedAs(p.hkDpo)).transfers).toBe(7);
    expect((await flaggedAs(t.adminToken, { from: '2025-02', to: '2025-03' })).transfers).toBe(6);
    expect((await flaggedAs(t.adminToken, { to: '2025-01' })).transfers).toBe(1);
    expect((await flaggedAs(t.adminToken, { sector: 'HEALTHCARE' })).transfers).toBe(0);
    // Without flagged=true the answer is the figures alone.
    const plain = await t.http.get('/transfers/figures').set(...bearer(t.adminToken));
    expect(Object.keys(plain.body)).toEqual(['figures']);
  });

  it('is not for organisations nor the public, and names a bad parameter', async () => {
    expect((await t.http.get('/transfers/figures').set(...bearer(p.mainland))).status).toBe(403);
    expect((await t.http.get('/transfers/figures')).status).toBe(401);
    const bad = await t.http
      .get('/transfers/figures')
      .query({ from: '2025-13' })
      .set(...bearer(t.adminToken));
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
  });

  it("the migration's backfill rebuilds the same figures from the logged records", async () => {
    const before = await figuresAs(t.adminToken);
    const owner = new Client({ connectionString: t.databaseUrl });
    await owner.connect();
    try {
      await owner.query('DROP TABLE transfer_figures');
    } finally {
      await owner.end();
    }
    const dataSource = createDataSource(t.databaseUrl, { poolSize: 1 });
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await new TransferFigures1795687500000().up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
    expect(await figuresAs(t.adminToken)).toEqual(before);
  });
});
