import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { postTransfers, transferRecord, treeSize } from './support';

async function rowCounts(t: TestApp): Promise<{ leaves: number; records: number; nodes: number }> {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*) FROM transfer_records WHERE leaf IS NOT NULL)::int AS leaves, (SELECT count(*) FROM transfer_records)::int AS records, (SELECT count(*) FROM ledger_nodes)::int AS nodes`,
  );
  return row;
}

describe('POST /transfers', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;

  beforeAll(async () => {
    t = await startTestApp();
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
  });
  afterAll(async () => t?.close());

  it('appends a clean record and answers its leaf index and no flags', async () => {
    const before = await treeSize(t);
    const res = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ records: [{ leafIndex: before, flags: [] }, { leafIndex: before + 1, flags: [] }] });
    // The recipient party logs too (either party's users, DESIGN.md §4).
    const fromRecipient = await postTransfers(t, p.hongKong, [transferRecord(contractId)]);
    expect(fromRecipient.status).toBe(201);
    expect(fromRecipient.body.records[0].leafIndex).toBe(before + 2);
  });

  it('stores the leaf as the RFC 8785 canonical JSON of the stored record, flags and recordedAt included', async () => {
    const record = transferRecord(contractId, { occurredAt: '2025-01-25T11:00:00+08:00', payloadDigest: 'AB'.repeat(32), purposes: ['credit assessment', 'other thing'] });
    const res = await postTransfers(t, p.mainland, [record]);
    const { leafIndex, flags } = res.body.records[0];
    expect(flags).toEqual(['PURPOSE_NOT_IN_SCOPE']);
    const entries = await t.http.get(`/ledger/entries?start=${leafIndex}&end=${leafIndex + 1}`).set(...bearer(p.gdCac));
    const leafText = Buffer.from(entries.body.entries[0].leaf, 'base64').toString('utf8');
    const leaf = JSON.parse(leafText);
    expect(leaf).toMatchObject({
      schema: 'gba-registry.transfer-record.v1',
      contractId,
      contractVersion: 1,
      processorId: p.mainlandId,
      recipientId: p.hongKongId,
      occurredAt: '2025-01-25T03:00:00.000Z',
      payloadDigest: 'ab'.repeat(32),
      flags: ['PURPOSE_NOT_IN_SCOPE'],
      onwardRecipient: null,
    });
    expect(Date.parse(leaf.recordedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Canonical: sorted members, no whitespace.
    const keys = Object.keys(leaf);
    expect(keys).toEqual([...keys].sort());
    expect(leafText).toBe(JSON.stringify(leaf));
  });

  describe('compliance flags: well-formed records that break the contract are appended, flagged', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['CONTRACT_NOT_EFFECTIVE', { occurredAt: '2025-01-20T03:00:00Z' }],
      ['CONTRACT_EXPIRED', { occurredAt: '2027-02-01T03:00:00Z' }],
      ['AFTER_RETENTION_PERIOD', { occurredAt: '2030-02-01T03:00:00Z' }],
      ['DIRECTION_MISMATCH', { direction: 'HK_TO_MAINLAND' }],
      ['CATEGORY_NOT_IN_SCOPE', { personalInformationCategories: ['BASIC_PROFILE', 'LOCATION'] }],
      ['SENSITIVE_NOT_IN_SCOPE', { sensitiveCategories: ['MEDICAL_HEALTH'] }],
      ['SENSITIVE_WITHOUT_SEPARATE_CONSENT', { sensitiveCategories: ['FINANCIAL_ACCOUNT'], separateConsentObtained: false }],
      ['PURPOSE_NOT_IN_SCOPE', { purposes: ['marketing'] }],
      ['METHOD_NOT_IN_SCOPE', { transferMethod: 'USB stick by courier' }],
      ['ONWARD_RECIPIENT_OUTSIDE_GBA', { onwardRecipient: { name: 'Bay Credit Reference Centre', city: 'BEIJING' } }],
      ['ONWARD_RECIPIENT_NOT_IN_ANNEX', { onwardRecipient: { name: 'Someone Else Ltd', city: 'GUANGZHOU' } }],
      ['FILING_OVERDUE', { occurredAt: '2025-03-03T03:00:00Z' }],
      ['PIPIA_MISSING', { occurredAt: '2025-01-05T03:00:00Z' }],
    ];
    it.each(cases)('%s', async (flag, overrides) => {
      const before = await rowCounts(t);
      const res = await postTransfers(t, p.mainland, [transferRecord(contractId, overrides)]);
      expect(res.status).toBe(201);
      expect(res.body.records[0].flags).toContain(flag);
      const after = await rowCounts(t);
      expect(after.records).toBe(before.records + 1);
      const [stored] = await t.dataSource.query('SELECT flags FROM transfer_records WHERE leaf_index = $1', [res.body.records[0].leafIndex]);
      expect(stored.flags).toEqual(res.body.records[0].flags);
    });

    it('a clean record in an onward recipient the annex lists has none', async () => {
      const res = await postTransfers(t, p.mainland, [transferRecord(contractId, { onwardRecipient: { name: 'bay credit  reference centre', city: 'GUANGZHOU' } })]);
      expect(res.body.records[0].flags).toEqual([]);
    });

    it('CONTRACT_TERMINATED, and the cached scope is invalidated by the termination', async () => {
      const other = (await fileContract(t, p)).id;
      const record = () => transferRecord(other, { occurredAt: '2025-01-27T03:00:00Z' });
      const before = await postTransfers(t, p.mainland, [record()]);
      expect(before.body.records[0].flags).not.toContain('CONTRACT_TERMINATED');
      const terminated = await t.http.post(`/contracts/${other}/terminate`).set(...bearer(p.mainland)).send({ terminatedOn: '2025-01-26', reason: 'business ended' });
      expect([200, 201]).toContain(terminated.status);
      const after = await postTransfers(t, p.mainland, [record()]);
      expect(after.body.records[0].flags).toContain('CONTRACT_TERMINATED');
    });
  });

  it('logs through a service account (ORG_SYSTEM)', async () => {
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: p.mainlandId });
    const sa = await t.http.post(`/organisations/${p.mainlandId}/service-accounts`).set(...bearer(orgAdmin.token)).send({});
    expect(sa.status).toBe(201);
    const token = await t.http.post('/auth/token').send({ grantType: 'client_credentials', clientId: sa.body.clientId, clientSecret: sa.body.clientSecret });
    const res = await postTransfers(t, token.body.accessToken, [transferRecord(contractId)]);
    expect(res.status).toBe(201);
    const [row] = await t.dataSource.query('SELECT submitted_by_organisation_id FROM transfer_records WHERE leaf_index = $1', [res.body.records[0].leafIndex]);
    expect(row.submitted_by_organisation_id).toBe(p.mainlandId);
  });

  it('counts logged records in the rollout figures per regime, processor sector and side, and refused batches not at all', async () => {
    const [{ sector, processor_jurisdiction: side }] = await t.dataSource.query(
      'SELECT sector, processor_jurisdiction FROM transfer_records WHERE contract_id = $1 LIMIT 1',
      [contractId],
    );
    const counted = async (): Promise<number> => {
      const res = await t.http.get('/rollout/stats').query({ regime: 'GBA_MAINLAND_HK' });
      expect(res.status).toBe(200);
      return res.body.sectors.find((r: any) => r.sector === sector && r.jurisdiction === side)?.transferRecords ?? 0;
    };
    const before = await counted();
    // Both parties log; the figures count the processor's sector and side either way.
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId), transferRecord(contractId)])).status).toBe(201);
    expect((await postTransfers(t, p.hongKong, [transferRecord(contractId)])).status).toBe(201);
    expect(await counted()).toBe(before + 4);
    // A malformed batch and a batch for a foreign contract append nothing and count nothing.
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId, { direction: 'SIDEWAYS' })])).status).toBe(400);
    expect((await postTransfers(t, p.outsider, [transferRecord(contractId)])).status).toBe(404);
    // A replay appends nothing and counts nothing.
    const key = `rollout-${Date.now()}`;
    const records = [transferRecord(contractId), transferRecord(contractId)];
    expect((await postTransfers(t, p.mainland, records, key)).status).toBe(201);
    expect((await postTransfers(t, p.mainland, records, key)).status).toBe(201);
    expect(await counted()).toBe(before + 6);
  });

  describe('refusals append nothing', () => {
    it('400 names records[i].field for a malformed record', async () => {
      const before = await rowCounts(t);
      const res = await postTransfers(t, p.mainland, [
        transferRecord(contractId),
        transferRecord(contractId, { direction: 'SIDEWAYS', payloadDigest: 'xyz', personalInformationCategories: ['NOT_A_CATEGORY'], extra: 1 }),
      ]);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining(['records[1].direction', 'records[1].payloadDigest', 'records[1].personalInformationCategories', 'records[1].extra']),
      );
      expect(fields.some((f: string) => f.startsWith('records[0]'))).toBe(false);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('400 for an empty batch, a batch over 10,000, and a local time without offset', async () => {
      expect((await postTransfers(t, p.mainland, [])).status).toBe(400);
      const tooMany = await postTransfers(t, p.mainland, Array.from({ length: 10_001 }, () => transferRecord(contractId)));
      expect(tooMany.status).toBe(400);
      const local = await postTransfers(t, p.mainland, [transferRecord(contractId, { occurredAt: '2025-01-25T03:00:00' })]);
      expect(local.status).toBe(400);
      expect(local.body.errors[0].field).toBe('records[0].occurredAt');
    });

    it('404 for the whole request when one contract is not the caller’s, or unknown', async () => {
      const before = await rowCounts(t);
      const res = await postTransfers(t, p.outsider, [transferRecord(contractId)]);
      expect(res.status).toBe(404);
      const mixed = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord('6f1c1a4e-0000-4000-8000-000000000000')]);
      expect(mixed.status).toBe(404);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('403 for regulators and administrators: they audit, they do not log', async () => {
      expect((await postTransfers(t, p.gdCac, [transferRecord(contractId)])).status).toBe(403);
      expect((await postTransfers(t, t.adminToken, [transferRecord(contractId)])).status).toBe(403);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response for the same key and body, in any member order', async () => {
      const records = [transferRecord(contractId), transferRecord(contractId, { purposes: ['marketing'] })];
      const first = await postTransfers(t, p.mainland, records, 'key-replay-1');
      expect(first.status).toBe(201);
      const before = await rowCounts(t);
      const reordered = records.map((r) => Object.fromEntries(Object.entries(r).reverse()));
      const again = await postTransfers(t, p.mainland, reordered, 'key-replay-1');
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('409 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
      await postTransfers(t, p.mainland, [transferRecord(contractId)], 'key-conflict-1');
      const before = await rowCounts(t);
      const res = await postTransfers(t, p.mainland, [transferRecord(contractId)], 'key-conflict-1');
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await rowCounts(t)).toEqual(before);
    });

    it('scopes keys by organisation', async () => {
      const a = await postTransfers(t, p.mainland, [transferRecord(contractId)], 'shared-key');
      const b = await postTransfers(t, p.hongKong, [transferRecord(contractId)], 'shared-key');
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body.records[0].leafIndex).not.toBe(a.body.records[0].leafIndex);
    });

    it('concurrent retries with one key append once', async () => {
      const records = [transferRecord(contractId), transferRecord(contractId)];
      const before = await rowCounts(t);
      const responses = await Promise.all(Array.from({ length: 4 }, () => postTransfers(t, p.mainland, records, 'key-race-1')));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      for (const r of responses) expect(r.body).toEqual(responses[0].body);
      expect((await rowCounts(t)).records).toBe(before.records + 2);
    });
  });
});

describe('GET /transfers, export and summary', () => {
  let t: TestApp;
  let p: Parties;
  let contractA: string;
  let contractB: string;
  let thirdParty: { id: string; token: string };
  const N = 230;

  beforeAll(async () => {
    t = await startTestApp();
    p = await setupParties(t);
    contractA = (await fileContract(t, p)).id;
    contractB = (await fileContract(t, p)).id;
    // A third organisation with its own contract, which p's parties must not see.
    const otherMainland = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'ZHUHAI' });
    const otherHk = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const filer = await t.user('ORG_FILER', { organisationId: otherMainland });
    thirdParty = { id: otherMainland, token: filer.token };
    const third = await t.http
      .post('/contracts')
      .set(...bearer(filer.token))
      .send({ ...(await import('../contracts/fixtures')).contractBody(otherMainland, otherHk) });
    expect(third.status).toBe(201);
    const records = Array.from({ length: N }, (_, i) =>
      transferRecord(i % 2 ? contractB : contractA, {
        occurredAt: new Date(Date.UTC(2025, 0, 25, 0, i)).toISOString(),
        purposes: i % 10 === 0 ? ['marketing'] : ['credit assessment'],
        personalInformationCategories: i % 3 === 0 ? ['BASIC_PROFILE', 'PROPERTY_FINANCIAL'] : ['BASIC_PROFILE'],
        externalReference: `ref "${i}", with comma\nand newline \\ backslash 灣區`,
      }),
    );
    expect((await postTransfers(t, p.mainland, records)).status).toBe(201);
    expect((await postTransfers(t, filer.token, [transferRecord(third.body.id)])).status).toBe(201);
  });
  afterAll(async () => t?.close());

  async function pageAll(token: string, query: string): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await t.http.get(`/transfers?${query}&limit=37${cursor ? `&cursor=${cursor}` : ''}`).set(...bearer(token));
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  it('pages a contract in (occurredAt, leafIndex) order with cursors', async () => {
    const items = await pageAll(p.gdCac, `contractId=${contractA}`);
    expect(items).toHaveLength(N / 2);
    expect(items.every((i) => i.contractId === contractA)).toBe(true);
    const keys = items.map((i) => `${i.occurredAt}|${String(i.leafIndex).padStart(10, '0')}`);
    expect(keys).toEqual([...keys].sort());
    expect(items[0]).toMatchObject({ processorId: p.mainlandId, recipientId: p.hongKongId, direction: 'MAINLAND_TO_HK', sector: 'BANKING' });
  });

  it('filters by flag, category, direction, time range, organisation and sector', async () => {
    expect(await pageAll(p.hkDpo, 'flag=PURPOSE_NOT_IN_SCOPE')).toHaveLength(N / 10);
    expect(await pageAll(p.hkDpo, 'category=PROPERTY_FINANCIAL')).toHaveLength(Math.ceil(N / 3));
    expect(await pageAll(p.hkDpo, 'direction=HK_TO_MAINLAND')).toHaveLength(0);
    const range = await pageAll(p.hkDpo, `from=2025-01-25T01:00:00Z&to=2025-01-25T02:00:00Z`);
    expect(range).toHaveLength(60);
    expect(await pageAll(p.hkDpo, `organisationId=${p.hongKongId}`)).toHaveLength(N);
    expect(await pageAll(p.hkDpo, `sector=HEALTHCARE`)).toHaveLength(0);
    expect(await pageAll(t.adminToken, 'sector=BANKING')).toHaveLength(N + 1);
  });

  it('filters flagged or clean records only, in the list and the export', async () => {
    // Every tenth record has a purpose outside the annex; the rest are clean.
    const flagged = await pageAll(p.hkDpo, `contractId=${contractA}&flagged=true`);
    expect(flagged).toHaveLength(N / 10);
    expect(flagged.every((i) => i.flags.length > 0)).toBe(true);
    const keys = flagged.map((i) => `${i.occurredAt}|${String(i.leafIndex).padStart(10, '0')}`);
    expect(keys).toEqual([...keys].sort());
    const clean = await pageAll(p.hkDpo, `contractId=${contractA}&flagged=false`);
    expect(clean).toHaveLength(N / 2 - N / 10);
    expect(clean.every((i) => i.flags.length === 0)).toBe(true);
    expect(await pageAll(p.hkDpo, 'flagged=true')).toHaveLength(N / 10);
    const exported = await t.http.get('/transfers/export?format=ndjson&flagged=true').set(...bearer(p.gdCac));
    expect(exported.status).toBe(200);
    const rows = exported.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(N / 10);
    expect(rows.every((r) => r.flags.includes('PURPOSE_NOT_IN_SCOPE'))).toBe(true);
    expect((await t.http.get('/transfers?flagged=yes').set(...bearer(p.hkDpo))).status).toBe(400);
  });

  it('parties see their own transfers only', async () => {
    expect(await pageAll(p.hongKong, 'direction=MAINLAND_TO_HK')).toHaveLength(N);
    expect(await pageAll(p.outsider, 'direction=MAINLAND_TO_HK')).toHaveLength(0);
    expect(await pageAll(thirdParty.token, 'direction=MAINLAND_TO_HK')).toHaveLength(1);
  });

  it('exports N rows as ndjson, each with its leaf index and exact leaf', async () => {
    const res = await t.http.get(`/transfers/export?format=ndjson&organisationId=${p.mainlandId}`).set(...bearer(p.gdCac));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = res.text.trimEnd().split('\n');
    expect(lines).toHaveLength(N);
    const rows = lines.map((l) => JSON.parse(l));
    expect(rows.map((r) => r.leafIndex)).toEqual([...rows.map((r) => r.leafIndex)].sort((a, b) => a - b));
    const leaf = JSON.parse(Buffer.from(rows[0].leaf, 'base64').toString('utf8'));
    expect(leaf.externalReference).toBe(rows[0].externalReference);
    expect(rows[0].externalReference).toContain('灣區');
  });

  it('exports N rows as csv', async () => {
    const res = await t.http.get(`/transfers/export?format=csv&contractId=${contractB}`).set(...bearer(p.mainland)).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    // Quoted fields may hold newlines: count records by leafIndex at line starts.
    const text = res.text;
    const header = text.slice(0, text.indexOf('\n'));
    expect(header.startsWith('leafIndex,contractId')).toBe(true);
    const records = text.slice(header.length + 1).match(/^\d+,[0-9a-f-]{36},/gm) ?? [];
    expect(records).toHaveLength(N / 2);
  });

  it('summarises a contract: totals, flag counts, first and last transfer', async () => {
    const res = await t.http.get(`/transfers/summary?contractId=${contractA}`).set(...bearer(p.hongKong));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      contractId: contractA,
      transfers: N / 2,
      dataSubjects: 120 * (N / 2),
      records: 480 * (N / 2),
      flaggedTransfers: N / 10,
      flags: { PURPOSE_NOT_IN_SCOPE: N / 10 },
      firstTransfer: { occurredAt: '2025-01-25T00:00:00.000Z' },
      lastTransfer: { occurredAt: new Date(Date.UTC(2025, 0, 25, 0, N - 2)).toISOString() },
    });
    expect((await t.http.get(`/transfers/summary?contractId=${contractA}`).set(...bearer(p.outsider))).status).toBe(404);
  });
});
