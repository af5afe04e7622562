/**
 * The rest of a contract's life through the API (docs/rules.md#r13, docs/rules.md#r14): a termination and an expiry
 * are notices in both sides' regulators' queues (GET /notices), acknowledged once by the authority addressed;
 * incidents record severity, remedial actions and the authorities notified, refused with the field named when
 * the facts do not hold; GET /incidents across the registry, scoped as contracts are; Appendix II on filing and
 * amending; each party's type in the contract views.
 */
import { bearer, createOrganisation, TestApp } from '../support/app';
import { eventually } from '../webhooks/receiver';
import { contractBody, contractRowCounts, macaoTerms, Parties, startWithParties, termsOf } from './fixtures';

/** Today in the Greater Bay Area (UTC+8), as the registry counts it. */
const gbaToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

interface Notice {
  id: string;
  contractId: string;
  kind: string;
  party: string;
  authority: string;
  side: string;
  endedOn: string;
  dueOn: string;
  provisional: boolean;
  overdue: boolean;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

describe('the rest of a contract’s life (R13, R14)', () => {
  let t: TestApp;
  let p: Parties;
  let moDspdp: string;
  let zhuhaiId: string;
  let macaoId: string;
  let zhuhai: string;
  let gdCacId: string;

  beforeAll(async () => {
    ({ t, p } = await startWithParties(undefined, { WEBHOOK_SCAN_INTERVAL_MS: '300', NOTICE_ACKNOWLEDGE_WORKING_DAYS: '5' }));
    const regulator = await t.user('REGULATOR', { authority: 'MO_DSPDP' });
    moDspdp = regulator.token;
    zhuhaiId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'ZHUHAI' });
    macaoId = await createOrganisation(t, { jurisdiction: 'MACAO' });
    zhuhai = (await t.user('ORG_FILER', { organisationId: zhuhaiId })).token;
    gdCacId = (await t.http.get('/auth/me').set(...bearer(p.gdCac))).body.id;
  }, 120_000);

  afterAll(async () => t?.close());

