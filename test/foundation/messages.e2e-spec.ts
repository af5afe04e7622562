/*
 * Messages a person can act on (docs/api.md#errors): a missing field is one message, one rule has one
 * wording wherever it is checked, a refused transition says what happened and what comes next
 * without offering what only the registry does, and a city code is accepted in any letter case.
 */
import { contractBody, fileContract, Parties, startWithContract, uploadAll } from '../contracts/fixtures';
import { reviewFiling, submitFiling } from '../contracts/filings';
import { bearer, nextUscc, TestApp } from '../support/app';
import { transferRecord } from '../transfers/support';

const INSTANT_MESSAGE = 'must be an RFC 3339 instant with Z or an offset, e.g. 2025-03-01T02:00:00Z';

/** A refused transition: 409 ILLEGAL_TRANSITION with what was refused and the sentence a person reads. */
function expectRefused(res: { status: number; body: unknown }, refusal: { from: string; action: string; detail: string; allowedActions?: string[] }): void {
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', ...refusal });
}

describe('messages a person can act on', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  beforeAll(async () => ({ t, p, contractId } = await startWithContract()));
  afterAll(async () => t?.close());

  describe('a missing field is one message', () => {
    it('an organisation without a city: "city is required", once', async () => {
      const res = await t.http
        .post('/organisations')
        .set(...bearer(t.adminToken))
        .send({ legalName: 'No City Ltd', jurisdiction: 'MAINLAND', identifierType: 'USCC', identifier: nextUscc(), sector: 'RETAIL' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'city', rule: 'required', message: 'city is required' }]);
      expect(res.body.detail).toBe('city: city is required');
    });

    it('a return without a reason: "reason is required", once', async () => {
      const res = await reviewFiling(t, p.gdCac, contractId, 'processor', { decision: 'RETURN' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'reason', rule: 'required', message: 'reason is required' }]);
    });

    it('a contract without its annex: one message for the annex, none for what it would hold', async () => {
      const { annex: _annex, ...body } = contractBody(p.mainlandId, p.hongKongId);
      const res = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'annex', rule: 'required', message: 'annex is required' }]);
    });

    it('a transfer record without its transfer method or digest: one message each', async () => {
      const { transferMethod: _m, payloadDigest: _d, ...record } = transferRecord(contractId);
      const res = await t.http
        .post('/transfers')
        .set(...bearer(p.mainland))
        .send({ records: [record] });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'records[0].transferMethod', rule: 'required', message: 'records[0].transferMethod is required' },
        { field: 'records[0].payloadDigest', rule: 'required', message: 'records[0].payloadDigest is required' },
      ]);
    });
  });

  describe('one rule, one wording', () => {
    it('instants: "must be an RFC 3339 instant…" for incidents, transfer records and the transfer filters', async () => {
      const incident = await t.http
        .post(`/contracts/${contractId}/incidents`)
        .set(...bearer(p.mainland))
        .send({ occurredAt: '2025-03-01 10:00', description: 'lost laptop', affectedDataSubjects: 3 });
      expect(incident.status).toBe(400);
      expect(incident.body.errors).toEqual([{ field: 'occurredAt', rule: 'isInstant', message: `occurredAt ${INSTANT_MESSAGE}` }]);

      const transfer = await t.http
        .post('/transfers')
        .set(...bearer(p.mainland))
        .send({ records: [transferRecord(contractId, { occurredAt: '2025-03-01 10:00' })] });
      expect(transfer.status).toBe(400);
      expect(transfer.body.errors).toEqual([{ field: 'records[0].occurredAt', rule: 'isInstant', message: `occurredAt ${INSTANT_MESSAGE}` }]);

      const filter = await t.http.get('/transfers?from=2025-03-01T10').set(...bearer(p.mainland));
      expect(filter.status).toBe(400);
      expect(filter.body.errors).toEqual([
        { field: 'from', rule: 'isInstantOrCalendarDate', message: `from ${INSTANT_MESSAGE}, or a calendar date written YYYY-MM-DD` },
      ]);
    });

    it('city codes: the same words for an organisation, an annex and a transfer record', async () => {
      const organisation = await t.http
        .post('/organisations')
        .set(...bearer(t.adminToken))
        .send({ legalName: 'Bad City Ltd', jurisdiction: 'MAINLAND', city: 'Shen Zhen', identifierType: 'USCC', identifier: nextUscc(), sector: 'RETAIL' });
      const annex = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId, { annex: { storageLocation: { city: 'Hong Kong' } } }));
      const transfer = await t.http
        .post('/transfers')
        .set(...bearer(p.mainland))
        .send({ records: [transferRecord(contractId, { onwardRecipient: { name: 'Bureau', city: 'Guang-zhou' } })] });
      const messages = [organisation, annex, transfer].map((r) => {
        expect(r.status).toBe(400);
        return (r.body.errors as { message: string }[])[0].message;
      });
      expect(messages).toEqual([
        'city must be a city code such as SHENZHEN or HONG_KONG (any letter case)',
        'city must be a city code such as SHENZHEN or HONG_KONG (any letter case)',
        'onwardRecipient.city must be a city code such as SHENZHEN or HONG_KONG (any letter case)',
      ]);
    });
  });

  describe('refused transitions read naturally', () => {
    it('a filing submitted twice, and one reviewed before it was submitted', async () => {
      const { id } = await fileContract(t, p, { effectiveDate: '2025-02-06' });
      await uploadAll(t, p.mainland, id);
      const first = await submitFiling(t, p.mainland, id, 'processor');
      expect(first.status).toBe(200);
      const twice = await submitFiling(t, p.mainland, id, 'processor');
      expectRefused(twice, {
        from: 'SUBMITTED',
        action: 'SUBMIT',
        detail: "the processor's filing is already submitted; it is now for the filing authority to accept or return it",
      });

      const early = await reviewFiling(t, p.hkDpo, id, 'recipient');
      expectRefused(early, {
        from: 'NOT_SUBMITTED',
        action: 'ACCEPT',
        detail: "the recipient's filing has not been submitted yet, so it cannot be accepted; it can be reviewed once the recipient submits it",
      });
    });

    it('an enrolment PATCH names what the caller can still do, never ACTIVATE (the registry does it)', async () => {
      const enrolment = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(p.hongKong))
        .send({ regime: 'GBA_MAINLAND_HK' });
      expect(enrolment.status).toBe(201);
      const enrol = () =>
        t.http
          .patch(`/rollout/enrolments/${enrolment.body.id}`)
          .set(...bearer(t.adminToken))
          .send({ action: 'ENROL' });
      expect((await enrol()).status).toBe(200);
      const again = await enrol();
      expectRefused(again, {
        from: 'ENROLLED',
        action: 'ENROL',
        allowedActions: ['WITHDRAW'],
        detail: 'the enrolment is already enrolled; it can only be withdrawn',
      });
      const withdrawn = await t.http
        .patch(`/rollout/enrolments/${enrolment.body.id}`)
        .set(...bearer(p.hongKong))
        .send({ action: 'WITHDRAW' });
      expect(withdrawn.status).toBe(200);
      const late = await t.http
        .patch(`/rollout/enrolments/${enrolment.body.id}`)
        .set(...bearer(t.adminToken))
        .send({ action: 'DECLINE' });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({
        allowedActions: [],
        detail: 'the enrolment was withdrawn, so it cannot be declined; it is final: an organisation that wants to try again registers a new enrolment',
      });
    });
  });

  describe('a city is accepted in any letter case, like identifiers', () => {
    it('an organisation in "shenzhen" is registered in SHENZHEN', async () => {
      const res = await t.http
        .post('/organisations')
        .set(...bearer(t.adminToken))
        .send({
          legalName: 'Lower Case City Ltd',
          jurisdiction: 'MAINLAND',
          city: ' shenzhen ',
          identifierType: 'USCC',
          identifier: nextUscc(),
          sector: 'RETAIL',
        });
      expect(res.status).toBe(201);
      expect(res.body.city).toBe('SHENZHEN');
      expect(await t.dataSource.query('SELECT city FROM organisations WHERE id = $1', [res.body.id])).toEqual([{ city: 'SHENZHEN' }]);
    });

    it("a contract's annex and a transfer record's onward recipient, upper-cased before the GBA rules (R5)", async () => {
      const contract = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(
          contractBody(p.mainlandId, p.hongKongId, {
            effectiveDate: '2025-02-07',
            annex: { storageLocation: { city: 'hong_kong' }, onwardRecipients: [{ name: 'Bay Credit Reference Centre', city: 'Guangzhou' }] },
          }),
        );
      expect(contract.status).toBe(201);
      expect(contract.body.annex).toMatchObject({
        storageLocation: { city: 'HONG_KONG' },
        onwardRecipients: [{ name: 'Bay Credit Reference Centre', city: 'GUANGZHOU' }],
      });

      const outside = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId, { annex: { storageLocation: { city: 'beijing' } } }));
      expect(outside.status).toBe(422);
      expect(outside.body.code).toBe('STORAGE_OUTSIDE_GBA');

      const transfer = await t.http
        .post('/transfers')
        .set(...bearer(p.mainland))
        .send({ records: [transferRecord(contract.body.id as string, { onwardRecipient: { name: 'Bureau', city: 'guangzhou' } })] });
      expect(transfer.status).toBe(201);
      const logged = await t.http.get(`/transfers?contractId=${contract.body.id}`).set(...bearer(p.mainland));
      expect(logged.body.items).toEqual([expect.objectContaining({ onwardRecipient: { name: 'Bureau', city: 'GUANGZHOU' } })]);
    });
  });
});
