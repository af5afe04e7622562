/*
 * A group of POST /transfers requests is written in one round trip from what this instance last committed, and
 * checked first when that may be stale (docs/architecture.md#the-transfer-log, step 6, "Expected groups"): when
 * another instance appended in between, PostgreSQL refuses the expected group before any of its writes, nothing of
 * it is stored, and the group is written after reading the log, with leaf indexes after the other instance's.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import { QUIET_GROUPS_BEFORE_EXPECTING } from '../../src/transfers/transfer-group';
import { rootFromLeafHashes, verifyInclusion } from '../../src/ledger/domain/merkle';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { bearer, startTestApp, TestApp, TEST_JWT_SECRET } from '../support/app';
import { holdLedgerLock, postTransfers, transferRecord, waitForCheckpoint } from './support';

type Path = 'expected' | 'checked' | 'expectation_failed';

describe('POST /transfers: groups written from what this instance last committed', () => {
  let t: TestApp;
  let second: NestFastifyApplication;
  let p: Parties;
  let contractId: string;
  /** How the first instance wrote its very first group. */
  let firstGroup: Record<Path, number>;

  beforeAll(async () => {
    t = await startTestApp();
    second = await createApp(
      loadConfig({ NODE_ENV: 'test', DATA_DIR: t.config.dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', INSTANCE_ID: 'second' }),
      t.databaseUrl,
      { silent: true },
    );
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
    firstGroup = await counted(async () => {
      await logOne('first', 'first-group');
    });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  /** The first instance's groups so far, by how each was written (registry_transfer_groups_total on its /metrics). */
  async function groups(): Promise<Record<Path, number>> {
    const text = (await t.http.get('/metrics')).text;
    const count = (path: Path) => Number(new RegExp(`^registry_transfer_groups_total\\{path="${path}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    return { expected: count('expected'), checked: count('checked'), expectation_failed: count('expectation_failed') };
  }

  /** What a sequence of requests added to the counts. */
  async function counted(send: () => Promise<void>): Promise<Record<Path, number>> {
    const before = await groups();
    await send();
    const after = await groups();
    return {
      expected: after.expected - before.expected,
      checked: after.checked - before.checked,
      expectation_failed: after.expectation_failed - before.expectation_failed,
    };
  }

  async function logOne(on: 'first' | 'second', reference: string, key?: string): Promise<number> {
    const record = transferRecord(contractId, { externalReference: reference });
    const res =
      on === 'first'
        ? await postTransfers(t, p.mainland, [record], key)
        : await request(second.getHttpServer())
            .post('/transfers')
            .set(...bearer(p.mainland))
            .send({ records: [record] });
    expect(res.status).toBe(201);
    return res.body.records[0].leafIndex as number;
  }

  /** The stored log: as many rows as its size (no gap, no leaf index twice) and the tree the registry signs. */
  async function expectWholeLog(): Promise<void> {
    const [{ rows, distinct, size }] = await t.dataSource.query(
      'SELECT count(*)::int AS rows, count(DISTINCT leaf_index)::int AS distinct, (coalesce(max(leaf_index), -1) + 1)::int AS size FROM transfer_records',
    );
    expect({ rows, distinct }).toEqual({ rows: size, distinct: size });
    const checkpoint = await waitForCheckpoint(t, size, 30_000);
    const leafHashes: Array<{ leaf_hash: Buffer }> = await t.dataSource.query('SELECT leaf_hash FROM transfer_records ORDER BY leaf_index');
    const root = rootFromLeafHashes(leafHashes.map((r) => r.leaf_hash));
    expect(checkpoint.note.split('\n').slice(1, 3)).toEqual([String(size), root.toString('base64')]);
    const probe = size - 1;
    const proof = await t.http.get(`/ledger/proofs/inclusion?leafIndex=${probe}&treeSize=${size}`).set(...bearer(p.gdCac));
    expect(proof.status).toBe(200);
    const hashes = (proof.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(verifyInclusion(probe, size, leafHashes[probe].leaf_hash, hashes, root)).toBe(true);
  }

  it('writes each group after the first in one round trip while it alone appends, gapless and proven', async () => {
    // The instance's first group reads the log (it had committed nothing); every later one is expected.
    expect(firstGroup).toEqual({ expected: 0, checked: 1, expectation_failed: 0 });
    const indexes: number[] = [];
    const written = await counted(async () => {
      for (let i = 0; i < 6; i++) indexes.push(await logOne('first', `alone-${i}`));
    });
    expect(written).toEqual({ expected: 6, checked: 0, expectation_failed: 0 });
    indexes.slice(1).forEach((index, i) => expect(index).toBe(indexes[i] + 1));
    await expectWholeLog();
  });

  it('writes many requests expected in one transaction, each with its own leaves and its own key', async () => {
    const COUNT = 20;
    const keys = Array.from({ length: COUNT }, (_, i) => `together-${i}-${Date.now()}`);
    const sizes = Array.from({ length: COUNT }, (_, i) => 1 + (i % 3));
    let answers: Array<Awaited<ReturnType<typeof postTransfers>>> = [];
    const written = await counted(async () => {
      // A pilot's group holds the ledger's door (its lock, held here as a slow commit would); the others queue and go as one group.
      const lock = await holdLedgerLock(t);
      try {
        const pilot = postTransfers(t, p.mainland, [transferRecord(contractId, { externalReference: 'together-pilot' })]);
        await lock.groupBlocked();
        const sent = Promise.all(
          keys.map((key, i) =>
            postTransfers(
              t,
              p.mainland,
              Array.from({ length: sizes[i] }, (_, r) => transferRecord(contractId, { externalReference: `together-${i}-${r}` })),
              key,
            ),
          ),
        );
        await lock.waiting(COUNT);
        await lock.release();
        expect((await pilot).status).toBe(201);
        answers = await sent;
      } finally {
        await lock.release();
      }
    });
    expect(written).toEqual({ expected: 2, checked: 0, expectation_failed: 0 });
    expect(answers.map((a) => a.status)).toEqual(Array(COUNT).fill(201));
    // Each request's leaves are its own records, in order, and the requests' ranges tile one range without gap or overlap.
    const ranges = answers.map((a, i) => {
      const indexes = (a.body.records as Array<{ leafIndex: number }>).map((r) => r.leafIndex);
      expect(indexes).toHaveLength(sizes[i]);
      indexes.slice(1).forEach((index, r) => expect(index).toBe(indexes[r] + 1));
      return { i, first: indexes[0], last: indexes[indexes.length - 1] };
    });
    ranges.sort((a, b) => a.first - b.first);
    ranges.slice(1).forEach((range, k) => expect(range.first).toBe(ranges[k].last + 1));
    const rows: Array<{ leaf_index: string; external_reference: string; xmin: string }> = await t.dataSource.query(
      `SELECT leaf_index, external_reference, xmin::text AS xmin FROM transfer_records WHERE leaf_index BETWEEN $1 AND $2 ORDER BY leaf_index`,
      [ranges[0].first, ranges[ranges.length - 1].last],
    );
    const expectedReferences = ranges.flatMap(({ i }) => Array.from({ length: sizes[i] }, (_, r) => `together-${i}-${r}`));
    expect(rows.map((r) => r.external_reference)).toEqual(expectedReferences);
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
    // Each key stored once, pointing at its own request's first leaf.
    const stored: Array<{ idempotency_key: string; first_leaf_index: string }> = await t.dataSource.query(
      'SELECT idempotency_key, first_leaf_index FROM transfer_idempotency_keys WHERE idempotency_key = ANY($1::text[])',
      [keys],
    );
    expect(new Map(stored.map((k) => [k.idempotency_key, Number(k.first_leaf_index)]))).toEqual(
      new Map(keys.map((key, i) => [key, answers[i].body.records[0].leafIndex as number])),
    );
    await expectWholeLog();
  });

  it('when another instance appended since, stores nothing of the expected group and writes it after the other instance’s leaves', async () => {
    const mine = await logOne('first', 'before-other');
    const theirs = await logOne('second', 'other');
    expect(theirs).toBe(mine + 1);
    const key = `after-other-${Date.now()}`;
    let next = -1;
    const written = await counted(async () => {
      next = await logOne('first', 'after-other', key);
    });
    // Expected from `mine + 1` leaves, refused by PostgreSQL, then written after reading the log.
    expect(written).toEqual({ expected: 0, checked: 1, expectation_failed: 1 });
    expect(next).toBe(theirs + 1);
    const rows: Array<{ leaf_index: string; external_reference: string }> = await t.dataSource.query(
      `SELECT leaf_index, external_reference FROM transfer_records WHERE external_reference IN ('other', 'after-other') ORDER BY leaf_index`,
    );
    expect(rows.map((r) => [Number(r.leaf_index), r.external_reference])).toEqual([
      [theirs, 'other'],
      [next, 'after-other'],
    ]);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_idempotency_keys WHERE idempotency_key = $1', [key]);
    expect(n).toBe(1);
    // The next groups read the log again (another instance was appending); once enough of them in a row found that
    // none did, groups are expected again.
    const after = await counted(async () => {
      for (let i = 0; i <= QUIET_GROUPS_BEFORE_EXPECTING; i++) await logOne('first', `settling-${i}`);
    });
    expect(after).toEqual({ expected: 1, checked: QUIET_GROUPS_BEFORE_EXPECTING, expectation_failed: 0 });
    await expectWholeLog();
  });

  it('while another instance keeps appending, reads the log first instead of having expected groups refused', async () => {
    // Another instance's leaf, found by a checked group (after one refused expectation if groups were expected).
    await logOne('second', 'interleaved-other');
    await logOne('first', 'interleaved-first');
    // Two groups of this instance, then one of the other's, four times over: no expected group is sent to be refused.
    const written = await counted(async () => {
      for (let i = 0; i < 4; i++) {
        await logOne('first', `interleaved-${i}-a`);
        await logOne('first', `interleaved-${i}-b`);
        await logOne('second', `interleaved-other-${i}`);
      }
    });
    expect(written).toEqual({ expected: 0, checked: 8, expectation_failed: 0 });
    // And back to one round trip once the other instance has been quiet for long enough: the first group finds the
    // other instance's last leaf, the next QUIET_GROUPS_BEFORE_EXPECTING find none, and the one after is expected.
    const settled = await counted(async () => {
      for (let i = 0; i <= QUIET_GROUPS_BEFORE_EXPECTING + 1; i++) await logOne('first', `quiet-again-${i}`);
    });
    expect(settled).toEqual({ expected: 1, checked: QUIET_GROUPS_BEFORE_EXPECTING + 1, expectation_failed: 0 });
    await expectWholeLog();
  });

  it('answers a retry of a logged request from storage, its key found stored by the expected group’s check', async () => {
    const key = `retried-${Date.now()}`;
    const record = transferRecord(contractId, { externalReference: 'retried' });
    const first = await postTransfers(t, p.mainland, [record], key);
    expect(first.status).toBe(201);
    let retry: Awaited<ReturnType<typeof postTransfers>> | undefined;
    const written = await counted(async () => {
      retry = await postTransfers(t, p.mainland, [record], key);
    });
    expect(written).toEqual({ expected: 0, checked: 1, expectation_failed: 1 });
    expect(retry?.status).toBe(201);
    expect(retry?.headers['idempotent-replayed']).toBe('true');
    expect(retry?.body).toEqual(first.body);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM transfer_records WHERE external_reference = 'retried'`);
    expect(n).toBe(1);
  });

  it('checks the three facts with the functions of migration 1795689300000, which answer as the log, the contracts and the keys stand', async () => {
    const key = `checked-by-function-${Date.now()}`;
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId, { externalReference: 'checked-by-function' })], key)).status).toBe(201);
    const one = async (sql: string, params: unknown[] = []): Promise<unknown> => {
      const rows: Array<{ v: unknown }> = await t.dataSource.query(sql, params);
      return rows[0].v;
    };

    expect(Number(await one('SELECT ledger_tree_size() AS v'))).toBe(Number(await one('SELECT coalesce(max(leaf_index), -1) + 1 AS v FROM transfer_records')));

    const revision = Number(await one('SELECT revision AS v FROM contracts WHERE id = $1', [contractId]));
    const unchanged = (ids: string[], revisions: number[]) => one('SELECT contracts_revisions_unchanged($1::uuid[], $2::integer[]) AS v', [ids, revisions]);
    expect(await unchanged([contractId], [revision])).toBe(true);
    expect(await unchanged([contractId], [revision + 1])).toBe(false);
    expect(await unchanged([contractId, '00000000-0000-4000-8000-000000000000'], [revision, 1])).toBe(false);
    expect(await unchanged([], [])).toBe(true);
    await expect(unchanged([contractId], [])).rejects.toThrow(/1 ids and 0 revisions/);

    const noneStored = (organisations: string[], keys: string[]) => one('SELECT transfer_keys_none_stored($1::uuid[], $2::text[]) AS v', [organisations, keys]);
    expect(await noneStored([p.mainlandId], [key])).toBe(false);
    expect(await noneStored([p.mainlandId, p.mainlandId], [`${key}-never-sent`, key])).toBe(false);
    expect(await noneStored([p.mainlandId], [`${key}-never-sent`])).toBe(true);
    expect(await noneStored([p.hongKongId], [key])).toBe(true);
    expect(await noneStored([], [])).toBe(true);
    await expect(noneStored([p.mainlandId], [])).rejects.toThrow(/1 organisations and 0 keys/);
  });
});
