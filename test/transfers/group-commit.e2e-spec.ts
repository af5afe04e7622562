/*
 * Concurrent POST /transfers requests are sequenced together (docs/architecture.md#the-transfer-log,
 * group commit): one transaction and one flush for the group, each request answered with its own
 * leaf indexes and flags, and a request that fails in the group fails alone.
 */
import { Client } from 'pg';
import { rootFromLeafHashes, verifyInclusion } from '../../src/ledger/domain/merkle';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { bearer, startTestApp, TestApp } from '../support/app';
import { holdLedgerLock, postTransfers, transferRecord, waitForCheckpoint } from './support';

type Answer = Awaited<ReturnType<typeof postTransfers>>;

describe('POST /transfers: concurrent requests share one transaction', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  let owner: Client;

  beforeAll(async () => {
    t = await startTestApp();
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
    owner = new Client({ connectionString: t.databaseUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await t?.close();
  });

  /**
   * Sends the requests so that `count` of them are sequenced together: a pilot request's group holds the
   * ledger's door (its lock, held by the test as a slow commit would hold it), the requests queue behind it,
   * and once `count` of them wait (the registry's gauge) the door opens.
   */
  async function together<T>(count: number, send: () => Array<Promise<T>>): Promise<T[]> {
    const lock = await holdLedgerLock(t);
    try {
      const pilot = postTransfers(t, p.mainland, [transferRecord(contractId, { externalReference: 'pilot' })]);
      await lock.groupBlocked();
      const answers = Promise.all(send());
      await lock.waiting(count);
      await lock.release();
      expect((await pilot).status).toBe(201);
      return await answers;
    } finally {
      await lock.release();
    }
  }

  /** Stored rows by leaf index: the record's own reference, its flags, and the transaction that wrote it. */
  async function rowsAt(leafIndexes: number[]): Promise<Map<number, { reference: string; flags: string[]; xmin: string }>> {
    const rows: Array<{ leaf_index: string; external_reference: string; flags: string[]; xmin: string }> = await t.dataSource.query(
      'SELECT leaf_index, external_reference, flags, xmin::text AS xmin FROM transfer_records WHERE leaf_index = ANY($1::bigint[])',
      [leafIndexes],
    );
    return new Map(rows.map((r) => [Number(r.leaf_index), { reference: r.external_reference, flags: r.flags, xmin: r.xmin }]));
  }

  it('answers each of many one-record requests with its own gapless leaf index and flags; a reused key and a malformed body fail alone', async () => {
    const GOOD = 36;
    // Every fifth record declares a purpose outside the contract: flagged, still logged.
    const records = Array.from({ length: GOOD }, (_, i) =>
      transferRecord(contractId, { externalReference: `group-${i}`, purposes: i % 5 === 0 ? ['credit assessment', `marketing ${i}`] : ['credit assessment'] }),
    );
    const keys = records.map((_, i) => `group-key-${i}-${Date.now()}`);
    const sameKeySameBody = { record: records[0], key: keys[0] };
    const sameKeyOtherBody = { record: transferRecord(contractId, { externalReference: 'group-other-body' }), key: keys[1] };
    // 36 requests, the two that share a key with one of them; the malformed one is refused before it reaches the group.
    const answers: Answer[] = await together(GOOD + 2, () => [
      ...records.map((record, i) => postTransfers(t, p.mainland, [record], keys[i])),
      postTransfers(t, p.mainland, [sameKeySameBody.record], sameKeySameBody.key),
      postTransfers(t, p.mainland, [sameKeyOtherBody.record], sameKeyOtherBody.key),
      postTransfers(t, p.mainland, [transferRecord(contractId, { dataSubjectCount: -1, externalReference: 'group-malformed' })], `malformed-${Date.now()}`),
    ]);
    const [duplicate, otherBody, malformed] = answers.slice(GOOD);
    const good = answers.slice(0, GOOD);

    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(malformed.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'records[0].dataSubjectCount' })]));

    // The same key and body twice in one group: one append, the same answer twice, one of them marked as replayed.
    expect(duplicate.status).toBe(201);
    expect(good[0].status).toBe(201);
    expect(duplicate.body).toEqual(good[0].body);
    expect([duplicate.headers['idempotent-replayed'], good[0].headers['idempotent-replayed']].sort()).toEqual(['true', undefined]);

    // The same key with two bodies: whichever the group took first is logged, the other gets 409 and is not.
    const pair = [good[1], otherBody];
    expect(pair.map((a) => a.status).sort()).toEqual([201, 409]);
    const refused = pair.find((a) => a.status === 409) as Answer;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const loggedPairReference = pair[0].status === 201 ? 'group-1' : 'group-other-body';

    // Every other request: 201, one leaf each, its own record at its own index with its own flags.
    const logged = answers.filter((a) => a.status === 201 && a.headers['idempotent-replayed'] === undefined);
    expect(logged).toHaveLength(GOOD);
    for (const answer of logged) expect(answer.body.records).toHaveLength(1);
    const indexes = logged.map((a) => a.body.records[0].leafIndex as number).sort((a, b) => a - b);
    expect(new Set(indexes).size).toBe(GOOD);
    expect(indexes[GOOD - 1] - indexes[0]).toBe(GOOD - 1);
    const stored = await rowsAt(indexes);
    expect(stored.size).toBe(GOOD);
    good.forEach((answer, i) => {
      if (answer.status !== 201) return;
      const row = stored.get(answer.body.records[0].leafIndex);
      const expected = i % 5 === 0 ? ['PURPOSE_NOT_IN_SCOPE'] : [];
      expect({ reference: row?.reference, flags: row?.flags, answered: answer.body.records[0].flags }).toEqual({
        reference: `group-${i}`,
        flags: expected,
        answered: expected,
      });
    });
    expect([...stored.values()].map((r) => r.reference)).toContain(loggedPairReference);
    const [{ n: otherBodyRows }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM transfer_records WHERE external_reference IN ('group-malformed', $1)`,
      [loggedPairReference === 'group-1' ? 'group-other-body' : 'group-1'],
    );
    expect(otherBodyRows).toBe(0);
    // One sequencing transaction for the whole group, and /metrics saw a group of that size (33 to 64 requests).
    expect(new Set([...stored.values()].map((r) => r.xmin)).size).toBe(1);
    const metrics = (await t.http.get('/metrics')).text;
    const bucket = (le: string) => Number(new RegExp(`^registry_transfer_group_size_bucket\\{le="${le}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(bucket('64') - bucket('32')).toBeGreaterThanOrEqual(1);
    // Each key is stored once, with its own request's leaf.
    const storedKeys: Array<{ idempotency_key: string; first_leaf_index: string }> = await t.dataSource.query(
      'SELECT idempotency_key, first_leaf_index FROM transfer_idempotency_keys WHERE idempotency_key = ANY($1::text[])',
      [keys],
    );
    expect(storedKeys).toHaveLength(GOOD);
    const keyOfIndex = new Map(storedKeys.map((k) => [Number(k.first_leaf_index), k.idempotency_key]));
    good.forEach((answer, i) => {
      if (answer.status === 201) expect(keyOfIndex.get(answer.body.records[0].leafIndex)).toBe(keys[i]);
    });

    // The tree over every leaf is the one the registry signs, and a leaf of the group is proven in it.
    const [{ size }] = await t.dataSource.query('SELECT count(*)::int AS size FROM transfer_records');
    const checkpoint = await waitForCheckpoint(t, size, 30_000);
    const leafHashes: Array<{ leaf_hash: Buffer }> = await t.dataSource.query('SELECT leaf_hash FROM transfer_records ORDER BY leaf_index');
    expect(leafHashes).toHaveLength(size);
    const root = rootFromLeafHashes(leafHashes.map((r) => r.leaf_hash));
    const lines = checkpoint.note.split('\n');
    const signedSize = Number(lines[1]);
    expect(signedSize).toBe(size);
    expect(lines[2]).toBe(root.toString('base64'));
    const probe = indexes[Math.floor(GOOD / 2)];
    const proof = await t.http.get(`/ledger/proofs/inclusion?leafIndex=${probe}&treeSize=${size}`).set(...bearer(p.gdCac));
    expect(proof.status).toBe(200);
    const hashes = (proof.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(verifyInclusion(probe, size, leafHashes[probe].leaf_hash, hashes, root)).toBe(true);
  });

  it('a request PostgreSQL refuses inside the group fails alone; the others are logged, gapless, and their keys replay', async () => {
    // A value validation lets through and the database refuses (SQLSTATE class 22), met only at the COPY of the whole group.
    await owner.query(`CREATE FUNCTION test_refuse_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.external_reference = 'refused-by-the-database' THEN RAISE EXCEPTION 'refused' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$`);
    await owner.query('CREATE TRIGGER test_refuse_record BEFORE INSERT ON transfer_records FOR EACH ROW EXECUTE FUNCTION test_refuse_record()');
    try {
      const COUNT = 12;
      const BAD = 5;
      const records = Array.from({ length: COUNT }, (_, i) =>
        transferRecord(contractId, { externalReference: i === BAD ? 'refused-by-the-database' : `late-${i}` }),
      );
      const keys = records.map((_, i) => `late-key-${i}-${Date.now()}`);
      const expectedGroups = async () =>
        Number(/^registry_transfer_groups_total\{path="expected"\} (\d+)$/m.exec((await t.http.get('/metrics')).text)?.[1] ?? 0);
      const expectedBefore = await expectedGroups();
      const answers: Answer[] = await together(COUNT, () => records.map((record, i) => postTransfers(t, p.mainland, [record], keys[i])));
      // The group and its requests resent alone went expected (in one round trip each): the refusal reached only its request there too.
      expect((await expectedGroups()) - expectedBefore).toBeGreaterThanOrEqual(COUNT - 1);
      expect(answers[BAD].status).toBe(400);
      expect(answers[BAD].headers['content-type']).toMatch(/^application\/problem\+json/);
      const others = answers.filter((_, i) => i !== BAD);
      expect(others.map((a) => a.status)).toEqual(Array(COUNT - 1).fill(201));
      const indexes = others.map((a) => a.body.records[0].leafIndex as number).sort((a, b) => a - b);
      expect(new Set(indexes).size).toBe(COUNT - 1);
      expect(indexes[COUNT - 2] - indexes[0]).toBe(COUNT - 2);
      const stored = await rowsAt(indexes);
      answers.forEach((answer, i) => {
        if (i !== BAD) expect(stored.get(answer.body.records[0].leafIndex)?.reference).toBe(`late-${i}`);
      });
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM transfer_records WHERE external_reference = 'refused-by-the-database'`);
      expect(n).toBe(0);
      const [{ keysStored }] = await t.dataSource.query(
        'SELECT count(*)::int AS "keysStored" FROM transfer_idempotency_keys WHERE idempotency_key = ANY($1::text[])',
        [keys],
      );
      expect(keysStored).toBe(COUNT - 1);
      // The log has no gap: as many rows as the tree is large.
      const [{ rows, size }] = await t.dataSource.query('SELECT count(*)::int AS rows, (max(leaf_index) + 1)::int AS size FROM transfer_records');
      expect(rows).toBe(size);
      // A retry of a logged request with its key gets its first answer.
      const retry = await postTransfers(t, p.mainland, [records[0]], keys[0]);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(answers[0].body);
    } finally {
      await owner.query('DROP TRIGGER test_refuse_record ON transfer_records');
      await owner.query('DROP FUNCTION test_refuse_record()');
    }
  });
  it('sequences bulk requests that queued together in groups of at most 2,000 records, each request whole in one of them', async () => {
    // Three 1,200-record requests wait behind the lock together: two of them would be 2,400 records, over the cap.
    const bulk = (n: number) => Array.from({ length: 1_200 }, (_, i) => transferRecord(contractId, { externalReference: `bulk-${n}-${i}` }));
    const answers = await together(3, () => [0, 1, 2].map((n) => postTransfers(t, p.mainland, bulk(n), `bulk-key-${n}-${Date.now()}`)));
    answers.forEach((answer) => {
      expect(answer.status).toBe(201);
      const indexes = answer.body.records.map((r: { leafIndex: number }) => r.leafIndex);
      expect(indexes).toHaveLength(1_200);
      // A request's records are contiguous, in request order.
      expect(indexes[1_199] - indexes[0]).toBe(1_199);
    });
    const rows: Array<{ reference: string; xmin: string; leaf_index: string }> = await t.dataSource.query(
      `SELECT external_reference AS reference, xmin::text AS xmin, leaf_index FROM transfer_records WHERE external_reference LIKE 'bulk-%'`,
    );
    expect(rows).toHaveLength(3_600);
    const xminOf = new Map<number, Set<string>>();
    for (const row of rows) {
      const n = Number(row.reference.split('-')[1]);
      if (!xminOf.has(n)) xminOf.set(n, new Set());
      xminOf.get(n)?.add(row.xmin);
    }
    // Each request in one transaction, and no two requests in the same one: three groups, not one of 3,600 records.
    expect([...xminOf.values()].map((x) => x.size)).toEqual([1, 1, 1]);
    expect(new Set([...xminOf.values()].map((x) => [...x][0])).size).toBe(3);
  });
});
