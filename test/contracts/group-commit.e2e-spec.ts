import { Client } from 'pg';
import { contractsWithParts } from '../../src/contracts/contracts.repository';
import { bearer, TestApp } from '../support/app';
import { contractBody, fileContract, Parties, startWithParties } from './fixtures';

// Concurrent POST /contracts share one insert statement (issue 6: group commit). Every filing is
// still answered with its own contract, written whole (contract, version, two filings, three
// history entries), and a filing PostgreSQL refuses fails alone. Concurrent GET /contracts/:id
// share one statement too, each answered with its own contract and checked for its own caller.
async function batchMetrics(t: TestApp): Promise<{ statements: number; filings: number; waiting: number }> {
  const text = (await t.http.get('/metrics')).text;
  const value = (name: string): number => Number(new RegExp(`^registry_contract_filing${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  return { statements: value('_batch_size_count'), filings: value('_batch_size_sum'), waiting: value('s_waiting') };
}

async function storedShape(t: TestApp, contractId: string): Promise<{ versions: number; filings: string[]; history: string[]; otherMatters: string }> {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM contract_versions WHERE contract_id = $1) AS versions,
            (SELECT array_agg(party ORDER BY party) FROM filings WHERE contract_id = $1) AS filings,
            (SELECT array_agg(action || coalesce(':' || party, '') ORDER BY id) FROM contract_history WHERE contract_id = $1) AS history,
            (SELECT annex->>'otherMatters' FROM contract_versions WHERE contract_id = $1) AS "otherMatters"`,
    [contractId],
  );
  return row;
}

/** As the database owner (the application's role may not create functions). */
async function asOwner(t: TestApp, sql: string): Promise<void> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const fileMany = (t: TestApp, p: Parties, labels: string[]) =>
  Promise.all(
    labels.map((label) =>
      t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId, { annex: { otherMatters: label } })),
    ),
  );

