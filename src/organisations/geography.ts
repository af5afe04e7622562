// The sides of the boundary as data (docs/rules.md#r16, docs/rules.md#r1, docs/rules.md#r17): jurisdictions with
// their direction codes, their cities, and the identifier schemes their parties use. The tables are the
// organisations module's (organisation_jurisdictions, organisation_cities, organisation_identifier_schemes); the
// pure functions of gba.ts and party-rules.ts take a `Geography` read from them. `SEEDED_GEOGRAPHY` is what the
// migration seeds, built from gba.ts's code lists, for the unit tests and before the data is read.
import type { EntityManager } from 'typeorm';
import { CITY_LABELS, IDENTIFIER_TYPE_LABELS, IDENTIFIER_TYPES, JURISDICTION_LABELS, JURISDICTIONS, Labels, PERSONAL_IDENTIFIER_TYPES, SIDES } from './gba';

export interface JurisdictionData {
  code: string;
  /** The short code in direction values (MAINLAND_TO_HK). */
  directionCode: string;
  labels: Labels;
  source: string | null;
}

export interface CityData {
  code: string;
  jurisdiction: string;
  labels: Labels;
}

export interface IdentifierSchemeData {
  code: string;
  /** ORGANISATION or INDIVIDUAL. */
  partyType: string;
  /** The side whose parties use it; null: any side (an individual's identity document). */
  jurisdiction: string | null;
  /** A regular expression the whole (trimmed, upper-cased) identifier must match; null: checked by code (identifiers.ts). */
  format: string | null;
  labels: Labels;
  source: string | null;
}

export interface Geography {
  jurisdictions: ReadonlyMap<string, JurisdictionData>;
  cities: ReadonlyMap<string, CityData>;
  schemes: ReadonlyMap<string, IdentifierSchemeData>;
}

const byCode = <T extends { code: string }>(rows: readonly T[]): ReadonlyMap<string, T> => new Map(rows.map((r) => [r.code, r]));

/** What migration 1795688200001 seeds: the three sides of gba.ts, their cities and identifier schemes. */
export const SEEDED_GEOGRAPHY: Geography = {
  jurisdictions: byCode(JURISDICTIONS.map((code) => ({ code, directionCode: SIDES[code].directionCode, labels: JURISDICTION_LABELS[code], source: null }))),
  cities: byCode(JURISDICTIONS.flatMap((j) => SIDES[j].cities.map((code) => ({ code, jurisdiction: j, labels: CITY_LABELS[code] })))),
  schemes: byCode(
    IDENTIFIER_TYPES.map((code) => {
      const personal = (PERSONAL_IDENTIFIER_TYPES as readonly string[]).includes(code);
      const side = JURISDICTIONS.find((j) => SIDES[j].identifierType === code) ?? null;
      return {
        code,
        partyType: personal ? 'INDIVIDUAL' : 'ORGANISATION',
        jurisdiction: personal ? null : side,
        format: null,
        labels: IDENTIFIER_TYPE_LABELS[code],
        source: null,
      };
    }),
  ),
};
interface LabelledRow {
  code: string;
  en: string;
  zhHant: string;
  zhHans: string;
}
const labelsOf = (r: LabelledRow): Labels => ({ en: r.en, 'zh-Hant': r.zhHant, 'zh-Hans': r.zhHans });

/** Every jurisdiction, city and identifier scheme. */
export async function readGeography(m: EntityManager): Promise<Geography> {
  const [jurisdictions, cities, schemes] = await Promise.all([
    m.query<Array<LabelledRow & { directionCode: string; source: string | null }>>(
      `SELECT code, direction_code AS "directionCode", name_en AS en, name_zh_hant AS "zhHant", name_zh_hans AS "zhHans", source
       FROM organisation_jurisdictions ORDER BY position, code`,
    ),
    m.query<Array<LabelledRow & { jurisdiction: string }>>(
      `SELECT code, jurisdiction, name_en AS en, name_zh_hant AS "zhHant", name_zh_hans AS "zhHans" FROM organisation_cities ORDER BY position, code`,
    ),
    m.query<Array<LabelledRow & { partyType: string; jurisdiction: string | null; format: string | null; source: string | null }>>(
      `SELECT code, party_type AS "partyType", jurisdiction, format, name_en AS en, name_zh_hant AS "zhHant", name_zh_hans AS "zhHans", source
       FROM organisation_identifier_schemes ORDER BY position, code`,
    ),
  ]);
  return {
    jurisdictions: byCode(jurisdictions.map((r) => ({ code: r.code, directionCode: r.directionCode, labels: labelsOf(r), source: r.source }))),
    cities: byCode(cities.map((r) => ({ code: r.code, jurisdiction: r.jurisdiction, labels: labelsOf(r) }))),
    schemes: byCode(
      schemes.map((r) => ({ code: r.code, partyType: r.partyType, jurisdiction: r.jurisdiction, format: r.format, labels: labelsOf(r), source: r.source })),
    ),
  };
}

/** R1: the side a GBA city belongs to, or null for anywhere outside the sides' cities. */
export function sideOfCity(geography: Geography, city: string | null | undefined): string | null {
  return city == null ? null : (geography.cities.get(city)?.jurisdiction ?? null);
}

/** R2: the direction value from the processor's side to the recipient's, or null when a side is unknown. */
export function directionOf(geography: Geography, from: string, to: string): string | null {
  const a = geography.jurisdictions.get(from);
  const b = geography.jurisdictions.get(to);
  return a && b ? `${a.directionCode}_TO_${b.directionCode}` : null;
}

/** R17: the organisation identifier schemes of a side. */
export function organisationSchemesOf(geography: Geography, jurisdiction: string): string[] {
  return [...geography.schemes.values()].filter((s) => s.partyType === 'ORGANISATION' && s.jurisdiction === jurisdiction).map((s) => s.code);
}

/** R17: the schemes of a side's parties: its organisations' and the identity documents of any side. */
export function schemesOfSide(geography: Geography, jurisdiction: string): string[] {
  return [...geography.schemes.values()].filter((s) => s.jurisdiction === jurisdiction || s.jurisdiction === null).map((s) => s.code);
}
