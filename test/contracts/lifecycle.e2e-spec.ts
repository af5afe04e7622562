// The whole filing lifecycle of a GBA Standard Contract (docs/rules.md, R2–R14).
import { bearer, startTestApp, TestApp } from '../support/app';
import { contractBody, fileContract, Parties, PDF, setupParties, startWithParties, termsOf, upload, uploadAll } from './fixtures';
import { reviewFiling, submitFiling } from './filings';

describe('contract lifecycle', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties()));
  afterAll(async () => t?.close());

  it('create, upload, submit both, return and resubmit, accept both, amend without and with re-filing, terminate', async () => {
    // The Hong Kong party's pilot enrolment, ENROLLED by the administrator, becomes ACTIVE on acceptance.
    const enrol = await t.http
      .post('/rollout/enrolments')
      .set(...bearer(p.hongKong))
      .send({ regime: 'GBA_MAINLAND_HK' });
    expect(enrol.status).toBe(201);
    const enrolled = await t.http
      .patch(`/rollout/enrolments/${enrol.body.id}`)
      .set(...bearer(t.adminToken))
      .send({ action: 'ENROL' });
    expect(enrolled.body.status).toBe('ENROLLED');

    // 1. Create (R2, R8): direction from the parties, two filings, each with its own authority and deadline.
    const created = await t.http
      .post('/contracts')
      .set(...bearer(p.mainland))
      .send(contractBody(p.mainlandId, p.hongKongId));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      version: 1,
      status: 'EFFECTIVE',
      direction: 'MAINLAND_TO_HK',
      regime: 'GBA_MAINLAND_HK',
      processorId: p.mainlandId,
      recipientId: p.hongKongId,
      effectiveDate: '2025-01-24',
      expiryDate: '2027-01-23',
    });
    expect(created.body.filings).toEqual([
      expect.objectContaining({
        party: 'processor',
        organisationId: p.mainlandId,
        authority: 'GD_CAC',
        authorityName: 'Cyberspace Administration of Guangdong Province',
        // Mainland: 2025 Spring Festival 1/28–2/4 with make-up days Sun 1/26 and Sat 2/8 (国办发明电〔2024〕12号).
        deadline: '2025-02-13',
        provisional: false,
        status: 'NOT_SUBMITTED',
        overdue: true,
        filingNumber: null,
      }),
      expect.objectContaining({
        party: 'recipient',
        organisationId: p.hongKongId,
        authority: 'HK_DPO',
        authorityName: 'Digital Policy Office (DPO)',
        // Hong Kong: Lunar New Year general holidays 1/29–1/31 2025 (gov.hk/en/about/abouthk/holiday/2025.htm).
        deadline: '2025-02-12',
        status: 'NOT_SUBMITTED',
      }),
    ]);

    // 2. Materials (R10): submitting without them is refused, listing what is missing.
    const early = await submitFiling(t, p.mainland, id, 'processor');
    expect(early.status).toBe(422);
    expect(early.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(early.body).toMatchObject({
      code: 'FILING_MATERIALS_MISSING',
      rule: 'R10',
      missing: ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT'],
    });

    const one = await upload(t, p.mainland, id, 'SIGNED_CONTRACT', PDF('signed contract'));
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({ kind: 'SIGNED_CONTRACT', size: PDF('signed contract').length });
    expect(one.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const partial = await submitFiling(t, p.mainland, id, 'processor');
    expect(partial.body.missing).toEqual(['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING']);
    await uploadAll(t, p.mainland, id);
    await uploadAll(t, p.hongKong, id);
    // The same bytes are stored once (content-addressed by SHA-256).
    const [{ n: blobs }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM document_blobs`);
    const [{ n: links }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contract_documents WHERE contract_id = $1`, [id]);
    expect(links).toBe(7);
    expect(blobs).toBe(4);

    // 3. Submit both.
    const submitted = await submitFiling(t, p.mainland, id, 'processor');
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', overdue: false });
    expect((await submitFiling(t, p.hongKong, id, 'recipient')).body.status).toBe('SUBMITTED');
    // Submitting twice is not a transition of the table.
    const twice = await submitFiling(t, p.hongKong, id, 'recipient');
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'SUBMITTED', to: 'SUBMITTED' });

    // 4. The DPO returns the HK filing with a reason (a reason is required); it is resubmitted.
    const noReason = await reviewFiling(t, p.hkDpo, id, 'recipient', { decision: 'RETURN' });
    expect(noReason.status).toBe(400);
    const returned = await reviewFiling(t, p.hkDpo, id, 'recipient', { decision: 'RETURN', reason: 'letter of undertaking is unsigned' });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ status: 'RETURNED', returnReason: 'letter of undertaking is unsigned', filingNumber: null });
    expect(returned.body.resubmissionDeadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const resubmitted = await submitFiling(t, p.hongKong, id, 'recipient');
    expect(resubmitted.body).toMatchObject({ status: 'SUBMITTED', resubmissionDeadline: null });

    // 5. Both accepted, each with a number of its authority's sequence for the year.
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const gd = await reviewFiling(t, p.gdCac, id, 'processor');
    expect(gd.status).toBe(200);
    expect(gd.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `GDCAC-GBA-${year}-000001` });
    const hk = await reviewFiling(t, p.hkDpo, id, 'recipient');
    expect(hk.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `HKDPO-GBA-${year}-000001` });
    const again = await reviewFiling(t, p.hkDpo, id, 'recipient');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', from: 'ACCEPTED' });

    // Acceptance activated the pilot enrolment in the same transaction.
    const enrolment = await t.http.get(`/rollout/enrolments/${enrol.body.id}`).set(...bearer(p.hongKong));
    expect(enrolment.body.status).toBe('ACTIVE');

    // 6. Amend without re-filing (R12: otherMatters and a shorter retention do not trigger).
    const base = termsOf(contractBody(p.mainlandId, p.hongKongId));
    const quiet = await t.http
      .post(`/contracts/${id}/amendments`)
      .set(...bearer(p.mainland))
      .send({ ...base, effectiveDate: '2025-06-01', annex: { ...(base.annex as object), otherMatters: 'contact point changed' } });
    expect(quiet.status).toBe(201);
    expect(quiet.body).toMatchObject({ version: 2, changedFields: ['effectiveDate', 'annex.otherMatters'], refilingRequired: false, filings: [] });
    expect(quiet.body.rule).toMatch(/^R12/);
    const afterQuiet = await t.http.get(`/contracts/${id}`).set(...bearer(p.hongKong));
    expect(afterQuiet.body.version).toBe(2);
    expect(afterQuiet.body.filings.map((f: { status: string; version: number }) => [f.version, f.status])).toEqual([
      [1, 'ACCEPTED'],
      [1, 'ACCEPTED'],
    ]);

    // 7. Amend with re-filing: a new purpose (R12 [C]); new filings with new deadlines for version 3.
    // The preview answers the same verdict and deadlines first, and writes nothing.
    const loudBody = { ...base, effectiveDate: '2025-09-26', annex: { ...(base.annex as object), purposes: ['credit assessment', 'fraud prevention'] } };
    const preview = await t.http
      .post(`/contracts/${id}/amendments/preview`)
      .set(...bearer(p.mainland))
      .send(loudBody);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      contractId: id,
      version: 3,
      changedFields: ['effectiveDate', 'annex.purposes', 'annex.otherMatters'],
      changes: [
        { field: 'effectiveDate', changes: ['EXTENDED', 'CHANGED'] },
        { field: 'annex.purposes', changes: ['ADDED', 'REMOVED', 'CHANGED'] },
        { field: 'annex.otherMatters', changes: ['CHANGED'] },
      ],
      refilingRequired: true,
      triggers: ['annex.purposes'],
      triggeredBy: [{ code: 'PURPOSE_ADDED', field: 'annex.purposes', change: 'ADDED', source: 'Law-firm summaries: Clyde & Co (May 2024)', confidence: 'C' }],
      refilingReason: expect.stringMatching(/^Re-filing required \(R12\).*PURPOSE_ADDED/),
      rule: expect.stringMatching(/^R12/),
      filings: [
        { party: 'processor', authority: 'GD_CAC', deadline: '2025-10-16', provisional: false },
        { party: 'recipient', authority: 'HK_DPO', deadline: '2025-10-14', provisional: false },
      ],
    });
    expect((await t.http.get(`/contracts/${id}`).set(...bearer(p.mainland))).body.version).toBe(2);
    // The terms of version 2 again: refused as the amendment would be (R12, nothing changes).
    const unchangedPreview = await t.http
      .post(`/contracts/${id}/amendments/preview`)
      .set(...bearer(p.mainland))
      .send({ ...base, effectiveDate: '2025-06-01', annex: { ...(base.annex as object), otherMatters: 'contact point changed' } });
    expect(unchangedPreview.status).toBe(422);
    expect(unchangedPreview.body).toMatchObject({ code: 'RULE_VIOLATION', rule: 'R12' });
    const recipientPreview = await t.http
      .post(`/contracts/${id}/amendments/preview`)
      .set(...bearer(p.hongKong))
      .send(loudBody);
    expect(recipientPreview.status).toBe(403);
    const loud = await t.http
      .post(`/contracts/${id}/amendments`)
      .set(...bearer(p.mainland))
      .send({ ...base, effectiveDate: '2025-09-26', annex: { ...(base.annex as object), purposes: ['credit assessment', 'fraud prevention'] } });
    expect(loud.status).toBe(201);
    expect(loud.body).toMatchObject({ version: 3, refilingRequired: true, triggers: ['annex.purposes'] });
    // Compared with version 2, whose otherMatters this body leaves out again.
    expect(loud.body.changedFields).toEqual(['effectiveDate', 'annex.purposes', 'annex.otherMatters']);
    expect(loud.body.filings).toEqual([
      expect.objectContaining({ party: 'processor', version: 3, deadline: '2025-10-16', status: 'NOT_SUBMITTED', filingNumber: null }),
      expect.objectContaining({ party: 'recipient', version: 3, deadline: '2025-10-14', status: 'NOT_SUBMITTED' }),
    ]);

    // Earlier versions stay readable; the latest one in force supersedes the rest.
    const versions = await t.http.get(`/contracts/${id}/versions`).set(...bearer(p.gdCac));
    expect(versions.status).toBe(200);
    expect(versions.body.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [1, 'SUPERSEDED'],
      [2, 'SUPERSEDED'],
      [3, 'IN_FORCE'],
    ]);
    const v1 = await t.http.get(`/contracts/${id}/versions/1`).set(...bearer(p.mainland));
    expect(v1.body).toMatchObject({ version: 1, effectiveDate: '2025-01-24', changedFields: [] });
    expect(v1.body.filings.map((f: { filingNumber: string }) => f.filingNumber)).toEqual([`GDCAC-GBA-${year}-000001`, `HKDPO-GBA-${year}-000001`]);
    expect((await t.http.get(`/contracts/${id}/versions/9`).set(...bearer(p.mainland))).status).toBe(404);

    // The new version's filing needs materials of its own version.
    const stale = await submitFiling(t, p.mainland, id, 'processor');
    expect(stale.body.code).toBe('FILING_MATERIALS_MISSING');

    // 8. Terminate (R13) by the recipient; an incident (R14); neither side's regulators are kept out.
    const terminated = await t.http
      .post(`/contracts/${id}/terminate`)
      .set(...bearer(p.hongKong))
      .send({ terminatedOn: '2025-10-31', reason: 'service ended' });
    expect(terminated.status).toBe(200);
    expect(terminated.body).toMatchObject({ status: 'TERMINATED', terminatedOn: '2025-10-31', terminationReason: 'service ended' });
    const amendLate = await t.http
      .post(`/contracts/${id}/amendments`)
      .set(...bearer(p.mainland))
      .send(base);
    expect(amendLate.status).toBe(422);
    expect(amendLate.body.code).toBe('CONTRACT_TERMINATED');
    const incident = await t.http
      .post(`/contracts/${id}/incidents`)
      .set(...bearer(p.mainland))
      .send({ occurredAt: '2025-11-02T03:00:00Z', description: 'misdirected e-mail with 3 statements', affectedDataSubjects: 3 });
    expect(incident.status).toBe(201);
    for (const regulator of [p.gdCac, p.hkDpo, p.pcpd]) {
      const seen = await t.http.get(`/contracts/${id}/incidents`).set(...bearer(regulator));
      expect(seen.body).toEqual([expect.objectContaining({ party: 'processor', affectedDataSubjects: 3 })]);
      expect((await t.http.get(`/contracts/${id}`).set(...bearer(regulator))).body.terminatedOn).toBe('2025-10-31');
    }

    // 9. History: every change, who and what, in order (as a party reads it: both sides' uploads; test/contracts/materials.e2e-spec.ts covers the others).
    const history = await t.http.get(`/contracts/${id}/history`).set(...bearer(p.mainland));
    expect(history.status).toBe(200);
    const actions = history.body.items.map((h: { action: string; party: string | null }) => `${h.action}${h.party ? ':' + h.party : ''}`);
    expect(actions).toEqual([
      'CONTRACT_CREATED',
      'FILING_CREATED:processor',
      'FILING_CREATED:recipient',
      ...Array(7)
        .fill(null)
        .map((_, i) => (i < 4 ? 'DOCUMENT_UPLOADED:processor' : 'DOCUMENT_UPLOADED:recipient')),
      'FILING_SUBMITTED:processor',
      'FILING_SUBMITTED:recipient',
      'FILING_RETURNED:recipient',
      'FILING_SUBMITTED:recipient',
      'FILING_ACCEPTED:processor',
      'FILING_ACCEPTED:recipient',
      'CONTRACT_AMENDED',
      'CONTRACT_AMENDED',
      'FILING_CREATED:processor',
      'FILING_CREATED:recipient',
      'CONTRACT_TERMINATED:recipient',
      'INCIDENT_REPORTED:processor',
    ]);
    const returnEntry = history.body.items.find((h: { action: string }) => h.action === 'FILING_RETURNED');
    expect(returnEntry).toMatchObject({
      fromStatus: 'SUBMITTED',
      toStatus: 'RETURNED',
      actor: { role: 'REGULATOR', authority: 'HK_DPO' },
      details: { reason: 'letter of undertaking is unsigned' },
    });
  });

  it('downloads a document for the parties and the reviewing regulator only', async () => {
    const contract = await fileContract(t, p);
    const up = await upload(t, p.hongKong, contract.id, 'SIGNED_CONTRACT', PDF('hk signed'));
    const path = `/contracts/${contract.id}/documents/${up.body.id}`;
    for (const token of [p.hongKong, p.mainland, p.hkDpo, p.pcpd]) {
      const res = await t.http
        .get(path)
        .set(...bearer(token))
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(Buffer.compare(res.body as Buffer, PDF('hk signed'))).toBe(0);
    }
    // The GD CAC reviews the Mainland party's filing, not this one; the PCPD audits the Hong Kong side, so reads it.
    for (const token of [p.gdCac, p.outsider]) expect((await t.http.get(path).set(...bearer(token))).status).toBe(404);
    const listed = await t.http.get(`/contracts/${contract.id}/documents`).set(...bearer(p.gdCac));
    expect(listed.body).toEqual([]);
  });

  it('refuses files that are not PDF, PNG or JPEG, and unknown kinds', async () => {
    const contract = await fileContract(t, p);
    const html = await upload(t, p.mainland, contract.id, 'SIGNED_CONTRACT', Buffer.from('<html>pdf, honest</html>'));
    expect(html.status).toBe(415);
    expect(html.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const kind = await upload(t, p.mainland, contract.id, 'SELFIE');
    expect(kind.status).toBe(400);
    expect(kind.body.errors[0].field).toBe('kind');
  });

  it('refuses a file over UPLOAD_LIMIT_BYTES with 413', async () => {
    const small = await startTestApp({ UPLOAD_LIMIT_BYTES: '2048' });
    try {
      const q = await setupParties(small);
      const contract = await fileContract(small, q);
      const big = Buffer.concat([PDF('big'), Buffer.alloc(4096, 0x20)]);
      const res = await upload(small, q.mainland, contract.id, 'SIGNED_CONTRACT', big);
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      const [{ n }] = await small.dataSource.query(`SELECT count(*)::int AS n FROM contract_documents`);
      expect(n).toBe(0);
    } finally {
      await small.close();
    }
  });
});
