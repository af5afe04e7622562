// Every refusal of POST /contracts names its rule in problem+json (docs/rules.md: R1–R3, R5, R6, R15),
// and a refused request leaves no rows behind.
import { bearer, createOrganisation, TestApp } from '../support/app';
import { contractBody, contractRowCounts, Parties, startWithParties } from './fixtures';

describe('POST /contracts refusals', () => {
  let t: TestApp;
  let p: Parties;
  let secondMainlandId: string;
  let retailId: string;
  let retailToken: string;
  let beijingId: string;
  beforeAll(async () => {
    ({ t, p } = await startWithParties());
    secondMainlandId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'ZHUHAI' });
    retailId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'FOSHAN', sector: 'RETAIL' });
    retailToken = (await t.user('ORG_FILER', { organisationId: retailId })).token;
    // The API refuses to register an organisation outside the GBA (R1), so this one is written
    // directly, as data from before a move would be.
    const [row] = await t.dataSource.query(
      `INSERT INTO organisations (legal_name, jurisdiction, city, identifier_type, identifier, sector)
       VALUES ('Beijing Data Co', 'MAINLAND', 'BEIJING', 'USCC', '91110108551385082Q', 'BANKING') RETURNING id`,
    );
    beijingId = row.id;
  });
  afterAll(async () => t?.close());

  const post = (token: string, body: Record<string, unknown>) =>
    t.http
      .post('/contracts')
      .set(...bearer(token))
      .send(body);

  it.each([
    ['R3 important data', { importantDataIncluded: true }, 'IMPORTANT_DATA_DECLARED', 'R3', 'importantDataIncluded'],
    [
      'R5 onward recipient outside the GBA',
      {
        annex: {
          onwardRecipients: [
            { name: 'GZ Bureau', city: 'GUANGZHOU' },
            { name: 'Beijing Analytics', city: 'BEIJING' },
          ],
        },
      },
      'ONWARD_RECIPIENT_OUTSIDE_GBA',
      'R5',
      'annex.onwardRecipients[1].city',
    ],
    [
      'R5 storage outside the GBA (Shantou is in Guangdong, not in the Bay Area)',
      { annex: { storageLocation: { city: 'SHANTOU' } } },
      'STORAGE_OUTSIDE_GBA',
      'R5',
      'annex.storageLocation.city',
    ],
    ['expiry before effective', { expiryDate: '2025-01-23' }, 'EXPIRY_BEFORE_EFFECTIVE', 'CONSISTENCY', 'expiryDate'],
    [
      'retention period ending before it starts',
      { annex: { retentionPeriod: { from: '2025-01-24', to: '2024-01-23' } } },
      'RETENTION_PERIOD_INVALID',
      'CONSISTENCY',
      'annex.retentionPeriod.to',
    ],
    // R6: a PIPIA completed after the effective date is no longer refused (transfers before it are flagged
    // PIPIA_AFTER_TRANSFER): test/contracts/data-rules.e2e-spec.ts.
  ])('%s → 422', async (_, overrides, code, rule, field) => {
    const res = await post(p.mainland, contractBody(p.mainlandId, p.hongKongId, overrides));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code, rule });
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
  });

  it('R2: two Mainland parties → 422 SAME_SIDE_PARTIES', async () => {
    const res = await post(p.mainland, contractBody(p.mainlandId, secondMainlandId));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'SAME_SIDE_PARTIES', rule: 'R2' });
  });

  it('R1: a party outside the nine cities and Hong Kong → 422 PARTY_OUTSIDE_GBA', async () => {
    const token = (await t.user('ORG_ADMIN', { organisationId: beijingId })).token;
    const res = await post(token, contractBody(beijingId, p.hongKongId));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PARTY_OUTSIDE_GBA', rule: 'R1' });
  });

  it('R1: an unregistered recipient → 422 RULE_VIOLATION', async () => {
    const res = await post(p.mainland, contractBody(p.mainlandId, '5d7c3a9e-0000-4000-8000-000000000000'));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'RULE_VIOLATION', rule: 'R1' });
  });

  it('R15: a retail processor before the all-sector extension of 2024-11-01 → 422 SECTOR_NOT_OPEN; after it, accepted', async () => {
    const early = contractBody(retailId, p.hongKongId, {
      effectiveDate: '2024-10-31',
      expiryDate: null,
      annex: { retentionPeriod: { from: '2024-10-31', to: '2029-10-30' } },
      pipia: { completedOn: '2024-10-01' },
    });
    const refused = await post(retailToken, early);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'SECTOR_NOT_OPEN', rule: 'R15' });
    const accepted = await post(retailToken, { ...early, effectiveDate: '2024-11-01' });
    expect(accepted.status).toBe(201);
  });

  it('an impossible date or an unknown category → 400 naming the field', async () => {
    const date = await post(p.mainland, contractBody(p.mainlandId, p.hongKongId, { expiryDate: '2027-02-30' }));
    expect(date.status).toBe(400);
    expect(date.body.errors).toEqual([expect.objectContaining({ field: 'expiryDate' })]);
    const category = await post(p.mainland, contractBody(p.mainlandId, p.hongKongId, { annex: { sensitiveCategories: ['HOBBIES'] } }));
    expect(category.status).toBe(400);
    expect(category.body.code).toBe('VALIDATION_FAILED');
    expect(category.body.errors[0].field).toBe('annex.sensitiveCategories');
  });

  it('several broken rules are all listed; the first names the code', async () => {
    const res = await post(
      p.mainland,
      contractBody(p.mainlandId, p.hongKongId, { importantDataIncluded: true, annex: { storageLocation: { city: 'OTHER' } } }),
    );
    expect(res.body.code).toBe('IMPORTANT_DATA_DECLARED');
    expect(res.body.violations.map((v: { code: string }) => v.code)).toEqual(['IMPORTANT_DATA_DECLARED', 'STORAGE_OUTSIDE_GBA']);
  });

  it('none of the refused requests left a row behind', async () => {
    const counts = await contractRowCounts(t);
    // Only the one accepted retail contract of the R15 test: 1 contract, 1 version, 2 filings, 3 history rows.
    expect(counts).toMatchObject({ contracts: 1, contract_versions: 1, filings: 2, contract_history: 3 });
  });
});
