/*
 * Greater Bay Area geography and sector reference data (docs/rules.md#r1, docs/rules.md#r15).
 *
 * Sources:
 * - R1; Outline Development Plan for the Guangdong-Hong Kong-Macao Greater Bay Area
 *   (《粤港澳大湾区发展规划纲要》, State Council, February 2019), ch. 1: the nine Guangdong
 *   cities Guangzhou, Shenzhen, Zhuhai, Foshan, Huizhou, Dongguan, Zhongshan, Jiangmen, Zhaoqing,
 *   and the two Special Administrative Regions, Hong Kong and Macao.
 * - R16; Macao's side (jurisdiction MACAO, city MACAO) is the Mainland–Macao Standard Contract's
 *   (GBA_MAINLAND_MACAO, from 2024-09-10; docs/rules.md#r16). Which regime a contract is under is
 *   rollout data (rollout_regimes.sides). The sides themselves, their cities and identifier schemes are
 *   data (src/organisations/geography.ts, docs/rules.md#r16); the `SIDES` table below is what the
 *   migration seeds, and the functions on it answer for the seeded sides only (unit tests).
 * - R15; Implementation Guidelines on the Standard Contract for Cross-boundary Flow of Personal
 *   Information Within the GBA (Mainland, Hong Kong) (CAC / ITB, 13 December 2023): first phase
 *   banking, credit referencing and healthcare (銀行、徵信、醫療); all sectors from 2024-11-01.
 *   The remaining sector codes are this registry's own reporting taxonomy, not a legal list.
 * - Chinese names: Traditional as used by the HKSAR Government (e.g. 內地, 電訊, 徵信);
 *   Simplified as used by the Mainland authorities (内地, 电信, 征信).
 * City codes are upper-case and matched exactly (no case folding), like the API's `city` field.
 */

import { PERSONAL_IDENTIFIER_TYPES } from './identifiers';

export { PERSONAL_IDENTIFIER_TYPES };

export type { PersonalIdentifierType } from './identifiers';

