/*
 * What a hostile filer meets at the edges of the contracts API: lists answer summaries of a bounded
 * size whatever a filer wrote (GET /contracts/:id keeps the whole terms), free text carries no
 * control character but tab and line breaks, and an amendment states every term (docs/api.md#free-text,
 * docs/rules.md#r12).
 */
import { randomUUID } from 'node:crypto';
import { bearer, postOrganisation, TestApp } from '../support/app';
import { contractBody, fileContract, Parties, startWithParties, termsOf } from './fixtures';
import { reviewFiling } from './filings';
import { transferRecord } from '../transfers/support';

/** `n` characters of text as long as the field allows, in Chinese with tabs and line breaks (3 bytes a character in UTF-8). */
const longText = (n: number): string => '灣區跨境\t個人信息\n'.repeat(Math.ceil(n / 10)).slice(0, n);

/** A contract body whose every free-text field is as long as the DTO allows (contract.dto.ts TEXT_LIMITS). */
function maximalBody(p: Parties, i: number): Record<string, unknown> {
  const list = (label: string) => Array.from({ length: 100 }, (_, k) => `${label} ${i}.${k} ${longText(480)}`);
  return contractBody(p.mainlandId, p.hongKongId, {
    annex: {
      purposes: list('purpose'),
      processingMethods: list('method'),
      dataSubjectCategories: list('subjects'),
      onwardRecipients: Array.from({ length: 100 }, (_, k) => ({ name: `${k} ${longText(290)}`, city: 'GUANGZHOU' })),
      transferMethod: longText(500),
      otherMatters: longText(5000),
    },
    pipia: {
      conclusion: longText(5000),
      lawfulnessAndNecessity: longText(5000),
      impactOnRights: longText(5000),
      recipientSafeguards: longText(5000),
    },
  });
}

/** What a list item may weigh at most: codes, dates, ids, two parties' names of 300 characters, the filings in force. */
const SUMMARY_BYTES = 4096;

