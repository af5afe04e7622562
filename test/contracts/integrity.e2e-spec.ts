// Review findings on the contracts module: regime sides (R16), backdated amendments (R12), filings
// stranded by a future re-filing (R8), strict dates, unclean text, paged lists, termination dates (R13).
import { bearer, createOrganisation, nextUscc, postOrganisation, TestApp } from '../support/app';
import { contractBody, contractRowCounts, fileContract, Parties, setupParties, startWithParties, termsOf, uploadAll } from './fixtures';
import { reviewFiling, submitFiling } from './filings';

const PROBLEM = /^application\/problem\+json/;

/** A 400 problem+json whose `errors` name `field`. */
function expectFieldError(res: { status: number; headers: Record<string, string>; body: { errors?: unknown } }, field: string): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: 400, type: expect.stringMatching(PROBLEM) });
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  // Nothing of the database leaks (these inputs were 500s with PostgreSQL's message).
  expect(JSON.stringify(res.body)).not.toMatch(/22P05|22P02|22021|invalid byte sequence|unsupported Unicode/i);
}

describe('contract integrity (review findings)', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties()));
  afterAll(async () => t?.close());

  describe('R16: the parties must be on the regime’s sides', () => {
    it('a Mainland RETAIL processor cannot file a Mainland→HK contract under GBA_MAINLAND_MACAO to bypass the R15 gate', async () => {
      const retail = await setupParties(t, 'RETAIL');
      // The seeded Mainland–Macao regime, all sectors from 2024-09-10 (migration 1795686100000).
      const dates = { effectiveDate: '2024-09-15', annex: { retentionPeriod: { from: '2024-09-15', to: '2029-09-14' } }, pipia: { completedOn: '2024-09-10' } };
      const before = await contractRowCounts(t);

      const macao = await t.http
        .post('/contracts')
        .set(...bearer(retail.mainland))
        .send(contractBody(retail.mainlandId, retail.hongKongId, { ...dates, regime: 'GBA_MAINLAND_MACAO' }));
      expect(macao.status).toBe(422);
      expect(macao.headers['content-type']).toMatch(PROBLEM);
      expect(macao.body).toMatchObject({ code: 'REGIME_SIDES_MISMATCH', rule: 'R16', errors: [expect.objectContaining({ field: 'regime', rule: 'R16' })] });

      // Under its own regime the R15 gate still refuses RETAIL before 2024-11-01.
      const hk = await t.http
        .post('/contracts')
        .set(...bearer(retail.mainland))
        .send(contractBody(retail.mainlandId, retail.hongKongId, dates));
      expect(hk.body).toMatchObject({ code: 'SECTOR_NOT_OPEN', rule: 'R15' });
      expect(await contractRowCounts(t)).toEqual(before);
    });
  });

  describe('R12: an amendment cannot take effect before the version it amends', () => {
    it('refuses an earlier effective date (422 AMENDMENT_BACKDATED) and keeps the versions as they were', async () => {
      const contract = await fileContract(t, p);
      const body = termsOf(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-01-20', annex: { transferMethod: 'SFTP' } }));
      const res = await t.http
        .post(`/contracts/${contract.id}/amendments`)
        .set(...bearer(p.mainland))
        .send(body);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        code: 'AMENDMENT_BACKDATED',
        rule: 'R12',
        errors: [expect.objectContaining({ field: 'effectiveDate' })],
        previousEffectiveDate: '2025-01-24',
      });
      const versions = await t.http.get(`/contracts/${contract.id}/versions`).set(...bearer(p.mainland));
      expect(versions.body).toHaveLength(1);

      // The same day as the previous version is allowed; then nothing earlier than it.
      const sameDay = termsOf(contractBody(p.mainlandId, p.hongKongId, { annex: { otherMatters: 'clarified' } }));
      expect(
        (
          await t.http
            .post(`/contracts/${contract.id}/amendments`)
            .set(...bearer(p.mainland))
            .send(sameDay)
        ).status,
      ).toBe(201);
      const later = termsOf(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-03-01', annex: { otherMatters: 'v3' } }));
      expect(
        (
          await t.http
            .post(`/contracts/${contract.id}/amendments`)
            .set(...bearer(p.mainland))
            .send(later)
        ).status,
      ).toBe(201);
      const backdated = termsOf(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-02-28', annex: { otherMatters: 'v4' } }));
      const refused = await t.http
        .post(`/contracts/${contract.id}/amendments`)
        .set(...bearer(p.mainland))
        .send(backdated);
      expect(refused.body).toMatchObject({ code: 'AMENDMENT_BACKDATED', previousEffectiveDate: '2025-03-01' });
    });
  });

  describe('R8: a re-filing amendment effective later does not strand the filings of the version in force', () => {
    it('the v1 filings stay in the overdue queue, and are submitted and accepted before v2’s', async () => {
      const q = await setupParties(t);
      const contract = await fileContract(t, q);
      const id = contract.id;
      // Re-filing (R12: purposes changed) for a version that takes effect in 2099.
      const future = termsOf(
        contractBody(q.mainlandId, q.hongKongId, {
          effectiveDate: '2099-01-05',
          expiryDate: null,
          annex: { purposes: ['credit assessment', 'fraud prevention'], retentionPeriod: { from: '2099-01-05', to: '2104-01-04' } },
        }),
      );
      const amended = await t.http
        .post(`/contracts/${id}/amendments`)
        .set(...bearer(q.mainland))
        .send(future);
      expect(amended.status).toBe(201);
      expect(amended.body).toMatchObject({ version: 2, refilingRequired: true });

      // The v1 filings (due February 2025) are overdue; the overdue queue still lists the contract.
      const queue = await t.http
        .get('/contracts')
        .query({ overdue: 'true', authority: 'GD_CAC', party: q.mainlandId })
        .set(...bearer(q.gdCac));
      expect(queue.status).toBe(200);
      expect(queue.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
      const notSubmitted = await t.http
        .get('/contracts')
        .query({ status: 'NOT_SUBMITTED', party: q.mainlandId })
        .set(...bearer(q.mainland));
      expect(notSubmitted.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
      const notOverdue = await t.http
        .get('/contracts')
        .query({ overdue: 'false', party: q.mainlandId })
        .set(...bearer(q.mainland));
      expect(notOverdue.body.items).toEqual([]);

      // Submit and accept the processor's v1 filing (the earliest open one).
      await uploadAll(t, q.mainland, id);
      const submitted = await submitFiling(t, q.mainland, id, 'processor');
      expect(submitted.status).toBe(200);
      expect(submitted.body).toMatchObject({ version: 1, party: 'processor', status: 'SUBMITTED' });
      const accepted = await reviewFiling(t, q.gdCac, id, 'processor');
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ version: 1, status: 'ACCEPTED', filingNumber: expect.any(String) });

      // The Guangdong side of the queue is clear now; the Hong Kong v1 filing is still overdue.
      const gdQueue = await t.http
        .get('/contracts')
        .query({ overdue: 'true', authority: 'GD_CAC', party: q.mainlandId })
        .set(...bearer(q.gdCac));
      expect(gdQueue.body.items).toEqual([]);
      const hkQueue = await t.http
        .get('/contracts')
        .query({ overdue: 'true', authority: 'HK_DPO', party: q.mainlandId })
        .set(...bearer(q.hkDpo));
      expect(hkQueue.body.items.map((c: { id: string }) => c.id)).toEqual([id]);

      // Next comes v2's processor filing; an explicit ?version= picks one, and names no other.
      const again = await submitFiling(t, q.mainland, id, 'processor');
      expect(again.body).toMatchObject({ version: 2, status: 'SUBMITTED' });
      const v1Again = await t.http.post(`/contracts/${id}/filings/processor/submit?version=1`).set(...bearer(q.mainland));
      expect(v1Again.status).toBe(409);
      expect((await t.http.post(`/contracts/${id}/filings/processor/submit?version=3`).set(...bearer(q.mainland))).status).toBe(404);
      expectFieldError(await t.http.post(`/contracts/${id}/filings/processor/submit?version=0`).set(...bearer(q.mainland)), 'version');

      // The Hong Kong party can still submit its v1 filing too; history records each version.
      await uploadAll(t, q.hongKong, id);
      const hkV1 = await t.http.post(`/contracts/${id}/filings/recipient/submit?version=1`).set(...bearer(q.hongKong));
      expect(hkV1.body).toMatchObject({ version: 1, status: 'SUBMITTED' });
      const history = await t.dataSource.query(
        `SELECT action, version, party FROM contract_history WHERE contract_id = $1 AND action IN ('FILING_SUBMITTED', 'FILING_ACCEPTED') ORDER BY id`,
        [id],
      );
      expect(history).toEqual([
        { action: 'FILING_SUBMITTED', version: 1, party: 'processor' },
        { action: 'FILING_ACCEPTED', version: 1, party: 'processor' },
        { action: 'FILING_SUBMITTED', version: 2, party: 'processor' },
        { action: 'FILING_SUBMITTED', version: 1, party: 'recipient' },
      ]);
    });
  });

  describe('dates: one strict calendar-date check and one strict instant check', () => {
    let contractId: string;
    beforeAll(async () => {
      contractId = (await fileContract(t, p)).id;
    });

    it('GET /contracts with an impossible date filter → 400 naming it (it was a 500 from PostgreSQL)', async () => {
      for (const [name, value] of [
        ['effectiveFrom', '2025-13-45'],
        ['effectiveTo', '2025-02-29'],
        ['effectiveFrom', '0000-01-01'],
      ]) {
        expectFieldError(
          await t.http
            .get('/contracts')
            .query({ [name]: value })
            .set(...bearer(p.gdCac)),
          name,
        );
      }
      expect(
        (
          await t.http
            .get('/contracts')
            .query({ effectiveFrom: '2024-02-29' })
            .set(...bearer(p.gdCac))
        ).status,
      ).toBe(200);
    });

    it('an incident whose occurredAt is not an RFC 3339 instant → 400 naming it (2025-W01 was an Invalid Date 500)', async () => {
      for (const occurredAt of ['2025-W01', '2025-03-01', '2025-03-01T02:00:00', '2025-02-30T00:00:00Z', '0000-06-01T00:00:00Z']) {
        const res = await t.http
          .post(`/contracts/${contractId}/incidents`)
          .set(...bearer(p.mainland))
          .send({ occurredAt, description: 'misdirected email', affectedDataSubjects: 1 });
        expectFieldError(res, 'occurredAt');
      }
      const ok = await t.http
        .post(`/contracts/${contractId}/incidents`)
        .set(...bearer(p.mainland))
        .send({ occurredAt: '2025-03-01T10:00:00+08:00', description: 'misdirected email', affectedDataSubjects: 1 });
      expect(ok.status).toBe(201);
      expect(ok.body.occurredAt).toBe('2025-03-01T02:00:00.000Z');
    });

    it('impossible calendar dates in bodies → 400 naming the field', async () => {
      expectFieldError(
        await t.http
          .post('/contracts')
          .set(...bearer(p.mainland))
          .send(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-02-29' })),
        'effectiveDate',
      );
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/amendments`)
          .set(...bearer(p.mainland))
          .send(termsOf(contractBody(p.mainlandId, p.hongKongId, { annex: { retentionPeriod: { from: '2025-01-24', to: '2030-02-30' } } }))),
        'annex.retentionPeriod.to',
      );
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/terminate`)
          .set(...bearer(p.mainland))
          .send({ terminatedOn: '2026-13-01', reason: 'x' }),
        'terminatedOn',
      );
    });
  });

  describe('free text that PostgreSQL cannot store as sent', () => {
    let contractId: string;
    beforeAll(async () => {
      contractId = (await fileContract(t, p)).id;
    });

    // Lone surrogates reach validation and are named; a NUL is refused as 400 either way (never a 500).
    const LONE = 'broken \uD800 text';
    const NUL = 'broken \u0000 text';

    it('contracts and amendments: annex and PIPIA text (the fast path falls through to full validation)', async () => {
      const before = await contractRowCounts(t);
      for (const [field, overrides] of [
        ['annex.purposes', { annex: { purposes: ['credit assessment', LONE] } }],
        ['annex.transferMethod', { annex: { transferMethod: LONE } }],
        ['annex.otherMatters', { annex: { otherMatters: '\uDC00' } }],
        ['annex.onwardRecipients[0].name', { annex: { onwardRecipients: [{ name: LONE, city: 'GUANGZHOU' }] } }],
        ['pipia.conclusion', { pipia: { conclusion: LONE } }],
        ['pipia.recipientSafeguards', { pipia: { recipientSafeguards: LONE } }],
      ] as const) {
        expectFieldError(
          await t.http
            .post('/contracts')
            .set(...bearer(p.mainland))
            .send(contractBody(p.mainlandId, p.hongKongId, overrides)),
          field,
        );
        expectFieldError(
          await t.http
            .post(`/contracts/${contractId}/amendments`)
            .set(...bearer(p.mainland))
            .send(termsOf(contractBody(p.mainlandId, p.hongKongId, overrides))),
          field,
        );
      }
      expectFieldError(
        await t.http
          .post('/contracts')
          .set(...bearer(p.mainland))
          .send(contractBody(p.mainlandId, p.hongKongId, { pipia: { conclusion: NUL } })),
        'pipia.conclusion',
      );
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/amendments`)
          .set(...bearer(p.mainland))
          .send(termsOf(contractBody(p.mainlandId, p.hongKongId, { annex: { dataSubjectCategories: [NUL] } }))),
        'annex.dataSubjectCategories[0]',
      );
      expect(await contractRowCounts(t)).toEqual(before);
    });

    it('termination reason, incident description, review reason', async () => {
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/terminate`)
          .set(...bearer(p.mainland))
          .send({ terminatedOn: '2026-01-31', reason: LONE }),
        'reason',
      );
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/terminate`)
          .set(...bearer(p.mainland))
          .send({ terminatedOn: '2026-01-31', reason: NUL }),
        'reason',
      );
      const incident = { occurredAt: '2025-03-01T02:00:00Z', affectedDataSubjects: 1 };
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/incidents`)
          .set(...bearer(p.mainland))
          .send({ ...incident, description: LONE }),
        'description',
      );
      expectFieldError(
        await t.http
          .post(`/contracts/${contractId}/incidents`)
          .set(...bearer(p.mainland))
          .send({ ...incident, description: NUL }),
        'description',
      );
      expectFieldError(await reviewFiling(t, p.gdCac, contractId, 'processor', { decision: 'RETURN', reason: LONE }), 'reason');
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contract_incidents WHERE contract_id = $1`, [contractId]);
      expect(n).toBe(0);
      const view = await t.http.get(`/contracts/${contractId}`).set(...bearer(p.mainland));
      expect(view.body.terminatedOn).toBeNull();
    });

    it('organisation names and service-account names', async () => {
      const org = { jurisdiction: 'MAINLAND', city: 'SHENZHEN', identifierType: 'USCC', sector: 'BANKING' };
      for (const field of ['legalName', 'legalNameZh'] as const) {
        expectFieldError(await postOrganisation(t, { ...org, identifier: nextUscc(), [field]: LONE }), field);
        expectFieldError(await postOrganisation(t, { ...org, identifier: nextUscc(), [field]: NUL }), field);
      }
      const orgId = await createOrganisation(t);
      const admin = (await t.user('ORG_ADMIN', { organisationId: orgId })).token;
      expectFieldError(
        await t.http
          .post(`/organisations/${orgId}/service-accounts`)
          .set(...bearer(admin))
          .send({ name: 'logger \uDFFF' }),
        'name',
      );
      expectFieldError(
        await t.http
          .post(`/organisations/${orgId}/service-accounts`)
          .set(...bearer(admin))
          .send({ name: NUL }),
        'name',
      );
    });
  });

  describe('a contract’s incidents and documents are paged (at most 1000 a page)', () => {
    it('limit and cursor, with the next cursor in X-Next-Cursor', async () => {
      const id = (await fileContract(t, p)).id;
      for (let i = 0; i < 3; i++) {
        await t.http
          .post(`/contracts/${id}/incidents`)
          .set(...bearer(p.mainland))
          .send({ occurredAt: `2025-03-0${i + 1}T02:00:00Z`, description: `incident ${i}`, affectedDataSubjects: i })
          .expect(201);
      }
      const first = await t.http
        .get(`/contracts/${id}/incidents`)
        .query({ limit: 2 })
        .set(...bearer(p.gdCac));
      expect(first.status).toBe(200);
      expect(first.body.map((i: { description: string }) => i.description)).toEqual(['incident 0', 'incident 1']);
      expect(first.headers['x-next-cursor']).toEqual(expect.any(String));
      const second = await t.http
        .get(`/contracts/${id}/incidents`)
        .query({ limit: 2, cursor: first.headers['x-next-cursor'] })
        .set(...bearer(p.gdCac));
      expect(second.body.map((i: { description: string }) => i.description)).toEqual(['incident 2']);
      expect(second.headers['x-next-cursor']).toBeUndefined();
      const all = await t.http.get(`/contracts/${id}/incidents`).set(...bearer(p.gdCac));
      expect(all.body).toHaveLength(3);
      expect(all.headers['x-next-cursor']).toBeUndefined();
      expectFieldError(
        await t.http
          .get(`/contracts/${id}/incidents`)
          .query({ limit: 1001 })
          .set(...bearer(p.gdCac)),
        'limit',
      );
      expectFieldError(
        await t.http
          .get(`/contracts/${id}/incidents`)
          .query({ cursor: 'not-a-cursor' })
          .set(...bearer(p.gdCac)),
        'cursor',
      );

      await uploadAll(t, p.mainland, id);
      const docs = await t.http
        .get(`/contracts/${id}/documents`)
        .query({ limit: 2 })
        .set(...bearer(p.mainland));
      expect(docs.body).toHaveLength(2);
      const rest = await t.http
        .get(`/contracts/${id}/documents`)
        .query({ cursor: docs.headers['x-next-cursor'] })
        .set(...bearer(p.mainland));
      expect(rest.body).toHaveLength(1);
      expect(new Set([...docs.body, ...rest.body].map((d: { kind: string }) => d.kind)).size).toBe(3);
      expect(rest.headers['x-next-cursor']).toBeUndefined();
      expectFieldError(
        await t.http
          .get(`/contracts/${id}/documents`)
          .query({ limit: 0 })
          .set(...bearer(p.mainland)),
        'limit',
      );
    });
  });

  describe('R13: the termination date', () => {
    it('cannot be before the contract took effect (422 TERMINATION_BEFORE_EFFECTIVE)', async () => {
      const id = (await fileContract(t, p)).id;
      const res = await t.http
        .post(`/contracts/${id}/terminate`)
        .set(...bearer(p.mainland))
        .send({ terminatedOn: '2025-01-23', reason: 'never mind' });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'TERMINATION_BEFORE_EFFECTIVE', rule: 'R13', errors: [expect.objectContaining({ field: 'terminatedOn' })] });
      const view = await t.http.get(`/contracts/${id}/history`).set(...bearer(p.mainland));
      expect(view.body.items.map((h: { action: string }) => h.action)).not.toContain('CONTRACT_TERMINATED');
    });

    it('may be in the future: EFFECTIVE until then, TERMINATED from that date', async () => {
      const id = (await fileContract(t, p)).id;
      const res = await t.http
        .post(`/contracts/${id}/terminate`)
        .set(...bearer(p.hongKong))
        .send({ terminatedOn: '2099-12-31', reason: 'notice given' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'EFFECTIVE', terminatedOn: '2099-12-31' });
      const terminated = await t.http
        .get('/contracts')
        .query({ contractStatus: 'TERMINATED', party: p.mainlandId, limit: 1000 })
        .set(...bearer(p.mainland));
      expect(terminated.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
      // On the day the contract took effect is the earliest date accepted.
      const other = (await fileContract(t, p)).id;
      const sameDay = await t.http
        .post(`/contracts/${other}/terminate`)
        .set(...bearer(p.mainland))
        .send({ terminatedOn: '2025-01-24', reason: 'x' });
      expect(sameDay.body).toMatchObject({ status: 'TERMINATED', terminatedOn: '2025-01-24' });
    });
  });
});