  async function file(token: string, body: Record<string, unknown>): Promise<string> {
    const res = await t.http
      .post('/contracts')
      .set(...bearer(token))
      .send(body);
    if (res.status !== 201) throw new Error(`file: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  const macaoBody = (overrides: Record<string, unknown> = {}) => contractBody(zhuhaiId, macaoId, { ...macaoTerms(), ...overrides });

  async function notices(token: string, query: Record<string, string> = {}): Promise<Notice[]> {
    const res = await t.http
      .get('/notices')
      .query(query)
      .set(...bearer(token));
    expect(res.status).toBe(200);
    return res.body.items;
  }

  describe('termination (R13)', () => {
    let contractId: string;

    beforeAll(async () => {
      contractId = await file(p.mainland, contractBody(p.mainlandId, p.hongKongId));
      const res = await t.http
        .post(`/contracts/${contractId}/terminate`)
        .set(...bearer(p.hongKong))
        .send({ terminatedOn: '2026-06-30', reason: 'service ended' });
      expect(res.status).toBe(200);
    });

    it('is a notice in each side’s regulators’ queue, with a due date from that side’s calendar', async () => {
      const mainland = (await notices(p.gdCac)).filter((n) => n.contractId === contractId);
      expect(mainland).toEqual([
        expect.objectContaining({ kind: 'TERMINATED', party: 'processor', authority: 'GD_CAC', side: 'MAINLAND', endedOn: '2026-06-30', acknowledgedAt: null }),
      ]);
      const hongKong = (await notices(p.hkDpo)).filter((n) => n.contractId === contractId);
      expect(hongKong).toEqual([
        expect.objectContaining({
          kind: 'TERMINATED',
          party: 'recipient',
          authority: 'HK_DPO',
          side: 'HONG_KONG',
          endedOn: '2026-06-30',
          acknowledgedAt: null,
        }),
      ]);
      // Five working days after today: later than today, never on it.
      for (const n of [...mainland, ...hongKong]) expect(n.dueOn > gbaToday()).toBe(true);
      // The PCPD audits the Hong Kong side: it sees the DPO's notice, not the Mainland's.
      expect((await notices(p.pcpd)).filter((n) => n.contractId === contractId).map((n) => n.authority)).toEqual(['HK_DPO']);
      // Both parties see both; the administrators too.
      for (const token of [p.mainland, p.hongKong, t.adminToken]) {
        expect((await notices(token, { contractId })).map((n) => n.authority)).toEqual(expect.arrayContaining(['GD_CAC', 'HK_DPO']));
      }
    });

    it('is not visible to an unrelated regulator or organisation', async () => {
      expect((await notices(moDspdp)).filter((n) => n.contractId === contractId)).toEqual([]);
      expect(await notices(p.outsider, { contractId })).toEqual([]);
    });

    it('is acknowledged once, by the authority it is addressed to', async () => {
      const [mainland] = await notices(p.gdCac, { contractId });
      const [hongKong] = await notices(p.hkDpo, { contractId });
      // Another side's regulator cannot see it; the read-only PCPD may see it but not acknowledge it; parties are not regulators.
      expect((await t.http.post(`/notices/${hongKong.id}/acknowledge`).set(...bearer(p.gdCac))).status).toBe(404);
      const pcpd = await t.http.post(`/notices/${hongKong.id}/acknowledge`).set(...bearer(p.pcpd));
      expect(pcpd.status).toBe(403);
      expect(pcpd.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await t.http.post(`/notices/${mainland.id}/acknowledge`).set(...bearer(p.mainland))).status).toBe(403);

      const acknowledged = await t.http.post(`/notices/${mainland.id}/acknowledge`).set(...bearer(p.gdCac));
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body).toMatchObject({ id: mainland.id, acknowledgedBy: gdCacId, overdue: false });
      expect(typeof acknowledged.body.acknowledgedAt).toBe('string');
      const again = await t.http.post(`/notices/${mainland.id}/acknowledge`).set(...bearer(p.gdCac));
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'CONFLICT', rule: 'R13' });

      expect((await notices(p.gdCac, { contractId, acknowledged: 'false' })).map((n) => n.id)).toEqual([]);
      expect((await notices(p.gdCac, { contractId, acknowledged: 'true' })).map((n) => n.id)).toEqual([mainland.id]);
      expect((await notices(p.hkDpo, { contractId, acknowledged: 'false' })).map((n) => n.id)).toEqual([hongKong.id]);
    });

    it('refuses an unknown notice with 404 and bad filters with 400 naming them', async () => {
      expect((await t.http.post('/notices/00000000-0000-4000-8000-000000000000/acknowledge').set(...bearer(p.gdCac))).status).toBe(404);
      const bad = await t.http
        .get('/notices')
        .query({ kind: 'ENDED' })
        .set(...bearer(p.gdCac));
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'kind' })]));
    });

    it('reaches the Macao regulator for a Mainland–Macao contract, and not the Hong Kong ones', async () => {
      const id = await file(zhuhai, macaoBody());
      const ended = await t.http
        .post(`/contracts/${id}/terminate`)
        .set(...bearer(zhuhai))
        .send({ terminatedOn: '2026-01-31', reason: 'ended' });
      expect(ended.status).toBe(200);
      expect((await notices(moDspdp, { contractId: id })).map((n) => [n.authority, n.side, n.party])).toEqual([['MO_DSPDP', 'MACAO', 'recipient']]);
      expect((await notices(p.gdCac, { contractId: id })).map((n) => n.authority)).toEqual(['GD_CAC']);
      expect(await notices(p.hkDpo, { contractId: id })).toEqual([]);
      expect(await notices(p.pcpd, { contractId: id })).toEqual([]);
    });

    it('writes nothing when the termination is refused', async () => {
      const before = await contractRowCounts(t);
      const refused = await t.http
        .post(`/contracts/${contractId}/terminate`)
        .set(...bearer(p.mainland))
        .send({ terminatedOn: '2026-07-31', reason: 'again' });
      expect(refused.status).toBe(422);
      expect(await contractRowCounts(t)).toEqual(before);
    });
  });

  it('an expiry found by the scan is a notice to each side, recorded once', async () => {
    const expired = await file(p.mainland, contractBody(p.mainlandId, p.hongKongId, { expiryDate: '2025-06-30' }));
    const expiryNotices = async (contractId: string) =>
      (await notices(t.adminToken, { contractId, kind: 'EXPIRED' })).map((n) => [n.authority, n.endedOn]).sort();
    await eventually(
      async () =>
        expect(await expiryNotices(expired)).toEqual([
          ['GD_CAC', '2025-06-30'],
          ['HK_DPO', '2025-06-30'],
        ]),
      30_000,
    );
    // A later scan (it found a second contract) records nothing more for the first.
    const later = await file(p.mainland, contractBody(p.mainlandId, p.hongKongId, { expiryDate: '2025-05-31' }));
    await eventually(async () => expect(await expiryNotices(later)).toHaveLength(2), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contract_notices WHERE contract_id = $1`, [expired]);
    expect(n).toBe(2);
    expect(await expiryNotices(expired)).toEqual([
      ['GD_CAC', '2025-06-30'],
      ['HK_DPO', '2025-06-30'],
    ]);
    // The webhook event for the same expiry is still recorded, once.
    const [{ events }] = await t.dataSource.query(`SELECT count(*)::int AS events FROM webhook_events WHERE once_key = $1`, [
      `contract.expired:${expired}:2025-06-30`,
    ]);
    expect(events).toBe(1);
    // Both regulators see their own side's expiry notice, the Macao regulator neither.
    expect((await notices(p.gdCac, { contractId: expired })).map((n) => n.authority)).toEqual(['GD_CAC']);
    expect((await notices(p.hkDpo, { contractId: expired })).map((n) => n.authority)).toEqual(['HK_DPO']);
    expect(await notices(moDspdp, { contractId: expired })).toEqual([]);
  }, 90_000);

  describe('incidents (R14)', () => {
    let hkContract: string;
    let macaoContract: string;
    const occurredAt = '2025-03-01T02:00:00Z';

    beforeAll(async () => {
      hkContract = await file(p.mainland, contractBody(p.mainlandId, p.hongKongId));
      macaoContract = await file(zhuhai, macaoBody());
    });

    const report = (token: string, contractId: string, body: Record<string, unknown>) =>
      t.http
        .post(`/contracts/${contractId}/incidents`)
        .set(...bearer(token))
        .send({ occurredAt, description: 'a laptop was lost', affectedDataSubjects: 12, ...body });

    it('records severity, remedial actions, when it was discovered and which authorities were notified when', async () => {
      const res = await report(p.mainland, hkContract, {
        severity: 'HIGH',
        discoveredAt: '2025-03-01T06:00:00Z',
        remedialActions: 'remote wipe; passwords reset',
        notifiedAuthorities: [
          { authority: 'GD_CAC', notifiedAt: '2025-03-02T01:00:00Z' },
          { authority: 'HK_PCPD', notifiedAt: '2025-03-02T03:00:00+08:00' },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        severity: 'HIGH',
        discoveredAt: '2025-03-01T06:00:00.000Z',
        remedialActions: 'remote wipe; passwords reset',
        notifiedAuthorities: [
          { authority: 'GD_CAC', notifiedAt: '2025-03-02T01:00:00.000Z' },
          { authority: 'HK_PCPD', notifiedAt: '2025-03-01T19:00:00.000Z' },
        ],
      });
      const listed = await t.http.get(`/contracts/${hkContract}/incidents`).set(...bearer(p.hkDpo));
      expect(listed.body).toEqual([res.body]);
      // A report without the new facts is still accepted, as before.
      const plain = await report(p.hongKong, hkContract, { occurredAt: '2025-04-01T00:00:00Z' });
      expect(plain.status).toBe(201);
      expect(plain.body).toMatchObject({ severity: null, remedialActions: null, discoveredAt: null, notifiedAuthorities: [] });
    });

    it('refuses facts that do not hold with 400 problem+json naming the field, and writes nothing', async () => {
      const before = await contractRowCounts(t);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ severity: 'SEVERE' }, 'severity'],
        [{ occurredAt: '2999-01-01T00:00:00Z' }, 'occurredAt'],
        [{ discoveredAt: '2025-02-28T00:00:00Z' }, 'discoveredAt'],
        [{ notifiedAuthorities: [{ authority: 'MO_DSPDP', notifiedAt: '2025-03-02T00:00:00Z' }] }, 'notifiedAuthorities[0].authority'],
        [{ notifiedAuthorities: [{ authority: 'GD_CAC', notifiedAt: '2999-03-02T00:00:00Z' }] }, 'notifiedAuthorities[0].notifiedAt'],
        [
          {
            notifiedAuthorities: [
              { authority: 'GD_CAC', notifiedAt: '2025-03-02T00:00:00Z' },
              { authority: 'GD_CAC', notifiedAt: '2025-03-03T00:00:00Z' },
            ],
          },
          'notifiedAuthorities[1].authority',
        ],
        [{ notifiedAuthorities: [{ authority: 'GD_CAC', notifiedAt: 'yesterday' }] }, 'notifiedAuthorities[0].notifiedAt'],
        [{ remedialActions: 'x'.repeat(5001) }, 'remedialActions'],
      ];
      for (const [body, field] of cases) {
        const res = await report(p.mainland, hkContract, body);
        expect([res.status, field]).toEqual([400, field]);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await contractRowCounts(t)).toEqual(before);
    });

    it('GET /incidents: each regulator the incidents of the contracts its authority may read, with filters and pages', async () => {
      const macao = await report(zhuhai, macaoContract, { severity: 'CRITICAL', occurredAt: '2025-12-20T01:00:00Z' });
      expect(macao.status).toBe(201);
      const list = async (token: string, query: Record<string, string> = {}) => {
        const res = await t.http
          .get('/incidents')
          .query(query)
          .set(...bearer(token));
        expect(res.status).toBe(200);
        return res.body as { items: Array<{ id: string; contractId: string; severity: string | null }>; nextCursor: string | null };
      };
      const contractsOf = async (token: string) => [...new Set((await list(token)).items.map((i) => i.contractId))].sort();
      expect(await contractsOf(p.gdCac)).toEqual([hkContract, macaoContract].sort());
      expect(await contractsOf(p.hkDpo)).toEqual([hkContract]);
      expect(await contractsOf(p.pcpd)).toEqual([hkContract]);
      expect(await contractsOf(moDspdp)).toEqual([macaoContract]);
      expect(await contractsOf(t.adminToken)).toEqual([hkContract, macaoContract].sort());
      expect((await t.http.get('/incidents').set(...bearer(p.mainland))).status).toBe(403);

      expect((await list(p.gdCac, { severity: 'CRITICAL' })).items.map((i) => i.id)).toEqual([macao.body.id]);
      expect((await list(p.gdCac, { from: '2025-12-01', to: '2025-12-31' })).items.map((i) => i.id)).toEqual([macao.body.id]);
      // GBA dates: 2025-03-01T02:00Z is 10:00 on 1 March in the GBA.
      expect((await list(p.gdCac, { from: '2025-03-01', to: '2025-03-01' })).items.map((i) => i.contractId)).toEqual([hkContract]);
      const badRange = await t.http
        .get('/incidents')
        .query({ from: '2025-12-31', to: '2025-01-01' })
        .set(...bearer(p.gdCac));
      expect(badRange.status).toBe(400);
      expect(badRange.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);

      const all = (await list(p.gdCac)).items.map((i) => i.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: string }>; nextCursor: string | null } = await list(p.gdCac, { limit: '1', ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(all.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('Appendix II and the parties’ type', () => {
    it('round-trips Appendix II through filing, the views and amendments', async () => {
      const appendix = '1. 雙方同意每年檢討本合同。\n2. The recipient reports quarterly.';
      const body = contractBody(p.mainlandId, p.hongKongId, { appendixII: appendix });
      const id = await file(p.mainland, body);
      const view = await t.http.get(`/contracts/${id}`).set(...bearer(p.hkDpo));
      expect(view.body).toMatchObject({ appendixII: appendix });
      expect(view.body.processor).toMatchObject({ id: p.mainlandId, partyType: 'ORGANISATION' });
      expect(view.body.recipient).toMatchObject({ id: p.hongKongId, partyType: 'ORGANISATION' });
      const listed = await t.http
        .get('/contracts')
        .query({ party: p.mainlandId, limit: '1000' })
        .set(...bearer(p.mainland));
      const summary = listed.body.items.find((c: { id: string }) => c.id === id);
      expect(summary.processor.partyType).toBe('ORGANISATION');
      expect(summary).not.toHaveProperty('appendixII');

      // Left out of an amendment: the amended version's Appendix II stays.
      const kept = await t.http
        .post(`/contracts/${id}/amendments`)
        .set(...bearer(p.mainland))
        .send({ ...termsOf(body), appendixII: undefined, expiryDate: '2027-06-30' });
      expect(kept.status).toBe(201);
      expect(kept.body.changedFields).toEqual(['expiryDate']);
      const changed = await t.http
        .post(`/contracts/${id}/amendments`)
        .set(...bearer(p.mainland))
        .send({ ...termsOf(body), expiryDate: '2027-06-30', appendixII: null });
      expect(changed.status).toBe(201);
      expect(changed.body).toMatchObject({ changedFields: ['appendixII'], refilingRequired: false });
      const versions = await t.http.get(`/contracts/${id}/versions`).set(...bearer(p.mainland));
      expect(versions.body.map((v: { appendixII: string | null }) => v.appendixII)).toEqual([appendix, appendix, null]);
      expect((await t.http.get(`/contracts/${id}/versions/2`).set(...bearer(p.gdCac))).body.appendixII).toBe(appendix);
      expect((await t.http.get(`/contracts/${id}`).set(...bearer(p.mainland))).body.appendixII).toBeNull();
    });

    it('refuses an Appendix II over the limit, naming the field', async () => {
      const res = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId, { appendixII: 'x'.repeat(20_001) }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'appendixII' })]));
    });
  });
});
