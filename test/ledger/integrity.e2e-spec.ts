// The log's signer never forks and the server audits itself (docs/architecture.md#trust-model, parts 1 and 2).
// Each case rewrites the log as the database superuser (the application's role cannot), as an operator
// with full rights could, and checks what regulators see: GET /ledger/integrity, the metric, the checkpoint.
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import { LedgerService } from '../../src/ledger/ledger.service';
import { bearer, TestApp, TEST_JWT_SECRET } from '../support/app';
import { Parties, startWithContract } from '../contracts/fixtures';
import { postTransfers, transferRecord, waitForCheckpoint } from '../transfers/support';

interface Failure {
  kind: string;
  level: number | null;
  index: number | null;
  detail: string;
}

/** Runs SQL as the login role (a superuser in tests), with the append-only triggers switched off for this session. */
async function asSuperuser(t: TestApp, sql: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    const result = await client.query(sql, params);
    expect(result.rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function integrity(t: TestApp, token: string) {
  const res = await t.http.get('/ledger/integrity').set(...bearer(token));
  expect(res.status).toBe(200);
  return res.body as { ok: boolean; checkedAt: string | null; failures: Failure[]; audit: { progress: { passesCompleted: number; phase: string } } };
}

/** Polls GET /ledger/integrity until `until` holds (the audit runs in the background). */
async function waitForIntegrity(t: TestApp, token: string, until: (body: Awaited<ReturnType<typeof integrity>>) => boolean) {
  for (let i = 0; i < 300; i++) {
    const body = await integrity(t, token);
    if (until(body)) return body;
    await sleep(25);
  }
  const last = await integrity(t, token);
  throw new Error(`integrity never reached the expected state: ${JSON.stringify(last)}`);
}

async function metric(t: TestApp): Promise<string | undefined> {
  const res = await t.http.get('/metrics');
  return /^registry_ledger_integrity_ok (\S+)$/m.exec(res.text)?.[1];
}

async function stored(t: TestApp): Promise<{ records: number; checkpoint: number }> {
  const [row] = await t.dataSource.query(
    'SELECT (SELECT count(*) FROM transfer_records)::int AS records, (SELECT max(tree_size) FROM ledger_checkpoints)::int AS checkpoint',
  );
  return row as { records: number; checkpoint: number };
}

/** An app whose audit runs in small batches with short pauses, 40 records logged (tiles 0 and 1 complete, 8 leaves in tile 2), checkpoint 40, one clean audit pass. */
async function loggedForty(env: Record<string, string> = {}): Promise<{ t: TestApp; p: Parties; contractId: string }> {
  const { t, p, contractId } = await startWithContract({ LEDGER_AUDIT_BATCH_SIZE: '16', LEDGER_AUDIT_PAUSE_MS: '10', ...env });
  const res = await postTransfers(
    t,
    p.mainland,
    Array.from({ length: 40 }, () => transferRecord(contractId)),
  );
  expect(res.status).toBe(201);
  await waitForCheckpoint(t, 40, 5000);
  if (!env.LEDGER_AUDIT_PAUSE_MS) {
    const start = (await integrity(t, p.gdCac)).audit.progress.passesCompleted;
    await waitForIntegrity(t, p.gdCac, (b) => b.audit.progress.passesCompleted >= start + 2);
  }
  const clean = await integrity(t, p.gdCac);
  expect(clean).toMatchObject({ ok: true, failures: [] });
  expect(await metric(t)).toBe('1');
  return { t, p, contractId };
}

/** A second registry instance on the same database as `t`, its audit paused. */
async function secondInstance(t: TestApp): Promise<NestFastifyApplication> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: t.config.dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    LEDGER_AUDIT_PAUSE_MS: '3600000',
  });
  return createApp(config, t.databaseUrl, { silent: true });
}

/** After a failure: records are still accepted and stored, nothing more is signed, the metric is 0. */
async function expectLoggingGoesOnButSigningStopped(t: TestApp, p: Parties, contractId: string, records: number): Promise<void> {
  const more = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)]);
  expect(more.status).toBe(201);
  expect(more.body.records.map((r: { leafIndex: number }) => r.leafIndex)).toEqual([records, records + 1]);
  // Several checkpointer polls (every 250 ms) and nudges pass; none signs.
  await sleep(800);
  expect(await stored(t)).toEqual({ records: records + 2, checkpoint: 40 });
  expect(Number((await t.http.get('/ledger/checkpoint')).text.split('\n')[1])).toBe(40);
  expect(await metric(t)).toBe('0');
}

