// Rules as data (docs/rules.md#rules-as-data): R12 re-filing by the triggers, R5 storage, R6 PIPIA before the first
// transfer, R15 whose sector; each changed by a SYSTEM_ADMIN through the API, and listed by GET /reference.
import { bearer, createOrganisation, TestApp } from '../support/app';
import { postTransfers, transferRecord } from '../transfers/support';
import { contractBody, fileContract, Parties, startWithParties, termsOf } from './fixtures';

describe('rules as data', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => {
    ({ t, p } = await startWithParties());
  });
  afterAll(async () => t?.close());

  const admin = () => bearer(t.adminToken);
  const putSetting = (code: string, body: Record<string, unknown>, token = t.adminToken) =>
    t.http
      .put(`/rules/settings/${code}`)
      .set(...bearer(token))
      .send(body);
  const putTrigger = (code: string, body: Record<string, unknown>) =>
    t.http
      .put(`/rules/refiling-triggers/${code}`)
      .set(...admin())
      .send(body);
  const amend = (id: string, annex: Record<string, unknown>, effectiveDate = '2025-06-01') => {
    const base = termsOf(contractBody(p.mainlandId, p.hongKongId));
    return t.http
      .post(`/contracts/${id}/amendments`)
      .set(...bearer(p.mainland))
      .send({ ...base, effectiveDate, annex: { ...(base.annex as object), ...annex } });
  };
  const filingsOf = async (id: string) => {
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM filings WHERE contract_id = $1', [id]);
    return n as number;
  };

  describe('R12: re-filing only when the amendment goes beyond the version it amends', () => {
    it('a narrowing amendment (a purpose removed) is recorded with refilingRequired false, the reason, and no new filings', async () => {
      const { id } = await fileContract(t, p);
      const res = await amend(id, { purposes: ['credit assessment'], sensitiveCategories: [] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        version: 2,
        changedFields: ['effectiveDate', 'annex.purposes', 'annex.sensitiveCategories'],
        changes: [
          { field: 'effectiveDate', changes: ['EXTENDED', 'CHANGED'] },
          { field: 'annex.purposes', changes: ['REMOVED', 'CHANGED'] },
          { field: 'annex.sensitiveCategories', changes: ['REMOVED', 'CHANGED'] },
        ],
        refilingRequired: false,
        triggers: [],
        triggeredBy: [],
        filings: [],
      });
      expect(res.body.refilingReason).toMatch(/^No re-filing \(R12\): the amendment does not go beyond the version it amends/);
      expect(await filingsOf(id)).toBe(2);

      // The version and the history keep the verdict and its reason.
      const v2 = await t.http.get(`/contracts/${id}/versions/2`).set(...bearer(p.hongKong));
      expect(v2.body).toMatchObject({ refilingRequired: false, triggers: [], triggeredBy: [], refilingReason: res.body.refilingReason });
      const history = await t.http.get(`/contracts/${id}/history`).set(...bearer(p.mainland));
      const amended = history.body.items.find((h: { action: string }) => h.action === 'CONTRACT_AMENDED');
      expect(amended.details).toMatchObject({ refilingRequired: false, triggeredBy: [], refilingReason: res.body.refilingReason });
    });

    it('a widening amendment (a purpose added) requires re-filing, naming the trigger and its source', async () => {
      const { id } = await fileContract(t, p);
      const res = await amend(id, { purposes: ['cross-boundary account opening', 'credit assessment', 'fraud prevention'] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        refilingRequired: true,
        triggers: ['annex.purposes'],
        triggeredBy: [
          { code: 'PURPOSE_ADDED', field: 'annex.purposes', change: 'ADDED', source: 'Law-firm summaries: Clyde & Co (May 2024)', confidence: 'C' },
        ],
      });
      expect(res.body.refilingReason).toMatch(/^Re-filing required \(R12\).*PURPOSE_ADDED/);
      expect(res.body.filings.map((f: { party: string; version: number }) => [f.party, f.version])).toEqual([
        ['processor', 2],
        ['recipient', 2],
      ]);
      expect(await filingsOf(id)).toBe(4);
      const v2 = await t.http.get(`/contracts/${id}/versions/2`).set(...bearer(p.gdCac));
      expect(v2.body).toMatchObject({
        refilingRequired: true,
        triggers: ['annex.purposes'],
        triggeredBy: [expect.objectContaining({ code: 'PURPOSE_ADDED' })],
      });
    });

    it('an administrator changing a trigger row changes the verdict; others may not, and a bad trigger is 400 naming the field', async () => {
      const { id } = await fileContract(t, p);
      // A stricter registry: removing a purpose now requires re-filing too.
      const added = await putTrigger('PURPOSE_REMOVED', {
        field: 'annex.purposes',
        change: 'REMOVED',
        source: 'assumption',
        confidence: 'A',
        labels: { en: 'Purpose removed', 'zh-Hant': '刪除處理目的', 'zh-Hans': '删除处理目的' },
      });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ code: 'PURPOSE_REMOVED', rule: 'R12', active: true, confirmed: false });
      const narrowed = await amend(id, { purposes: ['credit assessment'] });
      expect(narrowed.body).toMatchObject({
        refilingRequired: true,
        triggeredBy: [expect.objectContaining({ code: 'PURPOSE_REMOVED', source: 'assumption' })],
      });

      // And adding one no longer does, once PURPOSE_ADDED is switched off (labels kept).
      const off = await putTrigger('PURPOSE_ADDED', {
        field: 'annex.purposes',
        change: 'ADDED',
        active: false,
        source: 'Law-firm summaries: Clyde & Co (May 2024)',
        confidence: 'C',
      });
      expect(off.status).toBe(200);
      expect(off.body.labels).toEqual({ en: 'Purpose added', 'zh-Hant': '新增處理目的', 'zh-Hans': '新增处理目的' });
      const widened = await amend(id, { purposes: ['credit assessment', 'fraud prevention'] }, '2025-07-01');
      expect(widened.body).toMatchObject({ version: 3, refilingRequired: false, triggeredBy: [] });

      // Back as seeded, for the tests that follow.
      await putTrigger('PURPOSE_ADDED', {
        field: 'annex.purposes',
        change: 'ADDED',
        active: true,
        source: 'Law-firm summaries: Clyde & Co (May 2024)',
        confidence: 'C',
      });
      await putTrigger('PURPOSE_REMOVED', { field: 'annex.purposes', change: 'REMOVED', active: false, source: 'assumption', confidence: 'A' });

      const filer = await t.http
        .put('/rules/refiling-triggers/PURPOSE_ADDED')
        .set(...bearer(p.mainland))
        .send({ field: 'annex.purposes', change: 'ADDED', source: 'x', confidence: 'C' });
      expect(filer.status).toBe(403);
      const bad = await putTrigger('METHOD_ADDED', {
        field: 'annex.transferMethod',
        change: 'ADDED',
        source: 'assumption',
        confidence: 'A',
        labels: { en: 'a', 'zh-Hant': 'b', 'zh-Hans': 'c' },
      });
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'change', rule: 'R12' })]);
      const unlabelled = await putTrigger('NEW_ONE', { field: 'annex.transferMethod', change: 'CHANGED', source: 'assumption', confidence: 'A' });
      expect(unlabelled.status).toBe(400);
      expect(unlabelled.body.errors).toEqual([expect.objectContaining({ field: 'labels' })]);
    });
  });

  describe('R6: the PIPIA before the first transfer', () => {
    it('a contract whose PIPIA comes after its effective date is accepted; transfers before the PIPIA are logged and flagged PIPIA_AFTER_TRANSFER', async () => {
      const contract = await fileContract(t, p, { pipia: { completedOn: '2025-02-01' } });
      expect(contract.pipia.completedOn).toBe('2025-02-01');
      const res = await postTransfers(t, p.mainland, [
        transferRecord(contract.id, { occurredAt: '2025-01-25T03:00:00Z' }),
        // 2025-01-31T16:00:00Z is 2025-02-01 in the GBA: the day of the PIPIA counts as before it.
        transferRecord(contract.id, { occurredAt: '2025-01-31T16:00:00Z' }),
      ]);
      expect(res.status).toBe(201);
      expect(res.body.records.map((r: { flags: string[] }) => r.flags)).toEqual([['PIPIA_AFTER_TRANSFER'], []]);
      const stored = await t.dataSource.query('SELECT flags, leaf FROM transfer_records WHERE contract_id = $1 ORDER BY leaf_index', [contract.id]);
      expect(stored.map((r: { flags: string[] }) => r.flags)).toEqual([['PIPIA_AFTER_TRANSFER'], []]);
      expect(JSON.parse(stored[0].leaf.toString('utf8')).flags).toEqual(['PIPIA_AFTER_TRANSFER']);
      const flagged = await t.http.get(`/transfers?contractId=${contract.id}&flag=PIPIA_AFTER_TRANSFER`).set(...bearer(p.mainland));
      expect(flagged.status).toBe(200);
      expect(flagged.body.items).toHaveLength(1);
    });

    it('an administrator may make the rule stricter (PIPIA_BEFORE EFFECTIVE_DATE): the late PIPIA is then refused', async () => {
      const strict = await putSetting('PIPIA_BEFORE', { value: 'EFFECTIVE_DATE', source: 'assumption', confidence: 'A' });
      expect(strict.status).toBe(200);
      try {
        const res = await t.http
          .post('/contracts')
          .set(...bearer(p.mainland))
          .send(contractBody(p.mainlandId, p.hongKongId, { pipia: { completedOn: '2025-02-01' } }));
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'PIPIA_AFTER_EFFECTIVE', rule: 'R6' });
      } finally {
        await putSetting('PIPIA_BEFORE', { value: 'FIRST_TRANSFER', source: 'Law-firm summaries: Bird & Bird; longangz.com', confidence: 'C' });
      }
      expect(
        (
          await t.http
            .post('/contracts')
            .set(...bearer(p.mainland))
            .send(contractBody(p.mainlandId, p.hongKongId, { pipia: { completedOn: '2025-02-01' } }))
        ).status,
      ).toBe(201);
    });
  });

  describe('R5: the storage location, an assumption', () => {
    it('is refused outside the GBA by default, accepted once an administrator sets STORAGE_LOCATION to ALLOW', async () => {
      const body = contractBody(p.mainlandId, p.hongKongId, { annex: { storageLocation: { city: 'SINGAPORE' } } });
      const refused = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(body);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'STORAGE_OUTSIDE_GBA', rule: 'R5' });
      const bad = await putSetting('STORAGE_LOCATION', { value: 'SOMETIMES', source: 'assumption', confidence: 'A' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'value', rule: 'R5' })]);
      expect((await putSetting('NO_SUCH_RULE', { value: 'X', source: 'assumption', confidence: 'A' })).status).toBe(404);
      expect((await putSetting('STORAGE_LOCATION', { value: 'ALLOW', source: 'assumption', confidence: 'A' }, p.gdCac)).status).toBe(403);
      expect((await putSetting('STORAGE_LOCATION', { value: 'ALLOW', source: 'assumption', confidence: 'A' })).status).toBe(200);
      try {
        expect(
          (
            await t.http
              .post('/contracts')
              .set(...bearer(p.mainland))
              .send(body)
          ).status,
        ).toBe(201);
      } finally {
        await putSetting('STORAGE_LOCATION', { value: 'REFUSE', source: 'assumption', confidence: 'A' });
      }
    });
  });

  describe('R15: whose sector the rollout gate checks, an assumption', () => {
    it('is the processor’s by default; BOTH or RECIPIENT (for every regime, or for one) refuse a recipient whose sector had not opened', async () => {
      // Retail opened on 2024-11-01 (phase 2); banking on 2023-12-13 (phase 1).
      const retailId = await createOrganisation(t, { jurisdiction: 'HONG_KONG', sector: 'RETAIL' });
      const body = contractBody(p.mainlandId, retailId, { effectiveDate: '2024-06-03', pipia: { completedOn: '2024-06-01' } });
      const file = () =>
        t.http
          .post('/contracts')
          .set(...bearer(p.mainland))
          .send(body);
      expect((await file()).status).toBe(201);

      expect((await putSetting('SECTOR_GATE_PARTY', { value: 'BOTH', source: 'assumption', confidence: 'A' })).status).toBe(200);
      try {
        const both = await file();
        expect(both.status).toBe(422);
        expect(both.body).toMatchObject({ code: 'SECTOR_NOT_OPEN', rule: 'R15' });
        expect(both.body.detail).toContain("The recipient's sector was not open");
      } finally {
        await putSetting('SECTOR_GATE_PARTY', { value: 'PROCESSOR', source: 'assumption', confidence: 'A' });
      }
      expect((await file()).status).toBe(201);

      // A setting for one regime only: the Mainland–Hong Kong regime checks the recipient's sector.
      const regime = await putSetting('SECTOR_GATE_PARTY', { value: 'RECIPIENT', regime: 'GBA_MAINLAND_HK', source: 'assumption', confidence: 'A' });
      expect(regime.status).toBe(200);
      expect(regime.body).toMatchObject({
        code: 'SECTOR_GATE_PARTY',
        regime: 'GBA_MAINLAND_HK',
        value: 'RECIPIENT',
        labels: expect.objectContaining({ en: expect.any(String) }),
      });
      try {
        expect((await file()).body).toMatchObject({ code: 'SECTOR_NOT_OPEN' });
      } finally {
        await putSetting('SECTOR_GATE_PARTY', { value: 'PROCESSOR', regime: 'GBA_MAINLAND_HK', source: 'assumption', confidence: 'A' });
      }
    });
  });

  describe('GET /reference', () => {
    it('lists every data rule with its code, value, source, confirmed or assumed, in English and Chinese', async () => {
      const { body } = await t.http.get('/reference');
      const global = body.ruleSettings.filter((s: { regime: string | null }) => s.regime === null);
      expect(
        global.map((s: { code: string; value: string; source: string; confidence: string; confirmed: boolean }) => [
          s.code,
          s.value,
          s.source,
          s.confidence,
          s.confirmed,
        ]),
      ).toEqual([
        ['PIPIA_BEFORE', 'FIRST_TRANSFER', 'Law-firm summaries: Bird & Bird; longangz.com', 'C', true],
        ['SECTOR_GATE_PARTY', 'PROCESSOR', 'assumption', 'A', false],
        ['STORAGE_LOCATION', 'REFUSE', 'assumption', 'A', false],
      ]);
      expect(global.find((s: { code: string }) => s.code === 'SECTOR_GATE_PARTY')).toMatchObject({ rule: 'R15', values: ['PROCESSOR', 'RECIPIENT', 'BOTH'] });
      const triggers = body.refilingTriggers as { code: string; field: string; change: string; source: string; confidence: string; active: boolean }[];
      expect(triggers.filter((x) => x.active).map((x) => `${x.code} ${x.field} ${x.change} [${x.confidence}]`)).toEqual([
        'DATA_SUBJECT_CATEGORY_ADDED annex.dataSubjectCategories ADDED [A]',
        'ONWARD_RECIPIENT_ADDED annex.onwardRecipients ADDED [A]',
        'PERSONAL_INFORMATION_CATEGORY_ADDED annex.personalInformationCategories ADDED [C]',
        'PROCESSING_METHOD_ADDED annex.processingMethods ADDED [C]',
        'PURPOSE_ADDED annex.purposes ADDED [C]',
        'RETENTION_EXTENDED annex.retentionPeriod.to EXTENDED [A]',
        'SENSITIVE_CATEGORY_ADDED annex.sensitiveCategories ADDED [A]',
        'STORAGE_LOCATION_CHANGED annex.storageLocation.city CHANGED [A]',
        'TRANSFER_METHOD_CHANGED annex.transferMethod CHANGED [A]',
      ]);
      for (const entry of [...body.ruleSettings, ...body.refilingTriggers]) {
        expect(entry.source).toMatch(/^(assumption|Law-firm summaries: .+)$/);
        expect(entry.confirmed).toBe(entry.confidence === 'C');
        expect(Object.keys(entry.labels).sort()).toEqual(['en', 'zh-Hans', 'zh-Hant']);
        for (const label of Object.values(entry.labels)) expect((label as string).length).toBeGreaterThan(0);
      }
    });
  });
});
