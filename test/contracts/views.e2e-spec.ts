import { bearer, TestApp } from '../support/app';
import { contractBody, fileContract, Parties, startWithParties, termsOf } from './fixtures';

/** What a reader of a contract sees without a second lookup (the console relies on it). */
describe('contract views', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties('HEALTHCARE')));
  afterAll(async () => t?.close());

  it('names both parties and the processor sector, also to the other side’s regulator', async () => {
    const created = await fileContract(t, p);
    const read = await t.http.get(`/contracts/${created.id}`).set(...bearer(p.hkDpo));
    expect(read.status).toBe(200);
    expect(read.body.processorSector).toBe('HEALTHCARE');
    expect(read.body.processor).toMatchObject({ id: p.mainlandId, jurisdiction: 'MAINLAND', city: 'SHENZHEN', sector: 'HEALTHCARE' });
    expect(read.body.recipient).toMatchObject({
      id: p.hongKongId,
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HK_BRN',
      verificationStatus: 'UNVERIFIED',
    });
    expect(read.body.recipient.identifier).toMatch(/^\d{8}$/);
    expect(typeof read.body.processor.legalName).toBe('string');
    // The HK regulator still may not read the Mainland register entry itself.
    expect((await t.http.get(`/organisations/${p.mainlandId}`).set(...bearer(p.hkDpo))).status).toBe(404);
  });

  it('lists, per version, the fields that forced re-filing and the rule', async () => {
    const created = await fileContract(t, p);
    const base = termsOf(contractBody(p.mainlandId, p.hongKongId)) as { annex: Record<string, unknown> };
    const amended = await t.http
      .post(`/contracts/${created.id}/amendments`)
      .set(...bearer(p.mainland))
      .send({ ...base, annex: { ...base.annex, purposes: ['credit assessment', 'fraud prevention'], otherMatters: 'changed' } });
    expect(amended.status).toBe(201);
    const versions = await t.http.get(`/contracts/${created.id}/versions`).set(...bearer(p.mainland));
    expect(versions.status).toBe(200);
    const [first, second] = versions.body;
    expect(first).toMatchObject({ version: 1, triggers: [], rule: null });
    expect(second.version).toBe(2);
    expect(second.refilingRequired).toBe(true);
    expect(second.triggers).toEqual(['annex.purposes']);
    expect(second.changedFields).toEqual(expect.arrayContaining(['annex.purposes', 'annex.otherMatters']));
    expect(second.rule).toMatch(/R12/);
  });
});
