// The demo world as data: organisations, their people, pilot enrolments, contracts in every state
// and the transfers each contract logs. Pure and deterministic: the same settings and anchor date
// give the same world, which is how a rerun finds what an earlier run made.
//
// Dates count from the anchor (the GBA date of the first run, kept in demo.env), so a rerun on a
// later day plans the same contracts.
//
// Why each contract's clean transfers fall in its first two weeks: the registry stamps a filing's
// first submission with the day it is made, and flags FILING_OVERDUE on a transfer dated after the
// filing deadline (10 working days from the effective date) and before that submission (R8;
// src/transfers/domain/compliance-flags.ts). A world built today through the API has submitted
// every filing today, so only transfers from the effective date to the deadline can be clean.
// Contracts take effect on dates spread over the past year, so the log still spans months.
import { createHash } from 'node:crypto';
import { makeUscc, USCC_ALPHABET } from './identifiers';

export type IsoDate = string;
export type Jurisdiction = 'MAINLAND' | 'HONG_KONG';
export type Sector = 'BANKING' | 'CREDIT_REFERENCING' | 'HEALTHCARE';
export type Direction = 'MAINLAND_TO_HK' | 'HK_TO_MAINLAND';
export type EnrolmentTarget = 'NONE' | 'INTERESTED' | 'ENROLLED' | 'DECLINED' | 'WITHDRAWN';
export type FilingTarget = 'NOT_SUBMITTED' | 'SUBMITTED' | 'RETURNED' | 'ACCEPTED';
export type Party = 'processor' | 'recipient';
export type ContractKind = 'ACCEPTED' | 'SUBMITTED' | 'RETURNED' | 'AMENDED' | 'AMENDED_REFILING' | 'TERMINATED' | 'OVERDUE' | 'PENDING' | 'EXPIRED';

export const REGIME = 'GBA_MAINLAND_HK';
export const FIRST_PHASE_SECTORS: readonly Sector[] = ['BANKING', 'CREDIT_REFERENCING', 'HEALTHCARE'];
export const MAINLAND_CITIES = ['GUANGZHOU', 'SHENZHEN', 'ZHUHAI', 'FOSHAN', 'HUIZHOU', 'DONGGUAN', 'ZHONGSHAN', 'JIANGMEN', 'ZHAOQING'] as const;

export interface OrganisationPlan {
  index: number;
  jurisdiction: Jurisdiction;
  city: string;
  sector: Sector;
  identifierType: 'USCC' | 'HK_BRN';
  identifier: string;
  legalName: string;
  legalNameZh: string;
  /** E-mail domain of its people, e.g. `qianhai-commercial-bank.example`. */
  domain: string;
  /** Its ORG_ADMIN (compliance lead); every organisation has one. */
  adminEmail: string;
  /** Its ORG_FILER (compliance officer), for a handful of organisations. */
  filerEmail: string | null;
  verified: boolean;
  enrolment: EnrolmentTarget;
  /** Prefix of its transfers' external references. */
  referencePrefix: string;
}

export interface Annex {
  purposes: string[];
  processingMethods: string[];
  dataSubjectCategories: string[];
  personalInformationCategories: string[];
  sensitiveCategories: string[];
  onwardRecipients: Array<{ name: string; city: string }>;
  transferMethod: string;
  retentionPeriod: { from: IsoDate; to: IsoDate };
  storageLocation: { city: string };
  otherMatters: string;
}

export interface Terms {
  regime: string;
  effectiveDate: IsoDate;
  expiryDate: IsoDate | null;
  importantDataIncluded: false;
  annex: Annex;
  pipia: { completedOn: IsoDate; conclusion: string; reportSha256: string };
}

export interface FilingTargets {
  processor: FilingTarget;
  recipient: FilingTarget;
  /** Parties whose filing is returned once (and resubmitted) before it reaches its target. */
  returnFirst: Party[];
}

export interface ContractPlan {
  key: string;
  kind: ContractKind;
  /** The demo.env variable that carries its id (showcase contracts only). */
  envName: string | null;
  processor: number;
  recipient: number;
  direction: Direction;
  terms: Terms;
  filings: FilingTargets;
  /** Version 2; `filings` only when it requires re-filing (R12). */
  amendment: { terms: Terms; refiling: boolean; filings: FilingTargets | null } | null;
  termination: { terminatedOn: IsoDate; reason: string; by: Party } | null;
  incident: { occurredAt: string; description: string; affectedDataSubjects: number; by: Party } | null;
  /** Transfer records to log for it. */
  transfers: number;
  /** Records logged on purpose after the clean window: after termination or after the filing deadline. */
  late: 'AFTER_TERMINATION' | 'AFTER_DEADLINE' | null;
}

export interface DemoWorld {
  anchor: IsoDate;
  organisations: OrganisationPlan[];
  contracts: ContractPlan[];
  regulators: Array<{ authority: 'GD_CAC' | 'HK_DPO' | 'HK_PCPD'; email: string; env: 'GD_CAC' | 'HK_DPO' | 'PCPD' }>;
  adminEmail: string;
  /** The Mainland processor and the Hong Kong recipient of the README walk-through. */
  mainlandIndex: number;
  hongKongIndex: number;
}

export const MIN_ORGANISATIONS = 10;
export const DOMAIN_SUFFIX = '.example';

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32 seeded from a label, so each part of the world has its own stream and
// adding organisations does not reshuffle the earlier ones.

