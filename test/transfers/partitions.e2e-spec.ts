/*
 * Monthly partitions of the transfer records (docs/scaling.md#partitions): the migration converts a table
 * that holds records without losing or changing one, an insert never fails for lack of a partition (the
 * DEFAULT partition), the maintainer is idempotent and reports a month it cannot create, and the
 * application's role cannot detach a partition that has no recorded archive (R18).
 */
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { TransferPartitions1795687100000 } from '../../src/database/migrations/1795687100000-TransferPartitions';
import { monthStart, TransferPartitions } from '../../src/transfers/transfer-partitions';
import { hashLeaf, verifyInclusionProof } from '../../tools/verify';
import { bearer, TestApp } from '../support/app';
import { Parties, startWithContract } from '../contracts/fixtures';
import { postTransfers, transferRecord, waitForCheckpoint } from './support';
import { REAL_TIMERS } from '../support/real-timers';

const partitionOf = (instant: Date): string => {
  const month = monthStart(instant);
  return `transfer_records_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
};

describe('transfer record partitions', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  let owner: DataSource;

  beforeAll(async () => {
    ({ t, p, contractId } = await startWithContract());
    // As the owner, as the migration runner connects (the application runs as the restricted role).
    owner = createDataSource(t.databaseUrl, { poolSize: 3 });
    await owner.initialize();
  });
  afterAll(async () => {
    jest.useRealTimers();
    await owner?.destroy();
    await t?.close();
  });

  const rows = () =>
    t.dataSource.query<Array<{ leaf_index: string; leaf_hash: Buffer; leaf: Buffer }>>(
      'SELECT leaf_index, leaf_hash, leaf FROM transfer_records ORDER BY leaf_index',
    );
  const kind = async () => (await owner.query(`SELECT relkind FROM pg_class WHERE oid = 'transfer_records'::regclass`))[0].relkind as string;

  it('records go to this month’s partition; converting the table back and forth keeps every record and every proof', async () => {
    expect(
      (
        await postTransfers(
          t,
          p.mainland,
          Array.from({ length: 30 }, () => transferRecord(contractId)),
        )
      ).status,
    ).toBe(201);
    const [inMonth] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${partitionOf(new Date())}"`);
    expect(inMonth.n).toBe(30);
    const before = await rows();
    expect(before).toHaveLength(30);

    const migration = new TransferPartitions1795687100000();
    const runner = owner.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      await runner.commitTransaction();
      expect(await kind()).toBe('r');
      expect(await rows()).toEqual(before);
      await runner.startTransaction();
      await migration.up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await kind()).toBe('p');
    expect(await rows()).toEqual(before);
    const [converted] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${partitionOf(new Date())}"`);
    expect(converted.n).toBe(30);
    // Still append-only after the conversion.
    await expect(t.dataSource.query('DELETE FROM transfer_records')).rejects.toThrow(/permission denied|append-only/);
    await expect(owner.query('DELETE FROM transfer_records')).rejects.toThrow(/append-only/);
    await expect(owner.query(`TRUNCATE "${partitionOf(new Date())}"`)).rejects.toThrow(/append-only/);

    // The log goes on: more records, a checkpoint, a proof of a record logged before the conversion.
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId)])).status).toBe(201);
    const checkpoint = await waitForCheckpoint(t, 31, 20_000);
    const proof = await t.http.get(`/ledger/proofs/inclusion?leafIndex=7&treeSize=${checkpoint.size}`).set(...bearer(p.gdCac));
    expect(proof.status).toBe(200);
    const root = Buffer.from(checkpoint.note.split('\n')[2], 'base64');
    const hashes = (proof.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(verifyInclusionProof(7, checkpoint.size, hashLeaf(before[7].leaf), hashes, root)).toBe(true);
  });

  it('a record of a month with no partition goes to the DEFAULT partition; that month is then reported, and nothing is lost', async () => {
    const ahead = new Date();
    ahead.setUTCFullYear(ahead.getUTCFullYear() + 10);
    const partitions = t.app.get(TransferPartitions);
    jest.useFakeTimers({ now: ahead, advanceTimers: true, doNotFake: [...REAL_TIMERS] });
    try {
      const filer = await t.user('ORG_FILER', { organisationId: p.mainlandId });
      const res = await postTransfers(t, filer.token, [transferRecord(contractId)]);
      expect(res.status).toBe(201);
      const [inDefault] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_records_default');
      expect(inDefault.n).toBe(1);
      // The month of that record cannot be created while its record is in the DEFAULT partition; the next ones can.
      const created = await partitions.ensure();
      expect(created).not.toContain(partitionOf(ahead));
      expect(created).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/registry_transfer_partition_failures_total 1/);
    const [all] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_records');
    expect(all.n).toBe(32);
    // Idempotent: two maintainers at once create nothing twice and fail nothing.
    const again = await Promise.all([partitions.ensure(), partitions.ensure()]);
    expect(again).toEqual([[], []]);
  });

  it('the application’s role cannot detach a partition that has no recorded archive, nor create a table', async () => {
    await expect(t.dataSource.query('SELECT ledger_detach_archived_partition($1)', [partitionOf(new Date())])).rejects.toThrow(/has no recorded archive/);
    await expect(t.dataSource.query('SELECT ledger_detach_archived_partition($1)', ['transfer_records_default'])).rejects.toThrow(/not a monthly partition/);
    await expect(t.dataSource.query(`ALTER TABLE transfer_records DETACH PARTITION "${partitionOf(new Date())}"`)).rejects.toThrow(/must be owner/);
    const attached = await t.dataSource.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass`, [partitionOf(new Date())]);
    expect(attached).toHaveLength(1);
  });
});
