import type { ContractView } from '../../src/contracts/contract-views';
import { sampleTerms } from '../../src/contracts/domain/sample-terms.fixture';
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';

/** The smallest valid PDF header: the registry checks the magic bytes, not the document structure. */
export const PDF = (label: string): Buffer => Buffer.from(`%PDF-1.7\n% ${label}\n%%EOF\n`);
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

export const REQUIRED_KINDS = ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT'] as const;

export interface Parties {
  mainlandId: string;
  hongKongId: string;
  /** ORG_FILER of the Mainland organisation (the processor in `contractBody`). */
  mainland: string;
  hongKong: string;
  gdCac: string;
  hkDpo: string;
  pcpd: string;
  /** An ORG_ADMIN of an unrelated Mainland organisation. */
  outsider: string;
}

export async function setupParties(t: TestApp, sector = 'BANKING'): Promise<Parties> {
  const mainlandId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN', sector });
  const hongKongId = await createOrganisation(t, { jurisdiction: 'HONG_KONG', city: 'HONG_KONG', sector });
  const otherId = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'GUANGZHOU' });
  return {
    mainlandId,
    hongKongId,
    mainland: (await t.user('ORG_FILER', { organisationId: mainlandId })).token,
    hongKong: (await t.user('ORG_ADMIN', { organisationId: hongKongId })).token,
    gdCac: (await t.user('REGULATOR', { authority: 'GD_CAC' })).token,
    hkDpo: (await t.user('REGULATOR', { authority: 'HK_DPO' })).token,
    pcpd: (await t.user('REGULATOR', { authority: 'HK_PCPD' })).token,
    outsider: (await t.user('ORG_ADMIN', { organisationId: otherId })).token,
  };
}

/** `step(t)`, closing `t` if it throws, so a failed `beforeAll` leaves no app running. */
async function orClose<T>(t: TestApp, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** A fresh app (with `env`) and the parties of `setupParties`; the caller closes `t`. */
export async function startWithParties(sector?: string, env: Record<string, string> = {}): Promise<{ t: TestApp; p: Parties }> {
  const t = await startTestApp(env);
  return { t, p: await orClose(t, () => setupParties(t, sector)) };
}

/** `startWithParties` and one contract they filed (`fileContract`). */
export async function startWithContract(env: Record<string, string> = {}): Promise<{ t: TestApp; p: Parties; contractId: string }> {
  const { t, p } = await startWithParties(undefined, env);
  return { t, p, contractId: (await orClose(t, () => fileContract(t, p))).id };
}

/**
 * The example body of docs/api.md#example-post-contracts, Mainland processor → Hong Kong recipient: the domain tests'
 * `sampleTerms` with the example's onward recipient and PIPIA conclusion.
 */
export function contractBody(processorId: string, recipientId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { annex, pipia, ...rest } = overrides as { annex?: Record<string, unknown>; pipia?: Record<string, unknown> };
  const terms = sampleTerms();
  return {
    ...terms,
    processorId,
    recipientId,
    annex: { ...terms.annex, onwardRecipients: [{ name: 'Bay Credit Reference Centre', city: 'GUANGZHOU' }], ...(annex ?? {}) },
    pipia: { ...terms.pipia, conclusion: 'risks acceptable with listed measures', ...(pipia ?? {}) },
    ...rest,
  };
}

/** The amendment body: the contract body less the parties. */
/**
 * The terms of a Mainland–Macao contract (docs/rules.md#r16) for `contractBody`: effective Monday 2025-12-15, before
 * Macao's Christmas closures (R9), with an onward recipient in Macao.
 */
export function macaoTerms(): Record<string, unknown> {
  return {
    regime: 'GBA_MAINLAND_MACAO',
    effectiveDate: '2025-12-15',
    expiryDate: '2027-12-14',
    annex: {
      retentionPeriod: { from: '2025-12-15', to: '2030-12-14' },
      storageLocation: { city: 'MACAO' },
      onwardRecipients: [{ name: 'Macao Credit Services Ltd', city: 'MACAO' }],
    },
    pipia: { completedOn: '2025-12-01' },
  };
}

export function termsOf(body: Record<string, unknown>): Record<string, unknown> {
  const { processorId: _p, recipientId: _r, ...terms } = body;
  return terms;
}

export async function fileContract(t: TestApp, p: Parties, overrides: Record<string, unknown> = {}): Promise<ContractView> {
  const res = await t.http
    .post('/contracts')
    .set(...bearer(p.mainland))
    .send(contractBody(p.mainlandId, p.hongKongId, overrides));
  if (res.status !== 201) throw new Error(`fileContract: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function upload(t: TestApp, token: string, contractId: string, kind: string, content: Buffer = PDF(kind), name = 'doc.pdf') {
  return t.http
    .post(`/contracts/${contractId}/documents`)
    .set(...bearer(token))
    .field('kind', kind)
    .attach('file', content, { filename: name, contentType: 'application/pdf' });
}

export async function uploadAll(t: TestApp, token: string, contractId: string): Promise<void> {
  for (const kind of REQUIRED_KINDS) {
    const res = await upload(t, token, contractId, kind);
    if (res.status !== 201) throw new Error(`upload ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Row counts of every contracts-module table. */
export async function contractRowCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    'contracts',
    'contract_versions',
    'filings',
    'contract_history',
    'contract_documents',
    'document_blobs',
    'contract_incidents',
    'contract_notices',
    'filing_number_counters',
  ];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = n;
  }
  return out;
}