export class Random {
  private state: number;
  constructor(label: string) {
    this.state = createHash('sha256').update(`gba-demo:${label}`).digest().readUInt32LE(0);
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  weighted<T extends string>(weights: Readonly<Record<T, number>>): T {
    const entries = Object.entries(weights) as Array<[T, number]>;
    let r = this.next() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }
  /** k distinct items, in the list's order. */
  some<T>(items: readonly T[], k: number): T[] {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(k, items.length)) chosen.add(Math.floor(this.next() * items.length));
    return items.filter((_, i) => chosen.has(i));
  }
}

// ---------------------------------------------------------------------------------------------
// Dates

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Today in the GBA (UTC+8, no daylight saving). */
export function gbaToday(now: Date = new Date()): IsoDate {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

const isWeekend = (date: IsoDate): boolean => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

// ---------------------------------------------------------------------------------------------
// Names

const CITY_NAMES: Record<string, { en: string; zh: string }> = {
  GUANGZHOU: { en: 'Guangzhou', zh: '广州' },
  SHENZHEN: { en: 'Shenzhen', zh: '深圳' },
  ZHUHAI: { en: 'Zhuhai', zh: '珠海' },
  FOSHAN: { en: 'Foshan', zh: '佛山' },
  HUIZHOU: { en: 'Huizhou', zh: '惠州' },
  DONGGUAN: { en: 'Dongguan', zh: '东莞' },
  ZHONGSHAN: { en: 'Zhongshan', zh: '中山' },
  JIANGMEN: { en: 'Jiangmen', zh: '江门' },
  ZHAOQING: { en: 'Zhaoqing', zh: '肇庆' },
};

/** Place names of each city (districts, landmarks), Simplified on the Mainland and Traditional in Hong Kong. */
const STEMS: Record<string, Array<[string, string]>> = {
  GUANGZHOU: [
    ['天河', 'Tianhe'],
    ['白云', 'Baiyun'],
    ['海珠', 'Haizhu'],
    ['南沙', 'Nansha'],
    ['番禺', 'Panyu'],
    ['黄埔', 'Huangpu'],
    ['花城', 'Huacheng'],
    ['羊城', 'Yangcheng'],
  ],
  SHENZHEN: [
    ['前海', 'Qianhai'],
    ['南山', 'Nanshan'],
    ['福田', 'Futian'],
    ['鹏城', 'Pengcheng'],
    ['罗湖', 'Luohu'],
    ['龙岗', 'Longgang'],
    ['光明', 'Guangming'],
    ['蛇口', 'Shekou'],
  ],
  ZHUHAI: [
    ['横琴', 'Hengqin'],
    ['香洲', 'Xiangzhou'],
    ['金湾', 'Jinwan'],
    ['斗门', 'Doumen'],
  ],
  FOSHAN: [
    ['禅城', 'Chancheng'],
    ['顺德', 'Shunde'],
    ['南海', 'Nanhai'],
    ['三水', 'Sanshui'],
  ],
  HUIZHOU: [
    ['大亚湾', 'Daya Bay'],
    ['惠阳', 'Huiyang'],
    ['博罗', 'Boluo'],
    ['鹅城', 'Echeng'],
  ],
  DONGGUAN: [
    ['松山湖', 'Songshan Lake'],
    ['虎门', 'Humen'],
    ['莞城', 'Guancheng'],
    ['长安', "Chang'an"],
  ],
  ZHONGSHAN: [
    ['香山', 'Xiangshan'],
    ['石岐', 'Shiqi'],
    ['坦洲', 'Tanzhou'],
    ['翠亨', 'Cuiheng'],
  ],
  JIANGMEN: [
    ['五邑', 'Wuyi'],
    ['新会', 'Xinhui'],
    ['台山', 'Taishan'],
    ['开平', 'Kaiping'],
  ],
  ZHAOQING: [
    ['端州', 'Duanzhou'],
    ['鼎湖', 'Dinghu'],
    ['高要', 'Gaoyao'],
    ['星湖', 'Xinghu'],
  ],
  HONG_KONG: [
    ['維港', 'Victoria Harbour'],
    ['獅子山', 'Lion Rock'],
    ['九龍', 'Kowloon'],
    ['中環', 'Central'],
    ['灣仔', 'Wan Chai'],
    ['沙田', 'Sha Tin'],
    ['荃灣', 'Tsuen Wan'],
    ['將軍澳', 'Tseung Kwan O'],
    ['大埔', 'Tai Po'],
    ['西九', 'West Kowloon'],
    ['銅鑼灣', 'Causeway Bay'],
    ['啟德', 'Kai Tak'],
    ['青衣', 'Tsing Yi'],
    ['赤柱', 'Stanley'],
    ['東涌', 'Tung Chung'],
    ['屯門', 'Tuen Mun'],
    ['元朗', 'Yuen Long'],
    ['上環', 'Sheung Wan'],
    ['金鐘', 'Admiralty'],
    ['觀塘', 'Kwun Tong'],
    ['北角', 'North Point'],
    ['跑馬地', 'Happy Valley'],
    ['香港仔', 'Aberdeen'],
    ['薄扶林', 'Pok Fu Lam'],
  ],
};

type NameTemplate = { en: (stem: string, city: string) => string; zh: (stem: string, city: string) => string; institution?: boolean };

const MAINLAND_TEMPLATES: Record<Sector, NameTemplate[]> = {
  BANKING: [
    { en: (s) => `${s} Commercial Bank Co., Ltd.`, zh: (s) => `${s}商业银行股份有限公司` },
    { en: (s, c) => `${c} ${s} Rural Commercial Bank Co., Ltd.`, zh: (s, c) => `${c}${s}农村商业银行股份有限公司` },
    { en: (s) => `${s} Consumer Finance Co., Ltd.`, zh: (s) => `${s}消费金融有限公司` },
    { en: (s, c) => `${c} ${s} Village Bank Co., Ltd.`, zh: (s, c) => `${c}${s}村镇银行股份有限公司` },
  ],
  CREDIT_REFERENCING: [
    { en: (s) => `${s} Credit Reference Co., Ltd.`, zh: (s) => `${s}征信有限公司` },
    { en: (s, c) => `${c} ${s} Credit Information Services Co., Ltd.`, zh: (s, c) => `${c}${s}信用信息服务有限公司` },
  ],
  HEALTHCARE: [
    { en: (s, c) => `${c} ${s} Hospital of Integrated Chinese and Western Medicine`, zh: (s, c) => `${c}${s}中西医结合医院`, institution: true },
    { en: (s, c) => `${c} ${s} Maternal and Child Health Hospital`, zh: (s, c) => `${c}${s}妇幼保健院`, institution: true },
    { en: (s) => `${s} Medical Group Co., Ltd.`, zh: (s) => `${s}医疗集团有限公司` },
    { en: (s) => `${s} Health Management Co., Ltd.`, zh: (s) => `${s}健康管理有限公司` },
    { en: (s) => `${s} International Hospital Co., Ltd.`, zh: (s) => `${s}国际医院有限公司` },
  ],
};

const HONG_KONG_TEMPLATES: Record<Sector, NameTemplate[]> = {
  BANKING: [
    { en: (s) => `${s} Bank Limited`, zh: (s) => `${s}銀行有限公司` },
    { en: (s) => `${s} Commercial Bank Limited`, zh: (s) => `${s}商業銀行有限公司` },
    { en: (s) => `${s} Finance Limited`, zh: (s) => `${s}財務有限公司` },
    { en: (s) => `${s} Virtual Bank Limited`, zh: (s) => `${s}虛擬銀行有限公司` },
  ],
  CREDIT_REFERENCING: [
    { en: (s) => `${s} Credit Reference Services Limited`, zh: (s) => `${s}信貸資料服務有限公司` },
    { en: (s) => `${s} Credit Data Limited`, zh: (s) => `${s}信貸數據有限公司` },
  ],
  HEALTHCARE: [
    { en: (s) => `${s} Medical Centre Limited`, zh: (s) => `${s}醫療中心有限公司` },
    { en: (s) => `${s} Hospital Limited`, zh: (s) => `${s}醫院有限公司` },
    { en: (s) => `${s} Clinics Limited`, zh: (s) => `${s}診所有限公司` },
    { en: (s) => `${s} Health Group Limited`, zh: (s) => `${s}健康集團有限公司` },
  ],
};

/** An e-mail domain label from a name: lower-case words joined by hyphens, at most 40 characters (a label may have 63). */
function slug(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/\b(co\.,? ltd\.?|limited)\b/g, '')
    .replace(/'/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const kept = [words[0]];
  for (const word of words.slice(1)) {
    if (kept.join('-').length + 1 + word.length > 40) break;
    kept.push(word);
  }
  while (kept.length > 1 && ['of', 'and', 'the'].includes(kept[kept.length - 1])) kept.pop();
  return kept.join('-');
}

// ---------------------------------------------------------------------------------------------
// Organisations

/** The first ten: both sides of every first-phase sector, so even a small world has every contract state. */
const PATTERN: Array<{ jurisdiction: Jurisdiction; sector: Sector; city: string; verified: boolean; enrolment: EnrolmentTarget }> = [
  { jurisdiction: 'MAINLAND', sector: 'BANKING', city: 'SHENZHEN', verified: true, enrolment: 'ENROLLED' },
  { jurisdiction: 'HONG_KONG', sector: 'BANKING', city: 'HONG_KONG', verified: false, enrolment: 'NONE' },
  { jurisdiction: 'MAINLAND', sector: 'HEALTHCARE', city: 'GUANGZHOU', verified: true, enrolment: 'ENROLLED' },
  { jurisdiction: 'HONG_KONG', sector: 'HEALTHCARE', city: 'HONG_KONG', verified: true, enrolment: 'ENROLLED' },
  { jurisdiction: 'MAINLAND', sector: 'CREDIT_REFERENCING', city: 'GUANGZHOU', verified: false, enrolment: 'INTERESTED' },
  { jurisdiction: 'HONG_KONG', sector: 'CREDIT_REFERENCING', city: 'HONG_KONG', verified: true, enrolment: 'ENROLLED' },
  { jurisdiction: 'MAINLAND', sector: 'BANKING', city: 'ZHUHAI', verified: true, enrolment: 'ENROLLED' },
  { jurisdiction: 'HONG_KONG', sector: 'HEALTHCARE', city: 'HONG_KONG', verified: false, enrolment: 'DECLINED' },
  { jurisdiction: 'MAINLAND', sector: 'HEALTHCARE', city: 'FOSHAN', verified: true, enrolment: 'ENROLLED' },
  { jurisdiction: 'HONG_KONG', sector: 'BANKING', city: 'HONG_KONG', verified: true, enrolment: 'WITHDRAWN' },
];
/** The Mainland cities the pattern leaves out, given to the next Mainland organisations so all nine appear. */
const REMAINING_CITIES = ['HUIZHOU', 'DONGGUAN', 'ZHONGSHAN', 'JIANGMEN', 'ZHAOQING'];
const CITY_WEIGHTS = { SHENZHEN: 30, GUANGZHOU: 28, FOSHAN: 8, DONGGUAN: 8, ZHUHAI: 8, HUIZHOU: 5, ZHONGSHAN: 5, JIANGMEN: 4, ZHAOQING: 4 };
/** Organisations with an ORG_FILER besides their ORG_ADMIN. */
const WITH_FILER = 6;
/** Identifiers the README registers itself. */
const RESERVED_IDENTIFIERS = new Set(['914403001922038216', '12345678']);

function planOrganisations(count: number): OrganisationPlan[] {
  const out: OrganisationPlan[] = [];
  const names = new Set<string>();
  const domains = new Set<string>();
  const identifiers = new Set<string>(RESERVED_IDENTIFIERS);
  const prefixes = new Set<string>();
  let remaining = 0;
  for (let index = 0; index < count; index += 1) {
    const rnd = new Random(`organisation ${index}`);
    let shape = PATTERN[index];
    if (!shape) {
      const jurisdiction: Jurisdiction = rnd.chance(0.55) ? 'MAINLAND' : 'HONG_KONG';
      const sector =
        jurisdiction === 'MAINLAND'
          ? rnd.weighted<Sector>({ BANKING: 45, CREDIT_REFERENCING: 15, HEALTHCARE: 40 })
          : rnd.weighted<Sector>({ BANKING: 40, CREDIT_REFERENCING: 20, HEALTHCARE: 40 });
      const city = jurisdiction === 'HONG_KONG' ? 'HONG_KONG' : (REMAINING_CITIES[remaining++] ?? rnd.weighted(CITY_WEIGHTS));
      shape = {
        jurisdiction,
        sector,
        city,
        verified: rnd.chance(0.6),
        enrolment: rnd.weighted<EnrolmentTarget>({ NONE: 0, INTERESTED: 25, ENROLLED: 50, DECLINED: 10, WITHDRAWN: 15 }),
      };
    }
    const templates = (shape.jurisdiction === 'MAINLAND' ? MAINLAND_TEMPLATES : HONG_KONG_TEMPLATES)[shape.sector];
    const stems = STEMS[shape.city];
    let legalName: string;
    let legalNameZh: string;
    let institution: boolean;
    for (let attempt = 0; ; attempt += 1) {
      const [stemZh, stemEn] = rnd.pick(stems);
      const template = rnd.pick(templates);
      const city = CITY_NAMES[shape.city] ?? { en: 'Hong Kong', zh: '香港' };
      legalName = template.en(stemEn, city.en);
      legalNameZh = template.zh(stemZh, city.zh);
      institution = template.institution === true;
      if (attempt > 40) {
        legalName = `${legalName} (${index})`;
        legalNameZh = `${legalNameZh}（${index}）`;
      }
      if (!names.has(legalName)) break;
    }
    names.add(legalName);
    let domain = `${slug(legalName)}${DOMAIN_SUFFIX}`;
    for (let n = 2; domains.has(domain); n += 1) domain = `${slug(legalName)}-${n}${DOMAIN_SUFFIX}`;
    domains.add(domain);

    let identifier: string;
    do {
      if (shape.jurisdiction === 'HONG_KONG') identifier = String(rnd.int(10_000_000, 79_999_999));
      else {
        const body = institution
          ? String(rnd.int(10_000_000, 99_999_999))
          : `MA${Array.from({ length: 6 }, () => USCC_ALPHABET[rnd.int(0, USCC_ALPHABET.length - 1)]).join('')}`;
        identifier = makeUscc(shape.city, institution ? 'INSTITUTION' : 'ENTERPRISE', body);
      }
    } while (identifiers.has(identifier));
    identifiers.add(identifier);

    const words = legalName
      .replace(/[^A-Za-z ]/g, ' ')
      .split(/\s+/)
      .filter(Boolean);
    let referencePrefix = words
      .slice(0, 4)
      .map((w) => w[0].toUpperCase())
      .join('');
    for (let n = 2; prefixes.has(referencePrefix); n += 1) referencePrefix = `${referencePrefix.replace(/\d+$/, '')}${n}`;
    prefixes.add(referencePrefix);

    out.push({
      index,
      jurisdiction: shape.jurisdiction,
      city: shape.city,
      sector: shape.sector,
      identifierType: shape.jurisdiction === 'MAINLAND' ? 'USCC' : 'HK_BRN',
      identifier,
      legalName,
      legalNameZh,
      domain,
      adminEmail: `compliance.lead@${domain}`,
      filerEmail: index < WITH_FILER ? `filing.officer@${domain}` : null,
      verified: shape.verified,
      enrolment: shape.enrolment,
      referencePrefix,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Contract terms

const METHODS = ['encrypted API over dedicated line', 'SFTP with PGP-encrypted files', 'mutual-TLS API over the internet'];
const ONWARD = [
  { name: 'Bay Credit Reference Centre', city: 'GUANGZHOU' },
  { name: 'Qianhai Payment Clearing Services', city: 'SHENZHEN' },
  { name: 'Harbour Interbank Settlement Services', city: 'HONG_KONG' },
];

function annexFor(rnd: Random, sector: Sector, recipientCity: string, effectiveDate: IsoDate): Annex {
  const base = {
    transferMethod: rnd.pick(METHODS),
    retentionPeriod: { from: effectiveDate, to: addDays(addDays(effectiveDate, 5 * 365 + 1), -1) },
    storageLocation: { city: recipientCity },
    otherMatters: '',
  };
  switch (sector) {
    case 'BANKING':
      return {
        ...base,
        purposes: ['cross-boundary account opening', ...rnd.some(['credit assessment', 'cross-boundary remittance', 'anti-money-laundering checks'], 2)],
        processingMethods: ['storage', 'use', 'transmission'],
        dataSubjectCategories: rnd.chance(0.5) ? ['retail customers'] : ['retail customers', 'SME directors'],
        personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY', 'PROPERTY_FINANCIAL'],
        sensitiveCategories: ['FINANCIAL_ACCOUNT'],
        onwardRecipients: rnd.chance(0.4) ? [rnd.pick(ONWARD)] : [],
      };
    case 'CREDIT_REFERENCING':
      return {
        ...base,
        purposes: ['credit reference check', 'credit assessment'],
        processingMethods: ['storage', 'use'],
        dataSubjectCategories: ['loan applicants'],
        personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY', 'PROPERTY_FINANCIAL'],
        sensitiveCategories: ['FINANCIAL_ACCOUNT'],
        onwardRecipients: [],
      };
    case 'HEALTHCARE':
      return {
        ...base,
        purposes: ['continuity of care', ...rnd.some(['medical referral', 'second-opinion consultation'], 1)],
        processingMethods: ['storage', 'use'],
        dataSubjectCategories: ['patients referred across the boundary'],
        personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY', 'HEALTH'],
        sensitiveCategories: ['MEDICAL_HEALTH'],
        onwardRecipients: [],
      };
  }
}

function termsFor(key: string, rnd: Random, processor: OrganisationPlan, recipient: OrganisationPlan, effectiveDate: IsoDate, expiryDate?: IsoDate): Terms {
  return {
    regime: REGIME,
    effectiveDate,
    expiryDate: expiryDate ?? addDays(addDays(effectiveDate, rnd.chance(0.5) ? 731 : 1096), -1),
    importantDataIncluded: false,
    annex: annexFor(rnd, processor.sector, recipient.city, effectiveDate),
    pipia: {
      completedOn: addDays(effectiveDate, -rnd.int(7, 45)),
      conclusion: rnd.pick(['risks acceptable with listed measures', 'risks acceptable; encryption at rest and access logging required', 'low risk']),
      reportSha256: createHash('sha256').update(`PIPIA report ${key}`).digest('hex'),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Contracts

interface Showcase {
  key: string;
  kind: ContractKind;
  envName: string;
  processor: number;
  recipient: number;
  /** Days from the anchor. */
  effective: number;
  filings: FilingTargets;
}

/** One contract in each state, between the ten pattern organisations (indices into PATTERN). */
const SHOWCASE: Showcase[] = [
  { key: 'accepted', kind: 'ACCEPTED', envName: 'CONTRACT_ACCEPTED', processor: 0, recipient: 5, effective: -75, filings: accepted(['recipient']) },
  {
    key: 'submitted',
    kind: 'SUBMITTED',
    envName: 'CONTRACT_SUBMITTED',
    processor: 2,
    recipient: 3,
    effective: -6,
    filings: { processor: 'SUBMITTED', recipient: 'SUBMITTED', returnFirst: [] },
  },
  {
    key: 'returned',
    kind: 'RETURNED',
    envName: 'CONTRACT_RETURNED',
    processor: 3,
    recipient: 8,
    effective: -30,
    filings: { processor: 'RETURNED', recipient: 'ACCEPTED', returnFirst: [] },
  },
  { key: 'amended-refiling', kind: 'AMENDED_REFILING', envName: 'CONTRACT_AMENDED_REFILING', processor: 6, recipient: 9, effective: -200, filings: accepted() },
  { key: 'amended', kind: 'AMENDED', envName: 'CONTRACT_AMENDED', processor: 4, recipient: 1, effective: -250, filings: accepted() },
  { key: 'terminated', kind: 'TERMINATED', envName: 'CONTRACT_TERMINATED', processor: 8, recipient: 7, effective: -280, filings: accepted() },
  {
    key: 'overdue',
    kind: 'OVERDUE',
    envName: 'CONTRACT_OVERDUE',
    processor: 5,
    recipient: 0,
    effective: -45,
    filings: { processor: 'SUBMITTED', recipient: 'NOT_SUBMITTED', returnFirst: [] },
  },
  {
    key: 'pending',
    kind: 'PENDING',
    envName: 'CONTRACT_PENDING',
    processor: 7,
    recipient: 2,
    effective: 30,
    filings: { processor: 'NOT_SUBMITTED', recipient: 'NOT_SUBMITTED', returnFirst: [] },
  },
  { key: 'expired', kind: 'EXPIRED', envName: 'CONTRACT_EXPIRED', processor: 9, recipient: 6, effective: -560, filings: accepted() },
];

function accepted(returnFirst: Party[] = []): FilingTargets {
  return { processor: 'ACCEPTED', recipient: 'ACCEPTED', returnFirst };
}

const compatible: Record<Sector, Sector[]> = {
  BANKING: ['BANKING', 'CREDIT_REFERENCING'],
  CREDIT_REFERENCING: ['BANKING'],
  HEALTHCARE: ['HEALTHCARE'],
};

function directionOf(processor: OrganisationPlan): Direction {
  return processor.jurisdiction === 'MAINLAND' ? 'MAINLAND_TO_HK' : 'HK_TO_MAINLAND';
}

/** The fixed terms of the showcase ACCEPTED contract, which the README's transfer example logs against. */
export const ACCEPTED_SHOWCASE_ANNEX = {
  purposes: ['cross-boundary account opening', 'credit assessment'],
  personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY', 'PROPERTY_FINANCIAL'],
  sensitiveCategories: ['FINANCIAL_ACCOUNT'],
  onwardRecipients: [{ name: 'Bay Credit Reference Centre', city: 'GUANGZHOU' }],
  transferMethod: 'encrypted API over dedicated line',
};

function planContract(
  key: string,
  kind: ContractKind,
  envName: string | null,
  processor: OrganisationPlan,
  recipient: OrganisationPlan,
  anchor: IsoDate,
  effective: IsoDate,
  filings: FilingTargets,
  rnd: Random,
): ContractPlan {
  const age = daysBetween(effective, anchor);
  const expiry = kind === 'EXPIRED' ? addDays(anchor, -rnd.int(5, 60)) : undefined;
  const terms = termsFor(key, rnd, processor, recipient, effective, expiry);
  if (key === 'accepted') {
    Object.assign(terms.annex, ACCEPTED_SHOWCASE_ANNEX, { onwardRecipients: [...ACCEPTED_SHOWCASE_ANNEX.onwardRecipients] });
  }
  const plan: ContractPlan = {
    key,
    kind,
    envName,
    processor: processor.index,
    recipient: recipient.index,
    direction: directionOf(processor),
    terms,
    filings,
    amendment: null,
    termination: null,
    incident: null,
    transfers: 0,
    late: null,
  };
  if (kind === 'AMENDED') {
    // Version 2 extends the expiry and records new contact points: no re-filing (R12).
    const v2Effective = key === 'amended' ? addDays(anchor, -100) : addDays(effective, rnd.int(30, Math.max(31, age - 10)));
    const v2 = structuredClone(terms);
    v2.effectiveDate = v2Effective;
    v2.expiryDate = addDays(terms.expiryDate!, 365);
    v2.annex.otherMatters = 'Annual review: data protection officer and incident contact points updated.';
    plan.amendment = { terms: v2, refiling: false, filings: null };
  }
  if (kind === 'AMENDED_REFILING') {
    // Version 2 adds a purpose (R12: re-filing). The showcase one takes effect in two weeks and its
    // filings are under way; others took effect already and were filed and accepted.
    const future = key === 'amended-refiling' || rnd.chance(0.5);
    const v2Effective = future ? addDays(anchor, key === 'amended-refiling' ? 14 : rnd.int(7, 40)) : addDays(effective, rnd.int(30, Math.max(31, age - 10)));
    const v2 = structuredClone(terms);
    v2.effectiveDate = v2Effective;
    const extra = processor.sector === 'HEALTHCARE' ? 'clinical research with consent' : 'Wealth Management Connect account services';
    v2.annex.purposes = [...v2.annex.purposes.filter((p) => p !== extra), extra];
    plan.amendment = {
      terms: v2,
      refiling: true,
      filings: future ? { processor: 'SUBMITTED', recipient: 'NOT_SUBMITTED', returnFirst: [] } : accepted(),
    };
  }
  if (kind === 'TERMINATED') {
    const terminatedOn = key === 'terminated' ? addDays(anchor, -90) : addDays(effective, rnd.int(30, Math.max(31, age - 10)));
    plan.termination = {
      terminatedOn,
      reason: processor.sector === 'HEALTHCARE' ? 'Cross-boundary referral programme ended.' : 'Service agreement ended; data returned and deleted.',
      by: rnd.chance(0.5) ? 'processor' : 'recipient',
    };
    plan.late = 'AFTER_TERMINATION';
  }
  if (kind === 'OVERDUE') plan.late = 'AFTER_DEADLINE';
  return plan;
}

function planContracts(organisations: OrganisationPlan[], anchor: IsoDate): ContractPlan[] {
  const plans: ContractPlan[] = [];
  const used = new Set<string>();
  const remember = (p: ContractPlan) => used.add(`${p.processor}|${p.recipient}|${p.terms.effectiveDate}`);
  for (const s of SHOWCASE) {
    const rnd = new Random(`contract ${s.key}`);
    const plan = planContract(
      s.key,
      s.kind,
      s.envName,
      organisations[s.processor],
      organisations[s.recipient],
      anchor,
      addDays(anchor, s.effective),
      s.filings,
      rnd,
    );
    plans.push(plan);
    remember(plan);
  }
  plans[0].incident = {
    occurredAt: `${addDays(anchor, -60)}T06:30:00Z`,
    description: 'A misdirected encrypted batch was recalled before decryption; the recipient confirmed deletion.',
    affectedDataSubjects: 12,
    by: 'recipient',
  };

  const total = Math.max(SHOWCASE.length, Math.round(organisations.length * 0.45));
  for (let k = SHOWCASE.length; k < total; k += 1) {
    const key = `c${k}`;
    const rnd = new Random(`contract ${key}`);
    const kind = rnd.weighted<ContractKind>({
      ACCEPTED: 50,
      SUBMITTED: 14,
      RETURNED: 6,
      AMENDED: 7,
      AMENDED_REFILING: 6,
      TERMINATED: 6,
      OVERDUE: 6,
      EXPIRED: 3,
      PENDING: 2,
    });
    const processor = rnd.pick(organisations);
    const otherSide = organisations.filter((o) => o.jurisdiction !== processor.jurisdiction);
    const fitting = otherSide.filter((o) => compatible[processor.sector].includes(o.sector));
    // The README files its own contract between these two.
    const candidates = (fitting.length ? fitting : otherSide).filter((o) => !(processor.index === 0 && o.index === 1));
    const recipient = rnd.pick(candidates);
    let offset: number;
    let filings: FilingTargets = accepted();
    switch (kind) {
      case 'SUBMITTED':
        offset = rnd.chance(0.5) ? -rnd.int(2, 9) : -rnd.int(20, 150);
        filings = { processor: rnd.chance(0.3) ? 'ACCEPTED' : 'SUBMITTED', recipient: 'SUBMITTED', returnFirst: [] };
        break;
      case 'RETURNED': {
        offset = -rnd.int(12, 90);
        const other: FilingTarget = rnd.chance(0.5) ? 'ACCEPTED' : 'SUBMITTED';
        filings = rnd.chance(0.5) ? { processor: 'RETURNED', recipient: other, returnFirst: [] } : { processor: other, recipient: 'RETURNED', returnFirst: [] };
        break;
      }
      case 'AMENDED':
      case 'AMENDED_REFILING':
      case 'TERMINATED':
        offset = -rnd.int(150, 330);
        break;
      case 'OVERDUE':
        offset = -rnd.int(25, 150);
        filings = rnd.chance(0.7)
          ? { processor: 'NOT_SUBMITTED', recipient: 'NOT_SUBMITTED', returnFirst: [] }
          : { processor: 'NOT_SUBMITTED', recipient: 'SUBMITTED', returnFirst: [] };
        break;
      case 'EXPIRED':
        offset = -rnd.int(400, 700);
        break;
      case 'PENDING':
        offset = rnd.int(5, 60);
        filings = { processor: 'NOT_SUBMITTED', recipient: 'NOT_SUBMITTED', returnFirst: [] };
        break;
      default:
        offset = -rnd.int(20, 330);
        if (rnd.chance(0.2)) filings = accepted([rnd.pick<Party>(['processor', 'recipient'])]);
    }
    let effective = addDays(anchor, offset);
    while (used.has(`${processor.index}|${recipient.index}|${effective}`)) effective = addDays(effective, -1);
    const plan = planContract(key, kind, null, processor, recipient, anchor, effective, filings, rnd);
    if (kind === 'ACCEPTED' && rnd.chance(0.08)) {
      plan.incident = {
        occurredAt: `${addDays(effective, rnd.int(1, 9))}T0${rnd.int(1, 8)}:15:00Z`,
        description: rnd.pick([
          'An encrypted file was sent to a superseded endpoint and deleted unopened.',
          'A batch was transferred twice; the duplicate was deleted by the recipient.',
        ]),
        affectedDataSubjects: rnd.int(1, 400),
        by: rnd.pick<Party>(['processor', 'recipient']),
      };
    }
    plans.push(plan);
    remember(plan);
  }
  return plans;
}

/** Shares `total` transfers among contracts by weight (largest remainder), none for contracts not yet in effect. */
function allocateTransfers(plans: ContractPlan[], organisations: OrganisationPlan[], total: number): void {
  const volume: Record<Sector, number> = { BANKING: 1.5, CREDIT_REFERENCING: 1.0, HEALTHCARE: 0.8 };
  const weights = plans.map((p) => {
    if (p.kind === 'PENDING') return 0;
    const rnd = new Random(`volume ${p.key}`);
    return volume[organisations[p.processor].sector] * (0.5 + rnd.next());
  });
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (sum ? (total * w) / sum : 0));
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((s, c) => s + c, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    if (weights[i] > 0) {
      counts[i] += 1;
      left -= 1;
    }
  }
  plans.forEach((p, i) => (p.transfers = counts[i]));
}

export function planWorld(settings: { organisations: number; transfers: number; anchor: IsoDate }): DemoWorld {
  if (settings.organisations < MIN_ORGANISATIONS) throw new RangeError(`DEMO_ORGANISATIONS must be at least ${MIN_ORGANISATIONS}`);
  const organisations = planOrganisations(settings.organisations);
  const contracts = planContracts(organisations, settings.anchor);
  allocateTransfers(contracts, organisations, settings.transfers);
  return {
    anchor: settings.anchor,
    organisations,
    contracts,
    regulators: [
      { authority: 'GD_CAC', email: 'reviewer@gdcac.example', env: 'GD_CAC' },
      { authority: 'HK_DPO', email: 'reviewer@dpo.example', env: 'HK_DPO' },
      { authority: 'HK_PCPD', email: 'auditor@pcpd.example', env: 'PCPD' },
    ],
    adminEmail: 'programme.admin@registry.example',
    mainlandIndex: 0,
    hongKongIndex: 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Transfers

export interface TransferRecord {
  contractId: string;
  occurredAt: string;
  direction: Direction;
  dataSubjectCount: number;
  recordCount: number;
  personalInformationCategories: string[];
  sensitiveCategories: string[];
  purposes: string[];
  transferMethod: string;
  separateConsentObtained: boolean;
  onwardRecipient: { name: string; city: string } | null;
  payloadDigest: string;
  externalReference: string;
}

/** The days a contract's transfers fall on: clean from `from` to `to`; the planned late ones from `lateFrom` to `lateTo`. */
export interface TransferWindow {
  from: IsoDate;
  to: IsoDate;
  lateFrom: IsoDate | null;
  lateTo: IsoDate | null;
}

/** Share of ordinary records that break their contract on purpose (each earns a flag). */
export const DEVIATION_RATE = 0.025;

export function transferWindow(plan: ContractPlan, filingDeadlines: IsoDate[], anchor: IsoDate): TransferWindow {
  const yesterday = addDays(anchor, -1);
  const deadline = filingDeadlines.reduce((a, b) => (a < b ? a : b));
  const from = plan.terms.effectiveDate;
  const to = [deadline, yesterday, ...(plan.termination ? [addDays(plan.termination.terminatedOn, -1)] : [])].reduce((a, b) => (a < b ? a : b));
  let lateFrom: IsoDate | null = null;
  if (plan.late === 'AFTER_TERMINATION' && plan.termination) lateFrom = plan.termination.terminatedOn;
  if (plan.late === 'AFTER_DEADLINE') lateFrom = addDays(deadline, 1);
  const late = lateFrom !== null && lateFrom <= yesterday;
  return { from, to, lateFrom: late ? lateFrom : null, lateTo: late ? yesterday : null };
}

function instantOn(rnd: Random, from: IsoDate, to: IsoDate): string {
  const span = Math.max(0, daysBetween(from, to));
  let day = addDays(from, rnd.int(0, span));
  for (let i = 0; i < 3 && isWeekend(day); i += 1) day = addDays(from, rnd.int(0, span));
  const seconds = rnd.int(8 * 3600, 20 * 3600 - 1);
  const local = `${day}T${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}+08:00`;
  return new Date(local).toISOString();
}

/**
 * The records a contract logs, oldest first: `count` in all, a few of them (`late`) after the
 * clean window, and about DEVIATION_RATE of the others out of scope in one way or another.
 * The same inputs always give the same records, so batches keep their Idempotency-Key.
 */
export function transferRecords(
  plan: ContractPlan,
  organisation: OrganisationPlan,
  contractId: string,
  window: TransferWindow,
  count: number,
): TransferRecord[] {
  const rnd = new Random(`transfers ${plan.key}`);
  if (count <= 0 || window.from > window.to) return [];
  const lateCount = window.lateFrom ? Math.min(count, Math.max(1, Math.round(count * (plan.late === 'AFTER_DEADLINE' ? 0.08 : 0.04)))) : 0;
  const annex = plan.terms.annex;
  const records: Array<Omit<TransferRecord, 'externalReference' | 'payloadDigest'>> = [];
  for (let i = 0; i < count; i += 1) {
    const late = i < lateCount;
    const occurredAt = late ? instantOn(rnd, window.lateFrom!, window.lateTo!) : instantOn(rnd, window.from, window.to);
    const categories = annex.personalInformationCategories.filter((c, j) => j < 2 || rnd.chance(0.7));
    const sensitive = categories.includes('PROPERTY_FINANCIAL') || categories.includes('HEALTH') ? annex.sensitiveCategories.filter(() => rnd.chance(0.6)) : [];
    const dataSubjectCount = Math.max(1, Math.round(Math.exp(rnd.next() * Math.log(800))));
    const record = {
      contractId,
      occurredAt,
      direction: plan.direction,
      dataSubjectCount,
      recordCount: dataSubjectCount * rnd.int(1, 6),
      personalInformationCategories: categories,
      sensitiveCategories: sensitive,
      purposes: [rnd.pick(annex.purposes)],
      transferMethod: annex.transferMethod,
      separateConsentObtained: true,
      onwardRecipient: annex.onwardRecipients.length && rnd.chance(0.1) ? { ...rnd.pick(annex.onwardRecipients) } : null,
    };
    if (!late && rnd.chance(DEVIATION_RATE)) {
      switch (rnd.pick(['CATEGORY', 'PURPOSE', 'CONSENT', 'SENSITIVE', 'ONWARD', 'METHOD'] as const)) {
        case 'CATEGORY':
          record.personalInformationCategories = [...categories, 'LOCATION'];
          break;
        case 'PURPOSE':
          record.purposes = ['direct marketing'];
          break;
        case 'CONSENT':
          record.sensitiveCategories = [...annex.sensitiveCategories];
          record.separateConsentObtained = false;
          break;
        case 'SENSITIVE':
          record.sensitiveCategories = [...sensitive, 'BIOMETRIC'];
          break;
        case 'ONWARD':
          record.onwardRecipient = { name: 'Northern Data Analytics Co., Ltd.', city: 'BEIJING' };
          break;
        case 'METHOD':
          record.transferMethod = 'e-mail attachment';
          break;
      }
    }
    records.push(record);
  }
  records.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  const perDay = new Map<string, number>();
  return records.map((r, i) => {
    const day = r.occurredAt.slice(0, 10).replace(/-/g, '');
    const n = (perDay.get(day) ?? 0) + 1;
    perDay.set(day, n);
    return {
      ...r,
      payloadDigest: createHash('sha256').update(`demo dataset ${plan.key} ${i}`).digest('hex'),
      externalReference: `${organisation.referencePrefix}-${day}-${String(n).padStart(4, '0')}`,
    };
  });
}
