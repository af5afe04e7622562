/*
 * A small, realistic registry for the console tests, made through the HTTP API only:
 * four organisations, three contracts (both directions, one amended twice), filings in
 * every state, materials, an incident, pilot enrolments and transfer records across
 * several months, some of them flagged.
 */
import { createHash } from 'node:crypto';
import { sampleTransfer } from '../../src/transfers/domain/sample-transfer.fixture';
import { bearer, createOrganisation, TestApp } from '../support/app';
import { contractBody, termsOf } from '../contracts/fixtures';
import { reviewFiling } from '../contracts/filings';

export interface ConsoleSeed {
  gdRegulator: { email: string; token: string };
  hkRegulator: { email: string; token: string };
  /** Mainland bank → Hong Kong credit bureau; both filings submitted, nothing reviewed. */
  bankContractId: string;
  /** Mainland hospital → Hong Kong clinic group; amended twice (re-filing, then not). */
  healthContractId: string;
  /** Hong Kong clinic group → Mainland hospital (HK_TO_MAINLAND); nothing submitted, both overdue. */
  reverseContractId: string;
  /** Leaf indexes of the records flagged ONWARD_RECIPIENT_OUTSIDE_GBA. */
  outsideGbaLeaves: number[];
  transferCount: number;
  names: { mainlandBank: string; hongKongBureau: string; mainlandHospital: string; hongKongClinics: string };
  /** The organisations' ids, by the same names. */
  organisations: { mainlandBank: string; hongKongBureau: string; mainlandHospital: string; hongKongClinics: string };
  /** Each organisation's filer (ORG_FILER), for the organisation's view. */
  filers: Record<'mainlandBank' | 'hongKongBureau' | 'mainlandHospital' | 'hongKongClinics', { email: string; token: string }>;
}

const PDF = (label: string): Buffer => Buffer.from(`%PDF-1.7\n% ${label}\n%%EOF\n`);
const REQUIRED_KINDS = ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT'];

function expectStatus(what: string, response: { status: number; body: unknown }, ...ok: number[]): void {
  if (!ok.includes(response.status)) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
}

/** The example terms (`contractBody` less the parties) from `effectiveDate`, with a PIPIA report digest of their own. */
export function terms(overrides: { effectiveDate: string; expiryDate?: string; annex?: Record<string, unknown>; pipia?: Record<string, unknown> }) {
  return termsOf(
    contractBody('', '', {
      effectiveDate: overrides.effectiveDate,
      expiryDate: overrides.expiryDate ?? '2028-12-31',
      annex: { retentionPeriod: { from: overrides.effectiveDate, to: '2030-12-31' }, ...(overrides.annex ?? {}) },
      pipia: { reportSha256: createHash('sha256').update(`pipia ${overrides.effectiveDate}`).digest('hex'), ...(overrides.pipia ?? {}) },
    }),
  ) as Record<string, unknown> & { annex: Record<string, unknown> };
}

let digestSequence = 0;
function record(contractId: string, occurredAt: string, direction: string, overrides: Record<string, unknown> = {}) {
  const n = ++digestSequence;
  return {
    contractId,
    occurredAt,
    ...sampleTransfer(),
    direction,
    dataSubjectCount: 40 + ((n * 37) % 400),
    recordCount: 120 + ((n * 91) % 2000),
    onwardRecipient: null,
    payloadDigest: createHash('sha256').update(`console dataset ${n}`).digest('hex'),
    externalReference: `console-batch-${String(n).padStart(4, '0')}`,
    ...overrides,
  };
}

/** The terms of a clinics → hospital contract (Hong Kong to Mainland, effective 2025-02-03): health data for continuity of care. */
export const clinicsTerms = () =>
  terms({
    effectiveDate: '2025-02-03',
    annex: {
      purposes: ['continuity of care'],
      personalInformationCategories: ['BASIC_PROFILE', 'HEALTH'],
      sensitiveCategories: ['MEDICAL_HEALTH'],
      onwardRecipients: [],
      storageLocation: { city: 'GUANGZHOU' },
    },
  });

