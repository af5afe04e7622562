/*
 * Retention drill (docs/rules.md#r18, docs/scaling.md#retention): records logged four years ago (the clock
 * moved back while they are logged) sit in their month's partition; a failed archive write leaves that
 * partition attached and is logged and counted; then the archive is written, verified offline by
 * `npm run verify -- --archive`, listed by GET /ledger/archives, the partition detached, and an archived
 * leaf is still proven included in the current tree.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashLeaf, verifyInclusionProof } from '../../tools/verify';
import { LedgerArchiver } from '../../src/ledger/ledger.archiver';
import { LedgerAuditor } from '../../src/ledger/ledger.auditor';
import { monthStart, TransferPartitions } from '../../src/transfers/transfer-partitions';
import { bearer, TestApp } from '../support/app';
import { sized } from '../reliability/support';
import { Parties, startWithContract } from '../contracts/fixtures';
import { postTransfers, transferRecord, waitForCheckpoint } from '../transfers/support';
import { REAL_TIMERS } from '../support/real-timers';

const ROOT = path.join(__dirname, '..', '..');

describe('retention drill: archive, verify, detach, still prove', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  let archiveDir: string;
  const olderRecords = 3;
  // Bounded in npm test; RELIABILITY_FULL=1 archives a month of 25,000 records (several pages of the archive writer).
  const oldRecords = sized(20, 25_000);
  const newRecords = 5;
  const total = olderRecords + oldRecords + newRecords;
  let olderPartition: string;
  let oldPartition: string;

  beforeAll(async () => {
    archiveDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gba-archives-')), 'archives');
    ({ t, p, contractId } = await startWithContract({ ARCHIVE_DIR: archiveDir }));
  });
  afterAll(async () => {
    jest.useRealTimers();
    await t?.close();
  });

  /** Logs `count` records with the clock moved back `years` years, in requests of at most 10,000; returns the month's partition. */
  async function logInThePast(years: number, count: number): Promise<string> {
    const past = new Date();
    past.setUTCFullYear(past.getUTCFullYear() - years);
    jest.useFakeTimers({ now: past, advanceTimers: true, doNotFake: [...REAL_TIMERS] });
    try {
      const created = await t.app.get(TransferPartitions).ensure();
      const month = monthStart(new Date());
      const partition = `transfer_records_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
      expect(created).toContain(partition);
      const filer = await t.user('ORG_FILER', { organisationId: p.mainlandId });
      for (let sent = 0; sent < count; sent += 10_000) {
        const records = Array.from({ length: Math.min(10_000, count - sent) }, () => transferRecord(contractId));
        expect((await postTransfers(t, filer.token, records)).status).toBe(201);
      }
      return partition;
    } finally {
      jest.useRealTimers();
    }
  }

  it('logs records five and four years ago into their months’ partitions, and today’s into this month’s', async () => {
    olderPartition = await logInThePast(5, olderRecords);
    oldPartition = await logInThePast(4, oldRecords);
    expect(
      (
        await postTransfers(
          t,
          p.mainland,
          Array.from({ length: newRecords }, () => transferRecord(contractId)),
        )
      ).status,
    ).toBe(201);
    const [older] = await t.dataSource.query(`SELECT count(*)::int AS n, min(leaf_index)::int AS first, max(leaf_index)::int AS last FROM "${olderPartition}"`);
    expect(older).toEqual({ n: olderRecords, first: 0, last: olderRecords - 1 });
    const [old] = await t.dataSource.query(`SELECT count(*)::int AS n, min(leaf_index)::int AS first, max(leaf_index)::int AS last FROM "${oldPartition}"`);
    expect(old).toEqual({ n: oldRecords, first: olderRecords, last: olderRecords + oldRecords - 1 });
    await waitForCheckpoint(t, total, 60_000);
  });

  const attached = async (partition: string): Promise<boolean> =>
    (await t.dataSource.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass AND inhparent = 'transfer_records'::regclass`, [partition])).length ===
    1;

  it('a failed archive write leaves the partitions attached, counted as failed; nothing is lost', async () => {
    fs.mkdirSync(path.dirname(archiveDir), { recursive: true });
    fs.writeFileSync(archiveDir, 'not a directory');
    try {
      // The empty months created ahead of the old ones are past retention too; they are skipped, not archived.
      const outcomes = (await t.app.get(LedgerArchiver).run()).filter((o) => o.outcome !== 'skipped');
      const failed = { outcome: 'failed', detail: expect.stringMatching(/EEXIST|ENOTDIR/) };
      expect(outcomes).toEqual([
        expect.objectContaining({ partition: olderPartition, ...failed }),
        expect.objectContaining({ partition: oldPartition, ...failed }),
      ]);
    } finally {
      fs.rmSync(archiveDir);
    }
    expect(await attached(olderPartition)).toBe(true);
    expect(await attached(oldPartition)).toBe(true);
    const [rows] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_records');
    expect(rows.n).toBe(total);
    expect(await t.dataSource.query('SELECT * FROM ledger_archives')).toEqual([]);
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/registry_ledger_archives_total\{outcome="failed"\} 2/);
  });

  it('archives, verifies, records and detaches the old months; each archive verifies offline; an archived leaf is still proven', async () => {
    const outcomes = (await t.app.get(LedgerArchiver).run()).filter((o) => o.outcome !== 'skipped');
    expect(outcomes).toEqual([
      expect.objectContaining({ partition: olderPartition, outcome: 'archived' }),
      expect.objectContaining({ partition: oldPartition, outcome: 'archived' }),
    ]);
    expect(await attached(olderPartition)).toBe(false);
    expect(await attached(oldPartition)).toBe(false);
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/registry_ledger_archives_total\{outcome="archived"\} 2/);

    // Listed for regulators and administrators, not for an organisation.
    const regulator = await t.http.get('/ledger/archives').set(...bearer(p.gdCac));
    expect(regulator.status).toBe(200);
    expect(regulator.body.archives).toEqual([
      expect.objectContaining({ partition: olderPartition, firstLeafIndex: 0, lastLeafIndex: olderRecords - 1, leafCount: olderRecords }),
      expect.objectContaining({ partition: oldPartition, firstLeafIndex: olderRecords, lastLeafIndex: olderRecords + oldRecords - 1, leafCount: oldRecords }),
    ]);
    expect((await t.http.get('/ledger/archives').set(...bearer(p.mainland))).status).toBe(403);

    // npm run verify checks each archive offline against the pinned key, and refuses a changed one.
    const key = (await t.http.get('/ledger/public-key')).body.verifierKey as string;
    const verify = (target: string) =>
      spawnSync('npm', ['run', '--silent', 'verify', '--', '--archive', target, '--log-key', key], { cwd: ROOT, encoding: 'utf8' });
    for (const archive of regulator.body.archives as Array<{ file: string; sha256: string }>) {
      expect(createHash('sha256').update(fs.readFileSync(archive.file)).digest('hex')).toBe(archive.sha256);
      const good = verify(archive.file);
      expect(good.stdout).toMatch(/PASS {2}archive entries in the checkpoint/);
      expect(good.status).toBe(0);
    }
    const oldFile: string = regulator.body.archives[1].file;
    const lines = fs.readFileSync(oldFile, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith(`{"leafIndex":${olderRecords + 3},`));
    const archived = JSON.parse(lines[at]) as { leafIndex: number; leaf: string };
    const changed = JSON.parse(Buffer.from(archived.leaf, 'base64').toString('utf8'));
    changed.recordCount += 1;
    lines[at] = JSON.stringify({ leafIndex: archived.leafIndex, leaf: Buffer.from(JSON.stringify(changed)).toString('base64') });
    const tampered = path.join(path.dirname(oldFile), 'tampered.ndjson');
    fs.writeFileSync(tampered, lines.join('\n'));
    const bad = verify(tampered);
    expect(bad.stdout).toMatch(/FAIL {2}archive entries in the checkpoint/);
    expect(bad.status).toBe(1);

    // The Merkle data stay whole: an archived leaf is proven in the current tree.
    const checkpoint = await waitForCheckpoint(t, total, 20_000);
    const proof = await t.http.get(`/ledger/proofs/inclusion?leafIndex=${archived.leafIndex}&treeSize=${checkpoint.size}`).set(...bearer(p.gdCac));
    expect(proof.status).toBe(200);
    const root = Buffer.from(checkpoint.note.split('\n')[2], 'base64');
    const hashes = (proof.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(verifyInclusionProof(archived.leafIndex, checkpoint.size, hashLeaf(Buffer.from(archived.leaf, 'base64')), hashes, root)).toBe(true);

    // Lists return what is live; the archived records are in the archives.
    const listed = await t.http.get(`/transfers?contractId=${contractId}&limit=100`).set(...bearer(p.gdCac));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(newRecords);
  });

  it('the self-audit passes over the archived leaves: the log stays intact', async () => {
    const auditor = t.app.get(LedgerAuditor);
    // The background audit may hold the cursor for a batch (FOR UPDATE SKIP LOCKED): run batches until a whole pass is done.
    let integrity = await t.http.get('/ledger/integrity').set(...bearer(p.gdCac));
    for (let i = 0; i < 40 && !(integrity.body.audit.progress.passesCompleted >= 1); i++) {
      await auditor.batch();
      integrity = await t.http.get('/ledger/integrity').set(...bearer(p.gdCac));
    }
    expect(integrity.body.failures).toEqual([]);
    expect(integrity.body.ok).toBe(true);
    expect(integrity.body.audit.progress.passesCompleted).toBeGreaterThanOrEqual(1);
  });
});
