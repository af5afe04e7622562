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
import { bearer, startTestApp, TestApp } from '../support/app';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { postTransfers, transferRecord, waitForCheckpoint } from '../transfers/support';

const ROOT = path.join(__dirname, '..', '..');
/** Every timer API stays real; only the clock (Date) is moved. */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

describe('retention drill: archive, verify, detach, still prove', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  let archiveDir: string;
  const oldRecords = 20;
  const newRecords = 5;
  let oldPartition: string;

  beforeAll(async () => {
    archiveDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gba-archives-')), 'archives');
    t = await startTestApp({ ARCHIVE_DIR: archiveDir });
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
  });
  afterAll(async () => {
    jest.useRealTimers();
    await t?.close();
  });

  it('logs records four years ago into that month’s partition, and today’s into this month’s', async () => {
    const past = new Date();
    past.setUTCFullYear(past.getUTCFullYear() - 4);
    jest.useFakeTimers({ now: past, advanceTimers: true, doNotFake: [...REAL_TIMERS] });
    try {
      const created = await t.app.get(TransferPartitions).ensure();
      oldPartition = `transfer_records_y${monthStart(new Date()).slice(0, 4)}m${monthStart(new Date()).slice(5, 7)}`;
      expect(created).toContain(oldPartition);
      const filer = await t.user('ORG_FILER', { organisationId: p.mainlandId });
      const res = await postTransfers(
        t,
        filer.token,
        Array.from({ length: oldRecords }, () => transferRecord(contractId)),
      );
      expect(res.status).toBe(201);
    } finally {
      jest.useRealTimers();
    }
    expect(
      (
        await postTransfers(
          t,
          p.mainland,
          Array.from({ length: newRecords }, () => transferRecord(contractId)),
        )
      ).status,
    ).toBe(201);
    const [old] = await t.dataSource.query(`SELECT count(*)::int AS n, min(leaf_index)::int AS first, max(leaf_index)::int AS last FROM "${oldPartition}"`);
    expect(old).toEqual({ n: oldRecords, first: 0, last: oldRecords - 1 });
    await waitForCheckpoint(t, oldRecords + newRecords, 20_000);
  });

  it('a failed archive write leaves the partition attached, logged and counted; nothing is lost', async () => {
    fs.mkdirSync(path.dirname(archiveDir), { recursive: true });
    fs.writeFileSync(archiveDir, 'not a directory');
    try {
      // The empty months created ahead of the old one are past retention too; they are skipped, not archived.
      const outcomes = (await t.app.get(LedgerArchiver).run()).filter((o) => o.outcome !== 'skipped');
      expect(outcomes).toEqual([expect.objectContaining({ partition: oldPartition, outcome: 'failed', detail: expect.stringMatching(/EEXIST|ENOTDIR/) })]);
    } finally {
      fs.rmSync(archiveDir);
    }
    const attached = await t.dataSource.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass AND inhparent = 'transfer_records'::regclass`, [
      oldPartition,
    ]);
    expect(attached).toHaveLength(1);
    const [rows] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_records');
    expect(rows.n).toBe(oldRecords + newRecords);
    expect(await t.dataSource.query('SELECT * FROM ledger_archives')).toEqual([]);
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/registry_ledger_archives_total\{outcome="failed"\} 1/);
  });

  it('archives, verifies, records and detaches the old month; the archive verifies offline; an archived leaf is still proven', async () => {
    const outcomes = (await t.app.get(LedgerArchiver).run()).filter((o) => o.outcome !== 'skipped');
    expect(outcomes).toEqual([expect.objectContaining({ partition: oldPartition, outcome: 'archived' })]);
    const attached = await t.dataSource.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = $1::regclass AND inhparent = 'transfer_records'::regclass`, [
      oldPartition,
    ]);
    expect(attached).toEqual([]);

    // Listed for regulators and administrators, not for an organisation.
    const regulator = await t.http.get('/ledger/archives').set(...bearer(p.gdCac));
    expect(regulator.status).toBe(200);
    expect(regulator.body.archives).toHaveLength(1);
    const archive = regulator.body.archives[0];
    expect(archive).toMatchObject({ partition: oldPartition, firstLeafIndex: 0, lastLeafIndex: oldRecords - 1, leafCount: oldRecords });
    const file = fs.readFileSync(archive.file);
    expect(createHash('sha256').update(file).digest('hex')).toBe(archive.sha256);
    expect((await t.http.get('/ledger/archives').set(...bearer(p.mainland))).status).toBe(403);

    // npm run verify checks the archive offline against the pinned key, and refuses a changed one.
    const key = (await t.http.get('/ledger/public-key')).body.verifierKey as string;
    const verify = (target: string) =>
      spawnSync('npm', ['run', '--silent', 'verify', '--', '--archive', target, '--log-key', key], { cwd: ROOT, encoding: 'utf8' });
    const good = verify(archive.file);
    expect(good.stdout).toMatch(/PASS {2}archive entries in the checkpoint/);
    expect(good.status).toBe(0);
    const lines = file.toString('utf8').split('\n');
    const leaf3 = JSON.parse(lines[4]) as { leafIndex: number; leaf: string };
    const changed = JSON.parse(Buffer.from(leaf3.leaf, 'base64').toString('utf8'));
    changed.recordCount += 1;
    lines[4] = JSON.stringify({ leafIndex: 3, leaf: Buffer.from(JSON.stringify(changed)).toString('base64') });
    const tampered = path.join(path.dirname(archive.file), 'tampered.ndjson');
    fs.writeFileSync(tampered, lines.join('\n'));
    const bad = verify(tampered);
    expect(bad.stdout).toMatch(/FAIL {2}archive entries in the checkpoint/);
    expect(bad.status).toBe(1);

    // The Merkle data stay whole: leaf 3, archived, is proven in the current tree.
    const checkpoint = await waitForCheckpoint(t, oldRecords + newRecords, 20_000);
    const proof = await t.http.get(`/ledger/proofs/inclusion?leafIndex=3&treeSize=${checkpoint.size}`).set(...bearer(p.gdCac));
    expect(proof.status).toBe(200);
    const root = Buffer.from(checkpoint.note.split('\n')[2], 'base64');
    const hashes = (proof.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(verifyInclusionProof(3, checkpoint.size, hashLeaf(Buffer.from(leaf3.leaf, 'base64')), hashes, root)).toBe(true);

    // Lists return what is live; the archived records are in the archive.
    const listed = await t.http.get(`/transfers?contractId=${contractId}&limit=100`).set(...bearer(p.gdCac));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(newRecords);
  });

  it('the self-audit passes over the archived leaves: the log stays intact', async () => {
    const auditor = t.app.get(LedgerAuditor);
    for (let i = 0; i < 4; i++) await auditor.batch();
    const integrity = await t.http.get('/ledger/integrity').set(...bearer(p.gdCac));
    expect(integrity.body.failures).toEqual([]);
    expect(integrity.body.ok).toBe(true);
    expect(integrity.body.audit.progress.passesCompleted).toBeGreaterThanOrEqual(1);
  });
});