export async function seedConsole(t: TestApp): Promise<ConsoleSeed> {
  const names = {
    mainlandBank: 'Shenzhen Bay Commercial Bank Co., Ltd.',
    hongKongBureau: 'Harbour Credit Reference Services Limited',
    mainlandHospital: 'Guangzhou Riverside Hospital',
    hongKongClinics: 'Kowloon Community Clinics Limited',
  };
  const mainlandBank = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN', sector: 'BANKING', legalName: names.mainlandBank });
  const hongKongBureau = await createOrganisation(t, {
    jurisdiction: 'HONG_KONG',
    city: 'HONG_KONG',
    sector: 'CREDIT_REFERENCING',
    legalName: names.hongKongBureau,
  });
  const mainlandHospital = await createOrganisation(t, {
    jurisdiction: 'MAINLAND',
    city: 'GUANGZHOU',
    sector: 'HEALTHCARE',
    legalName: names.mainlandHospital,
  });
  const hongKongClinics = await createOrganisation(t, { jurisdiction: 'HONG_KONG', city: 'HONG_KONG', sector: 'HEALTHCARE', legalName: names.hongKongClinics });

  const filer = async (organisationId: string) => {
    const user = await t.user('ORG_FILER', { organisationId });
    return { email: user.email, token: user.token };
  };
  const filers = {
    mainlandBank: await filer(mainlandBank),
    hongKongBureau: await filer(hongKongBureau),
    mainlandHospital: await filer(mainlandHospital),
    hongKongClinics: await filer(hongKongClinics),
  };
  const bank = filers.mainlandBank.token;
  const bureau = filers.hongKongBureau.token;
  const hospital = filers.mainlandHospital.token;
  const clinics = filers.hongKongClinics.token;
  const gd = await t.user('REGULATOR', { authority: 'GD_CAC', email: `gd-${Date.now()}@cac.gd.example` });
  const hk = await t.user('REGULATOR', { authority: 'HK_DPO', email: `hk-${Date.now()}@dpo.hk.example` });

  // Pilot enrolment: each organisation expresses interest; the administrator enrols three.
  for (const [token, enrol] of [
    [bank, true],
    [bureau, true],
    [hospital, true],
    [clinics, false],
  ] as const) {
    const res = await t.http
      .post('/rollout/enrolments')
      .set(...bearer(token))
      .send({ regime: 'GBA_MAINLAND_HK' });
    expectStatus('enrolment', res, 201);
    if (enrol)
      expectStatus(
        'enrol',
        await t.http
          .patch(`/rollout/enrolments/${res.body.id}`)
          .set(...bearer(t.adminToken))
          .send({ action: 'ENROL' }),
        200,
      );
  }

  const file = async (token: string, processorId: string, recipientId: string, body: ReturnType<typeof terms>) => {
    const res = await t.http
      .post('/contracts')
      .set(...bearer(token))
      .send({ processorId, recipientId, ...body });
    expectStatus('contract', res, 201);
    return res.body.id as string;
  };
  const uploadAndSubmit = async (token: string, contractId: string, party: 'processor' | 'recipient') => {
    for (const kind of REQUIRED_KINDS) {
      const res = await t.http
        .post(`/contracts/${contractId}/documents`)
        .set(...bearer(token))
        .field('kind', kind)
        .attach('file', PDF(`${kind} ${party}`), { filename: `${kind.toLowerCase()}.pdf`, contentType: 'application/pdf' });
      expectStatus(`upload ${kind}`, res, 201);
    }
    expectStatus(
      `submit ${party}`,
      await t.http
        .post(`/contracts/${contractId}/filings/${party}/submit`)
        .set(...bearer(token))
        .send({}),
      200,
      201,
    );
  };

  // Contract 1: bank → bureau, both filings submitted, awaiting review by each side.
  const bankContractId = await file(bank, mainlandBank, hongKongBureau, terms({ effectiveDate: '2025-01-24' }));
  await uploadAndSubmit(bank, bankContractId, 'processor');
  await uploadAndSubmit(bureau, bankContractId, 'recipient');
  expectStatus(
    'incident',
    await t.http
      .post(`/contracts/${bankContractId}/incidents`)
      .set(...bearer(bureau))
      .send({ occurredAt: '2025-04-02T06:30:00Z', description: 'A misdirected encrypted batch was recalled before decryption.', affectedDataSubjects: 12 }),
    201,
  );

  // Contract 2: hospital → clinics; the Hong Kong filing accepted by the DPO; amended twice.
  const healthTerms = terms({
    effectiveDate: '2025-03-03',
    annex: {
      purposes: ['continuity of care'],
      dataSubjectCategories: ['patients referred across the boundary'],
      personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY', 'HEALTH'],
      sensitiveCategories: ['MEDICAL_HEALTH'],
      onwardRecipients: [],
    },
  });
  const healthContractId = await file(hospital, mainlandHospital, hongKongClinics, healthTerms);
  await uploadAndSubmit(hospital, healthContractId, 'processor');
  await uploadAndSubmit(clinics, healthContractId, 'recipient');
  expectStatus('HK accept', await reviewFiling(t, hk.token, healthContractId, 'recipient'), 200, 201);
  expectStatus(
    'GD return',
    await reviewFiling(t, gd.token, healthContractId, 'processor', { decision: 'RETURN', reason: 'The letter of undertaking is unsigned.' }),
    200,
    201,
  );
  const amend = async (body: ReturnType<typeof terms>) =>
    expectStatus(
      'amendment',
      await t.http
        .post(`/contracts/${healthContractId}/amendments`)
        .set(...bearer(hospital))
        .send(body),
      201,
    );
  // Version 2 adds a purpose (R12: re-filing); version 3 only moves the expiry date.
  const v2 = terms({ ...healthTerms, effectiveDate: '2025-06-02', annex: { ...healthTerms.annex, purposes: ['continuity of care', 'clinical research'] } });
  await amend(v2);
  await amend({ ...v2, expiryDate: '2029-06-30' });

  // Contract 3: clinics → hospital (Hong Kong to Mainland); nothing submitted, both filings overdue.
  const reverseContractId = await file(clinics, hongKongClinics, mainlandHospital, clinicsTerms());

  // Transfer records, January to June 2025, both directions; some break their contract.
  const bankRecords = [];
  for (const [month, days] of [
    ['01', [27, 29]],
    ['02', [5, 12, 19]],
    ['03', [4, 18]],
    ['04', [1, 15, 29]],
    ['05', [6, 20]],
    ['06', [3, 17]],
  ] as const) {
    for (const day of days) bankRecords.push(record(bankContractId, `2025-${month}-${String(day).padStart(2, '0')}T02:00:00Z`, 'MAINLAND_TO_HK'));
  }
  bankRecords.push(
    record(bankContractId, '2025-03-11T09:15:00Z', 'MAINLAND_TO_HK', { onwardRecipient: { name: 'Northern Data Analytics Co.', city: 'BEIJING' } }),
    record(bankContractId, '2025-05-13T09:15:00Z', 'MAINLAND_TO_HK', { onwardRecipient: { name: 'Northern Data Analytics Co.', city: 'BEIJING' } }),
    record(bankContractId, '2025-04-08T01:00:00Z', 'MAINLAND_TO_HK', { purposes: ['marketing'] }),
  );
  const bankResult = await t.http
    .post('/transfers')
    .set(...bearer(bank))
    .set('Idempotency-Key', `console-bank-${Date.now()}`)
    .send({ records: bankRecords });
  expectStatus('bank transfers', bankResult, 201);
  const outsideGbaLeaves = (bankResult.body.records as Array<{ leafIndex: number; flags: string[] }>)
    .filter((r) => r.flags.includes('ONWARD_RECIPIENT_OUTSIDE_GBA'))
    .map((r) => r.leafIndex);

  const healthOverrides = {
    personalInformationCategories: ['BASIC_PROFILE', 'HEALTH'],
    sensitiveCategories: ['MEDICAL_HEALTH'],
    purposes: ['continuity of care'],
  };
  const healthRecords = ['2025-03-10', '2025-04-14', '2025-05-12', '2025-06-09', '2025-06-23'].map((d) =>
    record(healthContractId, `${d}T03:00:00Z`, 'MAINLAND_TO_HK', healthOverrides),
  );
  healthRecords.push(record(healthContractId, '2025-05-26T03:00:00Z', 'MAINLAND_TO_HK', { ...healthOverrides, separateConsentObtained: false }));
  expectStatus(
    'health transfers',
    await t.http
      .post('/transfers')
      .set(...bearer(hospital))
      .send({ records: healthRecords }),
    201,
  );

  const reverseRecords = ['2025-02-10', '2025-03-17', '2025-04-21', '2025-05-19', '2025-06-16'].map((d) =>
    record(reverseContractId, `${d}T05:00:00Z`, 'HK_TO_MAINLAND', { ...healthOverrides }),
  );
  expectStatus(
    'reverse transfers',
    await t.http
      .post('/transfers')
      .set(...bearer(clinics))
      .send({ records: reverseRecords }),
    201,
  );

  return {
    gdRegulator: { email: gd.email, token: gd.token },
    hkRegulator: { email: hk.email, token: hk.token },
    bankContractId,
    healthContractId,
    reverseContractId,
    outsideGbaLeaves,
    transferCount: bankRecords.length + healthRecords.length + reverseRecords.length,
    names,
    organisations: { mainlandBank, hongKongBureau, mainlandHospital, hongKongClinics },
    filers,
  };
}
