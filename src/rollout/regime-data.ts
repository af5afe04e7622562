// A regime's sides as data (docs/rules.md#r16): the authorities and their names over time (R8), each side's
// filing authority and windows (R8, R11) and its filing materials (R10). The tables are rollout's
// (rollout_authorities, rollout_authority_names, rollout_regime_sides, rollout_filing_materials); this file
// reads them and holds the shapes the pure rule functions take (src/contracts/domain).
import type { EntityManager } from 'typeorm';
import type { AuthorityPolicy } from '../access/policy';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface AuthorityNameData {
  /** The first date the name applies (1900-01-01: since always). */
  validFrom: IsoDate;
  en: string;
  zhHant: string;
  zhHans: string;
  source: string | null;
}

export interface AuthorityData {
  code: string;
  /** The side it supervises (R8: where its filings come from; R9: its calendar). */
  jurisdiction: string;
  /** Audits only (the PCPD): receives no filings, reviews none. */
  readOnly: boolean;
  /** R11: the prefix of the registry's filing numbers it issues; null when it receives no filings. */
  filingNumberPrefix: string | null;
  source: string | null;
  /** Ascending by `validFrom`. */
  names: AuthorityNameData[];
}

export interface MaterialData {
  kind: string;
  /** True when a published source lists it for this side; false when assumed (R10). */
  confirmed: boolean;
  source: string | null;
}

/** One side of a regime: where its parties file, within which windows, with which materials. */
export interface RegimeSideData {
  regime: string;
  jurisdiction: string;
  filingAuthority: string;
  /** R8: working days from the effective date to the filing deadline. */
  filingWorkingDays: number;
  /** R11: working days the authority has to review; null when none is published. */
  reviewWorkingDays: number | null;
  /** R11: working days from a return to the resubmission deadline. */
  resubmissionWorkingDays: number;
  source: string | null;
  /** R10: the materials by party type (ORGANISATION, INDIVIDUAL), in order. */
  materials: Record<string, MaterialData[]>;
}

export interface AuthorityCatalogue {
  authorities: ReadonlyMap<string, AuthorityData>;
}

interface AuthorityRow {
  code: string;
  jurisdiction: string;
  readOnly: boolean;
  filingNumberPrefix: string | null;
  source: string | null;
}
interface NameRow extends AuthorityNameData {
  authority: string;
}
type SideRow = Omit<RegimeSideData, 'materials'>;
interface MaterialRow extends MaterialData {
  regime: string;
  jurisdiction: string;
  partyType: string;
}

/**
 * Two reads: side by side on the pool, one after the other inside a transaction, whose single client runs one
 * query at a time (pg deprecates queueing a second query on a busy client).
 */
export async function readBoth<A, B>(m: EntityManager, first: () => Promise<A>, second: () => Promise<B>): Promise<[A, B]> {
  if (!m.queryRunner) return Promise.all([first(), second()]);
  const a = await first();
  return [a, await second()];
}

/** Every authority with its names. */
export async function readAuthorities(m: EntityManager): Promise<AuthorityCatalogue> {
  const [rows, names] = await readBoth(
    m,
    () =>
      m.query<AuthorityRow[]>(
        `SELECT code, jurisdiction, read_only AS "readOnly", filing_number_prefix AS "filingNumberPrefix", source FROM rollout_authorities ORDER BY code`,
      ),
    () =>
      m.query<NameRow[]>(
        `SELECT authority, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", name_en AS en, name_zh_hant AS "zhHant", name_zh_hans AS "zhHans", source
       FROM rollout_authority_names ORDER BY authority, valid_from`,
      ),
  );
  const authorities = new Map<string, AuthorityData>();
  for (const row of rows) authorities.set(row.code, { ...row, names: [] });
  for (const { authority, ...name } of names) authorities.get(authority)?.names.push(name);
  return { authorities };
}

/** The sides of the regimes named (all when `regimes` is null), with their materials, by regime then side. */
export async function readRegimeSides(m: EntityManager, regimes: readonly string[] | null): Promise<RegimeSideData[]> {
  const where = regimes ? 'WHERE regime_code = ANY($1)' : '';
  const params = regimes ? [regimes] : [];
  const [sides, materials] = await readBoth(
    m,
    () =>
      m.query<SideRow[]>(
        `SELECT regime_code AS regime, jurisdiction, filing_authority AS "filingAuthority", filing_working_days AS "filingWorkingDays",
              review_working_days AS "reviewWorkingDays", resubmission_working_days AS "resubmissionWorkingDays", source
       FROM rollout_regime_sides ${where} ORDER BY regime_code, jurisdiction`,
        params,
      ),
    () =>
      m.query<MaterialRow[]>(
        `SELECT regime_code AS regime, jurisdiction, party_type AS "partyType", kind, confirmed, source
       FROM rollout_filing_materials ${where} ORDER BY regime_code, jurisdiction, party_type, position, kind`,
        params,
      ),
  );
  return sides.map((side) => {
    const byType: Record<string, MaterialData[]> = {};
    for (const { regime, jurisdiction, partyType, ...material } of materials) {
      if (regime === side.regime && jurisdiction === side.jurisdiction) (byType[partyType] ??= []).push(material);
    }
    return { ...side, materials: byType };
  });
}

/** The access policy's view of the authorities (src/access/policy.ts `AuthorityPolicy`). */
export function authorityPolicies(catalogue: AuthorityCatalogue): Record<string, AuthorityPolicy> {
  return Object.fromEntries([...catalogue.authorities.values()].map((a) => [a.code, { side: a.jurisdiction, readOnly: a.readOnly }]));
}