describe('ledger integrity: a signer that never forks, a server that audits itself', () => {
  const apps: TestApp[] = [];
  const extra: NestFastifyApplication[] = [];
  afterAll(async () => {
    for (const app of extra) await app.close();
    for (const t of apps) await t.close();
  });

  it('a rewritten leaf in a complete tile: the audit names its index, signing stops, logging goes on', async () => {
    // The error line the registry logs (through Nest's Logger) when it finds a failure.
    const logged = jest.spyOn(Logger.prototype, 'error');
    const { t, p, contractId } = await loggedForty();
    apps.push(t);
    // Regulators (PCPD included) and administrators read it; organisations do not.
    expect((await t.http.get('/ledger/integrity').set(...bearer(p.mainland))).status).toBe(403);
    expect((await t.http.get('/ledger/integrity').set(...bearer(p.outsider))).status).toBe(403);
    expect((await t.http.get('/ledger/integrity')).status).toBe(401);
    expect((await t.http.get('/ledger/integrity').set(...bearer(t.adminToken))).status).toBe(200);
    expect((await t.http.get('/ledger/integrity').set(...bearer(p.pcpd))).status).toBe(200);
    await asSuperuser(t, `UPDATE transfer_records SET leaf = convert_to(convert_from(leaf, 'UTF8') || ' ', 'UTF8') WHERE leaf_index = 3`);
    const body = await waitForIntegrity(t, p.hkDpo, (b) => !b.ok);
    expect(body.failures[0]).toMatchObject({ kind: 'leaf-hash', level: 0, index: 3 });
    expect(body.failures[0].detail).toMatch(/record 3/);
    expect(body.checkedAt).toEqual(expect.any(String));
    await expectLoggingGoesOnButSigningStopped(t, p, contractId, 40);
    // One error line names what failed and where, once.
    const lines = logged.mock.calls.map((call) => String(call[1])).filter((msg) => msg.includes('integrity failure'));
    logged.mockRestore();
    expect(lines).toEqual([expect.stringMatching(/^transfer log integrity failure: leaf-hash level 0 index 3: .*checkpoint signing has stopped$/)]);
  });

  it('a rewritten leaf (and its hash) in the last, incomplete tile: the signer refuses the tree that does not extend checkpoint 40, the audit finds the signed roots wrong', async () => {
    const { t, p, contractId } = await loggedForty();
    apps.push(t);
    const forged = Buffer.from('{"forged":true}');
    await asSuperuser(t, 'UPDATE transfer_records SET leaf = $1, leaf_hash = $2 WHERE leaf_index = 35', [
      forged,
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), forged]))
        .digest(),
    ]);
    // At once, before the audit: this append must not be signed over the rewritten history.
    await expectLoggingGoesOnButSigningStopped(t, p, contractId, 40);
    const body = await waitForIntegrity(t, p.gdCac, (b) => b.failures.some((f) => f.kind === 'checkpoint-root'));
    expect(body.ok).toBe(false);
    // Every signed checkpoint from size 36 covers leaf 35; the first of them is named first.
    const roots = body.failures.filter((f) => f.kind === 'checkpoint-root');
    expect(roots[0].index).toBeGreaterThanOrEqual(36);
    expect(roots[0].index).toBeLessThanOrEqual(40);
    expect(await metric(t)).toBe('0');
  });

  it('the signer alone (audit paused): the consistency proof from storage fails and it says so; a restarted instance finds it at start', async () => {
    const { t, p, contractId } = await loggedForty({ LEDGER_AUDIT_PAUSE_MS: '3600000' });
    apps.push(t);
    const forged = Buffer.from('{"forged":"again"}');
    await asSuperuser(t, 'UPDATE transfer_records SET leaf = $1, leaf_hash = $2 WHERE leaf_index = 33', [
      forged,
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), forged]))
        .digest(),
    ]);
    const more = await postTransfers(t, p.mainland, [transferRecord(contractId)]);
    expect(more.status).toBe(201);
    const body = await waitForIntegrity(t, p.gdCac, (b) => !b.ok);
    expect(body.failures).toEqual([expect.objectContaining({ kind: 'checkpoint-consistency', index: 40 })]);
    expect(body.failures[0].detail).toMatch(/does not extend the checkpoint of size 40/);
    expect(await stored(t)).toEqual({ records: 41, checkpoint: 40 });
    expect(await metric(t)).toBe('0');

    // A second instance on the same database (a restart, or another replica): it finds the signed root wrong at start and signs nothing.
    const second = await secondInstance(t);
    extra.push(second);
    const view = await second.get(LedgerService).latestCheckpointSize();
    expect(view).toBe(40);
    const failures: Array<{ kind: string; idx: string }> = await t.dataSource.query('SELECT kind, idx FROM ledger_integrity_failures ORDER BY id');
    expect(failures).toEqual(expect.arrayContaining([{ kind: 'checkpoint-root', idx: '40' }]));
  });

  it('a rewritten leaf_hash: the audit names the leaf and the tile above it', async () => {
    const { t, p, contractId } = await loggedForty();
    apps.push(t);
    await asSuperuser(t, 'UPDATE transfer_records SET leaf_hash = $1 WHERE leaf_index = 20', [createHash('sha256').update('not the leaf').digest()]);
    const body = await waitForIntegrity(t, p.gdCac, (b) => b.failures.some((f) => f.kind === 'node-hash') && b.failures.some((f) => f.kind === 'leaf-hash'));
    expect(body.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'leaf-hash', level: 0, index: 20 }),
        expect.objectContaining({ kind: 'node-hash', level: 4, index: 1 }),
      ]),
    );
    await expectLoggingGoesOnButSigningStopped(t, p, contractId, 40);
  });

  it('a rewritten stored node: the audit names it, and the signer refuses the next tree', async () => {
    const { t, p, contractId } = await loggedForty();
    apps.push(t);
    // Level 5 index 0 covers leaves 0–31: the consistency proof from 40 to the next size uses it.
    await asSuperuser(t, 'UPDATE ledger_nodes SET hash = $1 WHERE level = 5 AND idx = 0', [createHash('sha256').update('forged node').digest()]);
    await expectLoggingGoesOnButSigningStopped(t, p, contractId, 40);
    const body = await waitForIntegrity(t, p.gdCac, (b) => b.failures.some((f) => f.kind === 'node-hash'));
    expect(body.failures).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'node-hash', level: 5, index: 0 })]));
  });

  it('compare-and-swap: two signers racing from the same checkpoint never both store one', async () => {
    const { t } = await loggedForty({ LEDGER_AUDIT_PAUSE_MS: '3600000' });
    apps.push(t);
    const second = await secondInstance(t);
    extra.push(second);
    const a = t.app.get(LedgerService);
    const b = second.get(LedgerService);
    let previous = 40;
    for (let round = 0; round < 10; round++) {
      // Diverging trees: different roots, for the same size and for different sizes, both extending `previous`.
      const sameSize = round % 2 === 0;
      const sizeA = previous + 5;
      const sizeB = sameSize ? sizeA : previous + 4;
      const rootA = createHash('sha256').update(`a ${round}`).digest();
      const rootB = createHash('sha256').update(`b ${round}`).digest();
      const results = await Promise.all([
        a.storeCheckpoint(sizeA, rootA, `note a ${round}\n`, previous),
        b.storeCheckpoint(sizeB, rootB, `note b ${round}\n`, previous),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const rows: Array<{ tree_size: string }> = await t.dataSource.query(
        'SELECT tree_size FROM ledger_checkpoints WHERE extends_size = $1 OR tree_size > $1',
        [previous],
      );
      expect(rows).toHaveLength(1);
      previous = Number(rows[0].tree_size);
      // A signer that read a stale latest checkpoint cannot store either.
      expect(await a.storeCheckpoint(previous + 7, rootA, 'stale\n', previous - 1)).toBe(false);
    }
  });

  it('two instances: a checkpoint signed by the other one after this one read the tree size is not a shrunk log', async () => {
    const { t, p, contractId } = await loggedForty({ LEDGER_AUDIT_PAUSE_MS: '3600000' });
    apps.push(t);
    const second = await secondInstance(t);
    extra.push(second);
    const b = second.get(LedgerService);
    const latest = b.latestCheckpoint.bind(b);
    // Between b's read of the tree size (40) and its read of the latest checkpoint, the first instance logs two records and signs 42.
    jest.spyOn(b, 'latestCheckpoint').mockImplementationOnce(async () => {
      const more = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)]);
      expect(more.status).toBe(201);
      await waitForCheckpoint(t, 42, 5000);
      return latest();
    });
    expect(await b.checkpointIfGrown(39)).toBe(39);
    expect(await integrity(t, p.gdCac)).toMatchObject({ ok: true, failures: [] });
    expect(await metric(t)).toBe('1');
  });

  it('a database error while the registry reads its stored tree is no integrity failure: nothing is reported, and signing goes on', async () => {
    // The audit paused, so only the checks under test read the stored nodes here.
    const { t, p, contractId } = await loggedForty({ LEDGER_AUDIT_PAUSE_MS: '3600000' });
    apps.push(t);
    const ledger = t.app.get(LedgerService);
    const superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
    try {
      // Storage cannot be read for a moment (an outage, a failover): the stored nodes are unreadable.
      await superuser.query('REVOKE SELECT ON ledger_nodes FROM registry_app');
      await expect(ledger.verifyLatestCheckpoint()).rejects.toThrow(/permission denied/);
      await superuser.query('GRANT SELECT ON ledger_nodes TO registry_app');
      expect(await integrity(t, p.gdCac)).toMatchObject({ ok: true, failures: [] });
      expect(await metric(t)).toBe('1');
      const more = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)]);
      expect(more.status).toBe(201);
      await waitForCheckpoint(t, 42, 5000);
    } finally {
      await superuser.query('GRANT SELECT ON ledger_nodes TO registry_app').catch(() => undefined);
      await superuser.end();
    }
  });
});
