/**
 * The Mainland–Macao Standard Contract (docs/rules.md#r16) through the API: a Zhuhai company and a
 * Macao company, each filing with its own side's authority (R8: GD_CAC and MO_DSPDP) by a deadline
 * in its own side's calendar (R9), reviewed by both regulators, transfers logged and flagged (R2, R5).
 */
import { bearer, createOrganisation, postOrganisation, startTestApp, TestApp } from '../support/app';
import { listTransfers, postTransfers, transferRecord } from '../transfers/support';
import { contractBody, macaoTerms, REQUIRED_KINDS, upload } from './fixtures';
import { calendarDeadline, reviewFiling, submitFiling } from './filings';

describe('Mainland–Macao contract (R1, R2, R8, R9, R16, R17)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  // Effective Mon 2025-12-15: Macao's government offices close on 12-24 and 12-25 (Christmas Eve and
  // Day, docs/rules.md#r9); the Mainland works through them.
  const EFFECTIVE = '2025-12-15';
  const terms = macaoTerms();

  it('registers a Macao company by its commercial registration number and refuses a wrong identifier, naming the field and rule', async () => {
    const good = await postOrganisation(t, {
      legalName: 'Companhia de Teste de Macau, Limitada',
      jurisdiction: 'MACAO',
      city: 'macao',
      identifierType: 'MO_CRN',
      identifier: ' 81234 ',
      sector: 'BANKING',
    });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ jurisdiction: 'MACAO', city: 'MACAO', identifierType: 'MO_CRN', identifier: '81234' });

    const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM organisations'))[0].n;
    const letters = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send({ legalName: 'Bad', jurisdiction: 'MACAO', city: 'MACAO', identifierType: 'MO_CRN', identifier: 'SO-123', sector: 'BANKING' });
    expect(letters.status).toBe(400);
    expect(letters.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(letters.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'identifier', rule: 'MO_CRN_ILLEGAL_CHARACTER' })]));
    const brn = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send({ legalName: 'Bad', jurisdiction: 'MACAO', city: 'MACAO', identifierType: 'HK_BRN', identifier: '12345678', sector: 'BANKING' });
    expect(brn.status).toBe(400);
    expect(brn.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'identifierType', rule: 'R17' })]));
    const wrongSide = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send({ legalName: 'Bad', jurisdiction: 'HONG_KONG', city: 'MACAO', identifierType: 'HK_BRN', identifier: '12345678', sector: 'BANKING' });
    expect(wrongSide.status).toBe(400);
    expect(wrongSide.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'city', rule: 'R1' })]));
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM organisations'))[0].n).toBe(before);
  });

  it('files a Zhuhai → Macao contract, reviewed by GD_CAC and MO_DSPDP, with Macao deadlines from Macao’s calendar, and logs flagged transfers', async () => {
    const zhuhaiId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'ZHUHAI', sector: 'BANKING' });
    const macaoId = await createOrganisation(t, { jurisdiction: 'MACAO', sector: 'BANKING' });
    const zhuhai = (await t.user('ORG_FILER', { organisationId: zhuhaiId })).token;
    const macao = (await t.user('ORG_ADMIN', { organisationId: macaoId })).token;
    const gdCac = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
    const dspdp = (await t.user('REGULATOR', { authority: 'MO_DSPDP' })).token;
    const hkDpo = (await t.user('REGULATOR', { authority: 'HK_DPO' })).token;

    const created = await t.http
      .post('/contracts')
      .set(...bearer(zhuhai))
      .send(contractBody(zhuhaiId, macaoId, terms));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ regime: 'GBA_MAINLAND_MACAO', direction: 'MAINLAND_TO_MACAO', processorId: zhuhaiId, recipientId: macaoId });

    const mainlandDeadline = await calendarDeadline(t, 'MAINLAND', EFFECTIVE, 10);
    const macaoDeadline = await calendarDeadline(t, 'MACAO', EFFECTIVE, 10);
    // Counted by hand: Mainland 12-16..12-19, 12-22..12-26, 12-29. Macao's calendar (src/calendar) closes
    // more days around Christmas and New Year, so the Macao party's deadline is later and the two differ.
    expect(mainlandDeadline).toBe('2025-12-29');
    expect(macaoDeadline > mainlandDeadline).toBe(true);
    expect(created.body.filings).toEqual([
      expect.objectContaining({ party: 'processor', organisationId: zhuhaiId, authority: 'GD_CAC', deadline: mainlandDeadline, status: 'NOT_SUBMITTED' }),
      expect.objectContaining({
        party: 'recipient',
        organisationId: macaoId,
        authority: 'MO_DSPDP',
        authorityName: 'Personal Data Protection Bureau (DSPDP)',
        deadline: macaoDeadline,
        status: 'NOT_SUBMITTED',
      }),
    ]);
    const stored = await t.dataSource.query('SELECT party, authority, deadline::text AS deadline FROM filings WHERE contract_id = $1 ORDER BY party', [id]);
    expect(stored).toEqual([
      { party: 'processor', authority: 'GD_CAC', deadline: mainlandDeadline },
      { party: 'recipient', authority: 'MO_DSPDP', deadline: macaoDeadline },
    ]);

    // Materials (R10) and submission by each party.
    for (const kind of REQUIRED_KINDS) {
      expect((await upload(t, zhuhai, id, kind)).status).toBe(201);
      expect((await upload(t, macao, id, kind)).status).toBe(201);
    }
    expect((await submitFiling(t, zhuhai, id, 'processor')).body.status).toBe('SUBMITTED');
    expect((await submitFiling(t, macao, id, 'recipient')).body.status).toBe('SUBMITTED');

    // Hong Kong's authority does not even see a Mainland–Macao contract; Macao's does not review the Mainland's filing.
    expect((await t.http.get(`/contracts/${id}`).set(...bearer(hkDpo))).status).toBe(404);
    expect((await reviewFiling(t, hkDpo, id, 'recipient')).status).toBe(404);
    expect((await reviewFiling(t, dspdp, id, 'processor')).status).toBe(404);
    // The DSPDP sees the contract in its queue.
    const queue = await t.http
      .get('/contracts')
      .set(...bearer(dspdp))
      .query({ authority: 'MO_DSPDP' });
    expect(queue.status).toBe(200);
    expect(JSON.stringify(queue.body)).toContain(id);

    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    const gd = await reviewFiling(t, gdCac, id, 'processor');
    expect(gd.status).toBe(200);
    expect(gd.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `GDCAC-GBA-${year}-000001` });
    const mo = await reviewFiling(t, dspdp, id, 'recipient');
    expect(mo.status).toBe(200);
    expect(mo.body).toMatchObject({ status: 'ACCEPTED', filingNumber: `MODSPDP-GBA-${year}-000001` });

    // Transfers (R2, R5): an onward recipient in Macao is inside the Greater Bay Area; one outside is flagged.
    const occurredAt = '2025-12-16T03:00:00Z';
    const res = await postTransfers(t, zhuhai, [
      transferRecord(id, { occurredAt, direction: 'MAINLAND_TO_MACAO', onwardRecipient: { name: 'Macao Credit Services Ltd', city: 'MACAO' } }),
      transferRecord(id, { occurredAt, direction: 'MACAO_TO_MAINLAND' }),
      transferRecord(id, { occurredAt, direction: 'MAINLAND_TO_MACAO', onwardRecipient: { name: 'Macao Credit Services Ltd', city: 'BEIJING' } }),
    ]);
    expect(res.status).toBe(201);
    expect(res.body.records.map((r: { flags: string[] }) => r.flags)).toEqual([
      [],
      ['DIRECTION_MISMATCH'],
      ['ONWARD_RECIPIENT_NOT_IN_ANNEX', 'ONWARD_RECIPIENT_OUTSIDE_GBA'],
    ]);
    const rows = await t.dataSource.query('SELECT direction, flags FROM transfer_records WHERE contract_id = $1 ORDER BY leaf_index', [id]);
    expect(rows).toEqual([
      { direction: 'MAINLAND_TO_MACAO', flags: [] },
      { direction: 'MACAO_TO_MAINLAND', flags: ['DIRECTION_MISMATCH'] },
      { direction: 'MAINLAND_TO_MACAO', flags: ['ONWARD_RECIPIENT_NOT_IN_ANNEX', 'ONWARD_RECIPIENT_OUTSIDE_GBA'] },
    ]);
    // The Macao regulator reads the transfers of its side's contract.
    const listed = await listTransfers(t, dspdp, { contractId: id });
    expect(listed.status).toBe(200);
  });

  it('refuses a Mainland–Hong Kong pair under the Mainland–Macao regime (R16) and writes nothing', async () => {
    const sz = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN' });
    const hk = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const filer = (await t.user('ORG_FILER', { organisationId: sz })).token;
    const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM contracts'))[0].n;
    const res = await t.http
      .post('/contracts')
      .set(...bearer(filer))
      .send(contractBody(sz, hk, terms));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'REGIME_SIDES_MISMATCH', rule: 'R16' });
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM contracts'))[0].n).toBe(before);
  });
});