describe('contracts at the edges', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties()));
  afterAll(async () => t?.close());

  const count = async (table: string): Promise<number> => (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  describe('GET /contracts answers summaries of a bounded size', () => {
    it('stays 200 and small for a page of 500 contracts filed with the longest text allowed; GET /contracts/:id keeps the terms', async () => {
      const filed: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await t.http
          .post('/contracts')
          .set(...bearer(p.mainland))
          .send(maximalBody(p, i));
        expect(res.status).toBe(201);
        filed.push(res.body.id as string);
      }
      // 490 more copies of those rows (each contract with its versions and filings), as if the filer had
      // filed 500: the text is the same, and filing it 490 more times through the API would only be slower.
      await t.dataSource.transaction(async (m) => {
        await m.query(
          `CREATE TEMP TABLE copies ON COMMIT DROP AS
             SELECT c.id AS old_id, gen_random_uuid() AS new_id, g FROM contracts c, generate_series(1, 49) g WHERE c.id = ANY($1::uuid[])`,
          [filed],
        );
        await m.query(
          `INSERT INTO contracts SELECT (jsonb_populate_record(NULL::contracts, to_jsonb(c) || jsonb_build_object('id', k.new_id, 'created_at', c.created_at + k.g * interval '1 second'))).*
             FROM contracts c JOIN copies k ON k.old_id = c.id`,
        );
        await m.query(
          `CREATE TEMP TABLE version_copies ON COMMIT DROP AS
             SELECT v.id AS old_id, k.new_id AS contract_id, gen_random_uuid() AS new_id FROM contract_versions v JOIN copies k ON k.old_id = v.contract_id`,
        );
        await m.query(
          `INSERT INTO contract_versions SELECT (jsonb_populate_record(NULL::contract_versions, to_jsonb(v) || jsonb_build_object('id', k.new_id, 'contract_id', k.contract_id))).*
             FROM contract_versions v JOIN version_copies k ON k.old_id = v.id`,
        );
        await m.query(
          `INSERT INTO filings SELECT (jsonb_populate_record(NULL::filings, to_jsonb(f) || jsonb_build_object('id', gen_random_uuid(), 'contract_id', k.contract_id, 'contract_version_id', k.new_id))).*
             FROM filings f JOIN version_copies k ON k.old_id = f.contract_version_id`,
        );
      });
      expect(await count('contracts')).toBe(500);

      for (const token of [p.gdCac, p.hkDpo, t.adminToken, p.mainland]) {
        const res = await t.http
          .get('/contracts?limit=500')
          .set(...bearer(token))
          .buffer(true);
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(500);
        expect(Buffer.byteLength(res.text)).toBeLessThan(500 * SUMMARY_BYTES);
        const [first] = res.body.items as Record<string, unknown>[];
        expect(first).toMatchObject({
          id: filed[0],
          status: 'EFFECTIVE',
          direction: 'MAINLAND_TO_HK',
          effectiveDate: '2025-01-24',
          expiryDate: '2027-01-23',
          processor: expect.objectContaining({ id: p.mainlandId }),
          recipient: expect.objectContaining({ id: p.hongKongId }),
          filings: [expect.objectContaining({ party: 'processor', authority: 'GD_CAC' }), expect.objectContaining({ party: 'recipient', authority: 'HK_DPO' })],
        });
        for (const hidden of ['annex', 'pipia', 'terminationReason']) expect(first).not.toHaveProperty(hidden);
        for (const filing of first.filings as object[]) expect(filing).not.toHaveProperty('returnReason');
      }

      const one = await t.http.get(`/contracts/${filed[3]}`).set(...bearer(p.gdCac));
      expect(one.status).toBe(200);
      expect(one.body.annex.purposes).toHaveLength(100);
      expect(one.body.annex.otherMatters).toBe(longText(5000));
      expect(one.body.pipia.conclusion).toBe(longText(5000));
    });
  });

  describe('GET /contracts/:id/versions answers pages of at most 20 versions', () => {
    it('pages a contract amended 22 times through X-Next-Cursor, each version with its terms and status', async () => {
      const { id } = await fileContract(t, p, { effectiveDate: '2025-02-08' });
      for (let n = 2; n <= 23; n++) {
        const res = await t.http
          .post(`/contracts/${id}/amendments`)
          .set(...bearer(p.mainland))
          .send(termsOf(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-06-01', annex: { otherMatters: `contact point ${n}` } })));
        expect(res.status).toBe(201);
      }
      const first = await t.http.get(`/contracts/${id}/versions`).set(...bearer(p.gdCac));
      expect(first.status).toBe(200);
      expect((first.body as { version: number }[]).map((v) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const cursor = first.headers['x-next-cursor'];
      expect(cursor).toEqual(expect.any(String));
      const second = await t.http
        .get(`/contracts/${id}/versions`)
        .query({ cursor })
        .set(...bearer(p.gdCac));
      expect(second.status).toBe(200);
      expect(second.headers['x-next-cursor']).toBeUndefined();
      expect(second.body).toEqual([
        expect.objectContaining({
          version: 21,
          status: 'SUPERSEDED',
          changedFields: ['annex.otherMatters'],
          annex: expect.objectContaining({ otherMatters: 'contact point 21' }),
        }),
        expect.objectContaining({ version: 22, status: 'SUPERSEDED', changedFields: ['annex.otherMatters'] }),
        expect.objectContaining({
          version: 23,
          status: 'IN_FORCE',
          changedFields: ['annex.otherMatters'],
          annex: expect.objectContaining({ otherMatters: 'contact point 23' }),
        }),
      ]);
      const small = await t.http.get(`/contracts/${id}/versions?limit=2`).set(...bearer(p.gdCac));
      expect((small.body as { version: number }[]).map((v) => v.version)).toEqual([1, 2]);
      expect((await t.http.get(`/contracts/${id}/versions?limit=21`).set(...bearer(p.gdCac))).status).toBe(400);
      const one = await t.http.get(`/contracts/${id}/versions/22`).set(...bearer(p.gdCac));
      expect(one.body).toMatchObject({ version: 22, status: 'SUPERSEDED', changedFields: ['annex.otherMatters'] });
      expect((await t.http.get(`/contracts/${id}/versions/24`).set(...bearer(p.gdCac))).status).toBe(404);
    });
  });

  describe('free text refuses control characters other than tab and line breaks', () => {
    let contractId: string;
    beforeAll(async () => {
      contractId = (await fileContract(t, p, { effectiveDate: '2025-02-03' })).id;
    });

    type Case = [label: string, send: () => Promise<{ status: number; body: { errors?: { field: string; rule: string; message: string }[] } }>, field: string];
    const C1 = 'Evil\u0001\u0001\u0001';
    const cases: Case[] = [
      [
        'an organisation name',
        () =>
          postOrganisation(t, {
            legalName: C1,
            jurisdiction: 'HONG_KONG',
            city: 'HONG_KONG',
            identifierType: 'HK_BRN',
            identifier: '55667788',
            sector: 'RETAIL',
          }),
        'legalName',
      ],
      [
        'a contract purpose',
        () =>
          t.http
            .post('/contracts')
            .set(...bearer(p.mainland))
            .send(contractBody(p.mainlandId, p.hongKongId, { annex: { purposes: ['credit assessment', `bell\u0007`] } })),
        'annex.purposes',
      ],
      [
        'other matters',
        () =>
          t.http
            .post('/contracts')
            .set(...bearer(p.mainland))
            .send(contractBody(p.mainlandId, p.hongKongId, { annex: { otherMatters: '\u0001'.repeat(5000) } })),
        'annex.otherMatters',
      ],
      [
        'an onward recipient',
        () =>
          t.http
            .post('/contracts')
            .set(...bearer(p.mainland))
            .send(contractBody(p.mainlandId, p.hongKongId, { annex: { onwardRecipients: [{ name: 'Esc\u001b[31m', city: 'GUANGZHOU' }] } })),
        'annex.onwardRecipients[0].name',
      ],
      [
        'a PIPIA conclusion',
        () =>
          t.http
            .post('/contracts')
            .set(...bearer(p.mainland))
            .send(contractBody(p.mainlandId, p.hongKongId, { pipia: { conclusion: 'form\u000cfeed' } })),
        'pipia.conclusion',
      ],
      [
        'an amendment',
        () =>
          t.http
            .post(`/contracts/${contractId}/amendments`)
            .set(...bearer(p.mainland))
            .send(termsOf(contractBody(p.mainlandId, p.hongKongId, { pipia: { impactOnRights: 'del\u007f' } }))),
        'pipia.impactOnRights',
      ],
      [
        'an incident',
        () =>
          t.http
            .post(`/contracts/${contractId}/incidents`)
            .set(...bearer(p.mainland))
            .send({ occurredAt: '2025-03-01T02:00:00Z', description: C1, affectedDataSubjects: 1 }),
        'description',
      ],
      [
        'a termination reason',
        () =>
          t.http
            .post(`/contracts/${contractId}/terminate`)
            .set(...bearer(p.mainland))
            .send({ terminatedOn: '2026-01-31', reason: C1 }),
        'reason',
      ],
      ['a review reason', () => reviewFiling(t, p.gdCac, contractId, 'processor', { decision: 'RETURN', reason: C1 }), 'reason'],
      [
        'a transfer purpose',
        () =>
          t.http
            .post('/transfers')
            .set(...bearer(p.mainland))
            .send({ records: [transferRecord(contractId, { purposes: ['credit assessment', 'x\u0002'] })] }),
        'records[0].purposes[1]',
      ],
      [
        'a transfer reference',
        () =>
          t.http
            .post('/transfers')
            .set(...bearer(p.mainland))
            .send({ records: [transferRecord(contractId, { externalReference: 'ref\u0085' })] }),
        'records[0].externalReference',
      ],
      [
        'a transfer onward recipient',
        () =>
          t.http
            .post('/transfers')
            .set(...bearer(p.mainland))
            .send({ records: [transferRecord(contractId, { onwardRecipient: { name: 'x\u0003', city: 'GUANGZHOU' } })] }),
        'records[0].onwardRecipient.name',
      ],
      [
        'a calendar override reason',
        () =>
          t.http
            .post('/calendar/overrides')
            .set(...bearer(t.adminToken))
            .send({ jurisdiction: 'HONG_KONG', date: '2025-07-21', kind: 'CLOSURE', reason: C1 }),
        'reason',
      ],
      [
        'an enrolment reason',
        () =>
          t.http
            .patch(`/rollout/enrolments/${randomUUID()}`)
            .set(...bearer(t.adminToken))
            .send({ action: 'DECLINE', reason: C1 }),
        'reason',
      ],
      [
        'a regime name',
        () =>
          t.http
            .post('/rollout/regimes')
            .set(...bearer(t.adminToken))
            .send({ code: 'GBA_TEST_REGIME', name: C1, sides: ['MAINLAND', 'MACAO'], opensOn: '2026-01-01' }),
        'name',
      ],
    ];

    it.each(cases)('%s: 400 naming the field and the rule, nothing written', async (_label, send, field) => {
      const before = await Promise.all(
        ['organisations', 'contracts', 'contract_versions', 'contract_incidents', 'contract_history', 'transfer_records'].map(count),
      );
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          field,
          rule: 'noControlCharacters',
          message: expect.stringMatching(/may not contain control characters other than tab and line breaks \(found U\+00[0-9A-F]{2}( in item \d+)?\)$/),
        },
      ]);
      expect(
        await Promise.all(['organisations', 'contracts', 'contract_versions', 'contract_incidents', 'contract_history', 'transfer_records'].map(count)),
      ).toEqual(before);
    });

    it('accepts tabs and line breaks (LF, CR and CRLF)', async () => {
      const res = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId, { annex: { otherMatters: 'first line\r\nsecond\tline\nthird\rfourth' } }));
      expect(res.status).toBe(201);
      expect(res.body.annex.otherMatters).toBe('first line\r\nsecond\tline\nthird\rfourth');
    });
  });

  describe('an amendment states every term', () => {
    it('refuses an amendment that leaves out expiryDate (400, one message), and writes nothing', async () => {
      const { id } = await fileContract(t, p, { effectiveDate: '2025-02-04' });
      const { expiryDate: _left, ...terms } = termsOf(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-03-01' }));
      const versions = await count('contract_versions');
      const res = await t.http
        .post(`/contracts/${id}/amendments`)
        .set(...bearer(p.mainland))
        .send(terms);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'expiryDate', rule: 'required', message: 'expiryDate is required' }] });
      expect(await count('contract_versions')).toBe(versions);
      const after = await t.http.get(`/contracts/${id}`).set(...bearer(p.mainland));
      expect(after.body).toMatchObject({ version: 1, expiryDate: '2027-01-23' });
    });

    it('removes the expiry with an explicit null', async () => {
      const { id } = await fileContract(t, p, { effectiveDate: '2025-02-05' });
      const res = await t.http
        .post(`/contracts/${id}/amendments`)
        .set(...bearer(p.mainland))
        .send(termsOf(contractBody(p.mainlandId, p.hongKongId, { effectiveDate: '2025-03-01', expiryDate: null })));
      expect(res.status).toBe(201);
      expect(res.body.changedFields).toEqual(['effectiveDate', 'expiryDate']);
      const after = await t.http.get(`/contracts/${id}`).set(...bearer(p.mainland));
      expect(after.body).toMatchObject({ version: 2, expiryDate: null });
    });

    it('documents expiryDate as required (and nullable) for amendments, optional for POST /contracts', async () => {
      const doc = (await t.http.get('/openapi.json')).body as { components: { schemas: Record<string, { required?: string[] }> } };
      expect(doc.components.schemas.ContractTermsDto.required).toContain('expiryDate');
      expect(doc.components.schemas.CreateContractDto.required).not.toContain('expiryDate');
    });
  });
});