export const JURISDICTIONS = ['MAINLAND', 'HONG_KONG', 'MACAO'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export const MAINLAND_GBA_CITIES = ['GUANGZHOU', 'SHENZHEN', 'ZHUHAI', 'FOSHAN', 'HUIZHOU', 'DONGGUAN', 'ZHONGSHAN', 'JIANGMEN', 'ZHAOQING'] as const;
export const HONG_KONG_GBA_CITIES = ['HONG_KONG'] as const;
export const MACAO_GBA_CITIES = ['MACAO'] as const;
export const GBA_CITIES = [...MAINLAND_GBA_CITIES, ...HONG_KONG_GBA_CITIES, ...MACAO_GBA_CITIES] as const;
export type MainlandGbaCity = (typeof MAINLAND_GBA_CITIES)[number];
export type GbaCity = (typeof GBA_CITIES)[number];

export const SECTORS = [
  'BANKING',
  'CREDIT_REFERENCING',
  'HEALTHCARE',
  'INSURANCE',
  'SECURITIES',
  'RETAIL',
  'LOGISTICS',
  'TELECOMMUNICATIONS',
  'TECHNOLOGY',
  'EDUCATION',
  'OTHER',
] as const;
export type Sector = (typeof SECTORS)[number];

/** R15 first phase (from 2023-12-13); the seed data for rollout phases. */
export const FIRST_PHASE_SECTORS = ['BANKING', 'CREDIT_REFERENCING', 'HEALTHCARE'] as const satisfies readonly Sector[];

export interface Labels {
  en: string;
  /** Traditional Chinese (繁體中文), Hong Kong usage. */
  'zh-Hant': string;
  /** Simplified Chinese (简体中文), Mainland usage. */
  'zh-Hans': string;
}

export const JURISDICTION_LABELS: Readonly<Record<Jurisdiction, Labels>> = {
  MAINLAND: { en: 'Mainland', 'zh-Hant': '內地', 'zh-Hans': '内地' },
  HONG_KONG: { en: 'Hong Kong', 'zh-Hant': '香港', 'zh-Hans': '香港' },
  MACAO: { en: 'Macao', 'zh-Hant': '澳門', 'zh-Hans': '澳门' },
};

export const CITY_LABELS: Readonly<Record<GbaCity, Labels>> = {
  GUANGZHOU: { en: 'Guangzhou', 'zh-Hant': '廣州', 'zh-Hans': '广州' },
  SHENZHEN: { en: 'Shenzhen', 'zh-Hant': '深圳', 'zh-Hans': '深圳' },
  ZHUHAI: { en: 'Zhuhai', 'zh-Hant': '珠海', 'zh-Hans': '珠海' },
  FOSHAN: { en: 'Foshan', 'zh-Hant': '佛山', 'zh-Hans': '佛山' },
  HUIZHOU: { en: 'Huizhou', 'zh-Hant': '惠州', 'zh-Hans': '惠州' },
  DONGGUAN: { en: 'Dongguan', 'zh-Hant': '東莞', 'zh-Hans': '东莞' },
  ZHONGSHAN: { en: 'Zhongshan', 'zh-Hant': '中山', 'zh-Hans': '中山' },
  JIANGMEN: { en: 'Jiangmen', 'zh-Hant': '江門', 'zh-Hans': '江门' },
  ZHAOQING: { en: 'Zhaoqing', 'zh-Hant': '肇慶', 'zh-Hans': '肇庆' },
  HONG_KONG: { en: 'Hong Kong', 'zh-Hant': '香港', 'zh-Hans': '香港' },
  MACAO: { en: 'Macao', 'zh-Hant': '澳門', 'zh-Hans': '澳门' },
};

export const SECTOR_LABELS: Readonly<Record<Sector, Labels>> = {
  BANKING: { en: 'Banking', 'zh-Hant': '銀行', 'zh-Hans': '银行' },
  CREDIT_REFERENCING: { en: 'Credit referencing', 'zh-Hant': '徵信', 'zh-Hans': '征信' },
  HEALTHCARE: { en: 'Healthcare', 'zh-Hant': '醫療', 'zh-Hans': '医疗' },
  INSURANCE: { en: 'Insurance', 'zh-Hant': '保險', 'zh-Hans': '保险' },
  SECURITIES: { en: 'Securities', 'zh-Hant': '證券', 'zh-Hans': '证券' },
  RETAIL: { en: 'Retail', 'zh-Hant': '零售', 'zh-Hans': '零售' },
  LOGISTICS: { en: 'Logistics', 'zh-Hant': '物流', 'zh-Hans': '物流' },
  TELECOMMUNICATIONS: { en: 'Telecommunications', 'zh-Hant': '電訊', 'zh-Hans': '电信' },
  TECHNOLOGY: { en: 'Technology', 'zh-Hant': '科技', 'zh-Hans': '科技' },
  EDUCATION: { en: 'Education', 'zh-Hant': '教育', 'zh-Hans': '教育' },
  OTHER: { en: 'Other', 'zh-Hant': '其他', 'zh-Hans': '其他' },
};

/** R1: a party is an organisation (registered in the GBA) or an individual (located in it). */
export const PARTY_TYPES = ['ORGANISATION', 'INDIVIDUAL'] as const;
export type PartyType = (typeof PARTY_TYPES)[number];

/** An organisation's identifier scheme (docs/rules.md#r17). */
export const ORGANISATION_IDENTIFIER_TYPES = ['USCC', 'HK_BRN', 'MO_CRN'] as const;
export type OrganisationIdentifierType = (typeof ORGANISATION_IDENTIFIER_TYPES)[number];
/** Every identifier scheme: an organisation's, or an individual's identity document (docs/rules.md#r17). */
export const IDENTIFIER_TYPES = [...ORGANISATION_IDENTIFIER_TYPES, ...PERSONAL_IDENTIFIER_TYPES] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export const PARTY_TYPE_LABELS: Readonly<Record<PartyType, Labels>> = {
  ORGANISATION: { en: 'Organisation', 'zh-Hant': '機構', 'zh-Hans': '组织' },
  INDIVIDUAL: { en: 'Individual', 'zh-Hant': '個人', 'zh-Hans': '个人' },
};

export const IDENTIFIER_TYPE_LABELS: Readonly<Record<IdentifierType, Labels>> = {
  USCC: { en: 'Unified Social Credit Code', 'zh-Hant': '統一社會信用代碼', 'zh-Hans': '统一社会信用代码' },
  HK_BRN: { en: 'Business Registration Number', 'zh-Hant': '商業登記號碼', 'zh-Hans': '商业登记号码' },
  MO_CRN: { en: 'Commercial registration number (Macao)', 'zh-Hant': '商業登記編號', 'zh-Hans': '商业登记编号' },
  HKID: { en: 'Hong Kong Identity Card', 'zh-Hant': '香港身份證', 'zh-Hans': '香港身份证' },
  PRC_RESIDENT_ID: { en: 'Resident Identity Card (PRC)', 'zh-Hant': '居民身份證', 'zh-Hans': '居民身份证' },
  PASSPORT: { en: 'Passport', 'zh-Hant': '護照', 'zh-Hans': '护照' },
};

/** The seeded filing authorities (docs/rules.md#r8); where each side of each regime files is data (rollout_regime_sides). */
export const FILING_AUTHORITIES = ['GD_CAC', 'HK_DPO', 'MO_DSPDP'] as const;
export type FilingAuthority = (typeof FILING_AUTHORITIES)[number];

/** One seeded side: its cities, identifier scheme and direction code (the registry reads them from the data, geography.ts). */
export interface Side {
  jurisdiction: Jurisdiction;
  cities: readonly GbaCity[];
  /** R17: how an organisation on this side is identified (an individual by an identity document, on any side). */
  identifierType: OrganisationIdentifierType;
  /** The short code used in direction values (MAINLAND_TO_HK, MACAO_TO_MAINLAND). */
  directionCode: string;
}

/**
 * The seeded sides (migration 1795688200001 writes the same rows). Hong Kong: R17 (BRN). Macao: R17 (commercial
 * registration number). Their filing authorities are the regimes' data (rollout_regime_sides, R8).
 */
export const SIDES: Readonly<Record<Jurisdiction, Side>> = {
  MAINLAND: { jurisdiction: 'MAINLAND', cities: MAINLAND_GBA_CITIES, identifierType: 'USCC', directionCode: 'MAINLAND' },
  HONG_KONG: { jurisdiction: 'HONG_KONG', cities: HONG_KONG_GBA_CITIES, identifierType: 'HK_BRN', directionCode: 'HK' },
  MACAO: { jurisdiction: 'MACAO', cities: MACAO_GBA_CITIES, identifierType: 'MO_CRN', directionCode: 'MACAO' },
};

/** R2: every direction value, one per ordered pair of sides that a regime may span (docs/api.md#code-lists). */
export const DIRECTIONS = ['MAINLAND_TO_HK', 'HK_TO_MAINLAND', 'MAINLAND_TO_MACAO', 'MACAO_TO_MAINLAND'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** R2: the direction from the processor's side to the recipient's, or null for a pair no regime spans. */
export function directionBetween(from: Jurisdiction, to: Jurisdiction): Direction | null {
  const value = `${SIDES[from].directionCode}_TO_${SIDES[to].directionCode}`;
  return (DIRECTIONS as readonly string[]).includes(value) ? (value as Direction) : null;
}

const CITY_SIDE: ReadonlyMap<string, Jurisdiction> = new Map(JURISDICTIONS.flatMap((j) => SIDES[j].cities.map((c) => [c, j] as const)));
const SECTOR_SET: ReadonlySet<string> = new Set(SECTORS);

export function isGbaCity(city: string | null | undefined): city is GbaCity {
  return jurisdictionOfCity(city) !== null;
}

export function isSector(value: string | null | undefined): value is Sector {
  return value != null && SECTOR_SET.has(value);
}

/** R1: the side a GBA city belongs to, or null for anywhere outside the nine cities, Hong Kong and Macao. */
export function jurisdictionOfCity(city: string | null | undefined): Jurisdiction | null {
  if (city == null) return null;
  return CITY_SIDE.get(city) ?? null;
}

export interface ReferenceEntry<Code extends string> {
  code: Code;
  labels: Labels;
}

export interface GbaReference {
  jurisdictions: (ReferenceEntry<string> & { directionCode: string })[];
  cities: (ReferenceEntry<string> & { jurisdiction: string })[];
  sectors: (ReferenceEntry<Sector> & { firstPhase: boolean })[];
  partyTypes: ReferenceEntry<PartyType>[];
  identifierTypes: (ReferenceEntry<string> & { partyType: string; jurisdiction: string | null; format: string | null })[];
}

/** The sides as `GET /reference` lists them (the shape of src/organisations/geography.ts, which reads them from the data). */
export interface GeographyEntries {
  jurisdictions: Iterable<{ code: string; directionCode: string; labels: Labels }>;
  cities: Iterable<{ code: string; jurisdiction: string; labels: Labels }>;
  schemes: Iterable<{ code: string; partyType: string; jurisdiction: string | null; format: string | null; labels: Labels }>;
}

/** The body of `GET /reference`: every code with its labels, in a stable order; the sides from the data. */
export function gbaReference(geography: GeographyEntries): GbaReference {
  const firstPhase: ReadonlySet<string> = new Set(FIRST_PHASE_SECTORS);
  return {
    jurisdictions: [...geography.jurisdictions].map((j) => ({ code: j.code, directionCode: j.directionCode, labels: { ...j.labels } })),
    cities: [...geography.cities].map((c) => ({ code: c.code, jurisdiction: c.jurisdiction, labels: { ...c.labels } })),
    sectors: SECTORS.map((code) => ({ code, firstPhase: firstPhase.has(code), labels: { ...SECTOR_LABELS[code] } })),
    partyTypes: PARTY_TYPES.map((code) => ({ code, labels: { ...PARTY_TYPE_LABELS[code] } })),
    identifierTypes: [...geography.schemes].map((s) => ({
      code: s.code,
      partyType: s.partyType,
      jurisdiction: s.jurisdiction,
      format: s.format,
      labels: { ...s.labels },
    })),
  };
}