describe('filing: concurrent filings share insert statements', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => {
    ({ t, p } = await startWithParties());
    await fileContract(t, p); // both parties known: the next filings take the one-statement path
  });
  afterAll(async () => t?.close());

  it('24 filings at once: each answered with its own contract and stored whole, in fewer statements than filings', async () => {
    const before = await batchMetrics(t);
    const labels = Array.from({ length: 24 }, (_, i) => `filing ${i}`);
    const responses = await fileMany(t, p, labels);
    expect(responses.map((r) => r.status)).toEqual(labels.map(() => 201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(24);
    for (const [i, response] of responses.entries()) {
      // Its own terms, not a neighbour's from the same statement.
      expect(await storedShape(t, response.body.id)).toEqual({
        versions: 1,
        filings: ['processor', 'recipient'],
        history: ['CONTRACT_CREATED', 'FILING_CREATED:processor', 'FILING_CREATED:recipient'],
        otherMatters: labels[i],
      });
      const read = await t.http.get(`/contracts/${response.body.id}`).set(...bearer(p.mainland));
      expect(read.body).toEqual(response.body);
    }
    const after = await batchMetrics(t);
    expect(after.filings - before.filings).toBe(24);
    expect(after.statements - before.statements).toBeLessThan(24);
  });

  it('reads at once: each caller gets its own contract, an unknown or unreadable one is 404 alone', async () => {
    const labels = Array.from({ length: 6 }, (_, i) => `read ${i}`);
    const filed = (await fileMany(t, p, labels)).map((r) => r.body);
    const unknown = '00000000-0000-4000-8000-000000000000';
    // The statement itself: one row per id asked, in the order asked, an id asked twice in objects of its own.
    const many = await contractsWithParts(t.dataSource, [filed[2].id, unknown, filed[0].id, filed[2].id]);
    expect(many.map((f) => f?.contract.id ?? null)).toEqual([filed[2].id, null, filed[0].id, filed[2].id]);
    expect(many.map((f) => f?.versions[0].annex.otherMatters ?? null)).toEqual([labels[2], null, labels[0], labels[2]]);
    expect(many[0]).not.toBe(many[3]);
    expect(many[0]).toEqual(many[3]);
    // Through the API, all at once: the filer, both regulators and an outsider on the same contracts, an unknown id.
    const asks = [
      ...filed.map((c) => ({ id: c.id, token: p.mainland, expected: c })),
      // Each side's regulator sees the same contract, with the filing materials it may read (R10): its side's.
      ...filed.map((c) => ({ id: c.id, token: p.gdCac, expected: { ...c, documentParties: ['processor'] } })),
      ...filed.map((c) => ({ id: c.id, token: p.hkDpo, expected: { ...c, documentParties: ['recipient'] } })),
      { id: filed[1].id, token: p.outsider, expected: null },
      { id: unknown, token: p.mainland, expected: null },
    ];
    const reads = await Promise.all(asks.map((a) => t.http.get(`/contracts/${a.id}`).set(...bearer(a.token))));
    for (const [i, read] of reads.entries()) {
      if (asks[i].expected) expect({ status: read.status, body: read.body }).toEqual({ status: 200, body: asks[i].expected });
      else expect({ status: read.status, code: read.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    }
  });

  it('a filing PostgreSQL refuses fails alone: the others of its statement are written', async () => {
    // A refusal no validation can foresee, for one filing only (SQLSTATE 22023: answered 400).
    await asOwner(
      t,
      `CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.annex->>'otherMatters' = 'poison' THEN RAISE EXCEPTION 'poisoned filing' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_poison BEFORE INSERT ON contract_versions FOR EACH ROW EXECUTE FUNCTION test_poison()`,
    );
    try {
      const [{ n: contractsBefore }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contracts`);
      const before = await batchMetrics(t);
      // Hold the inserts so that the filings queue behind the two statements in flight and then
      // go together: the poisoned one is sent with others, not alone.
      const holder = new Client({ connectionString: t.databaseUrl });
      await holder.connect();
      let responses;
      const labels = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'poison' : `healthy ${i}`));
      try {
        await holder.query('BEGIN; LOCK TABLE contract_versions IN SHARE ROW EXCLUSIVE MODE');
        const first = fileMany(t, p, labels.slice(0, 2));
        for (let i = 0; ; i++) {
          const [{ n }] = (await holder.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'contract_versions'::regclass AND NOT granted`)).rows;
          if (n === 2) break;
          if (i > 200) throw new Error('the first two statements never reached the lock');
          await new Promise((r) => setTimeout(r, 10));
        }
        const rest = fileMany(t, p, labels.slice(2));
        for (let i = 0; (await batchMetrics(t)).waiting < 10; i++) {
          if (i > 500) throw new Error('the ten filings never queued');
          await new Promise((r) => setTimeout(r, 10));
        }
        await holder.query('COMMIT');
        responses = [...(await first), ...(await rest)];
      } finally {
        await holder.end();
      }
      expect(responses.map((r) => r.status)).toEqual(labels.map((l) => (l === 'poison' ? 400 : 201)));
      expect(responses[5].body).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
      expect(responses[5].headers['content-type']).toMatch(/^application\/problem\+json/);
      const [{ n: contractsAfter }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contracts`);
      expect(contractsAfter - contractsBefore).toBe(11);
      const [{ n: poisoned }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contract_versions WHERE annex->>'otherMatters' = 'poison'`);
      expect(poisoned).toBe(0);
      for (const [i, response] of responses.entries()) {
        if (labels[i] !== 'poison') expect((await storedShape(t, response.body.id)).otherMatters).toBe(labels[i]);
      }
      // Two statements of one, then one of ten, refused, and its ten sent again one by one.
      const after = await batchMetrics(t);
      expect({ statements: after.statements - before.statements, filings: after.filings - before.filings }).toEqual({ statements: 13, filings: 22 });
    } finally {
      await asOwner(t, `DROP TRIGGER test_poison ON contract_versions; DROP FUNCTION test_poison()`);
    }
  });

  it('a filing whose facts change under every attempt gives up with 409 CONFLICT and writes nothing', async () => {
    // The calendar revision read with the parties and the one the insert checks differ every
    // time: the counter is set aside and a view of the same name answers a random revision on each
    // read (the prepared statements are planned again when the table is renamed).
    await asOwner(
      t,
      `ALTER TABLE calendar_revision RENAME TO calendar_revision_held;
      CREATE VIEW calendar_revision AS SELECT (random() * 1e15)::bigint AS revision;
      GRANT SELECT ON calendar_revision TO registry_app`,
    );
    try {
      const [{ n: before }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contracts`);
      const res = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId));
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 409, code: 'CONFLICT' });
      expect(res.body.detail).toMatch(/nothing was filed, try again/);
      const [{ n: after }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contracts`);
      expect(after).toBe(before);
    } finally {
      await asOwner(t, `DROP VIEW calendar_revision; ALTER TABLE calendar_revision_held RENAME TO calendar_revision`);
    }
    // And once the facts hold still, the same filing goes through.
    expect(
      (
        await t.http
          .post('/contracts')
          .set(...bearer(p.mainland))
          .send(contractBody(p.mainlandId, p.hongKongId))
      ).status,
    ).toBe(201);
  });
});
