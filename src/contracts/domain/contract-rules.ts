// Validation of a proposed GBA Standard Contract version (docs/rules.md).
// Sources: Implementation Guidelines (CAC & ITIB announcement 2023 No. 3,
// 10/13 Dec 2023); OGCIO fact sheet (Dec 2023); PCPD guidance (Dec 2023);
// all-sector extension announcement (Oct 2024). Each check below cites its rule.
//
// Pure function: the caller (contracts service) loads the parties, computes
// whose sector was not open on the effective date (R15 phases are data owned by
// the rollout module; whose sector counts is a rule setting) and reads the rule
// settings that are data (R5 storage, R6 PIPIA: src/rules/domain/data-rules.ts),
// and passes plain facts in.

import { directionOf, Geography, SEEDED_GEOGRAPHY, sideOfCity } from '../../organisations/geography';
import { GBA_CITIES as ALL_GBA_CITIES, HONG_KONG_GBA_CITIES, MAINLAND_GBA_CITIES, Direction, Jurisdiction } from '../../organisations/gba';
import type { RegimeRuleSettings } from '../../rules/domain/data-rules';

export type IsoDate = string;
export type { Direction, Jurisdiction };

// R1 [C]: the nine Mainland GBA cities, Hong Kong and Macao (docs/api.md#code-lists `city`), and any
// side's cities added as data (src/organisations/geography.ts, docs/rules.md#r16). Which two sides a
// contract may join is its regime's (R16).
export { MAINLAND_GBA_CITIES, HONG_KONG_GBA_CITIES };
export const GBA_CITIES: ReadonlySet<string> = new Set<string>(ALL_GBA_CITIES);

/** R1, R5: a city of one of the sides (the seeded ones unless `geography` is given). */
export function isGbaCity(city: string | null | undefined, geography: Geography = SEEDED_GEOGRAPHY): boolean {
  return sideOfCity(geography, city) !== null;
}

export interface OnwardRecipient {
  name: string;
  city: string;
}

export interface RetentionPeriod {
  from: IsoDate;
  to: IsoDate;
}

/** The contract's annex (docs/api.md#example-post-contracts). */
export interface ContractAnnex {
  purposes: string[];
  processingMethods: string[];
  dataSubjectCategories: string[];
  personalInformationCategories: string[];
  sensitiveCategories: string[];
  onwardRecipients: OnwardRecipient[];
  transferMethod: string;
  retentionPeriod: RetentionPeriod;
  storageLocation: { city: string };
  otherMatters?: string;
}

/** R6: the PIPIA record (the report itself stays with the parties; we keep its date, conclusion and digest). */
export interface PipiaRecord {
  completedOn: IsoDate;
  conclusion: string;
  reportSha256: string;
  /** R6(a) lawfulness, legitimacy and necessity of purpose, scope and method. */
  lawfulnessAndNecessity?: string;
  /** R6(b) impact on and risk to individuals' rights. */
  impactOnRights?: string;
  /** R6(c) whether the recipient's undertakings and measures can protect the information. */
  recipientSafeguards?: string;
}

/** The terms of one contract version: `POST /contracts` less the parties (= the amendment body). */
export interface ContractTerms {
  regime: string;
  effectiveDate: IsoDate;
  expiryDate?: IsoDate | null;
  importantDataIncluded: boolean;
  annex: ContractAnnex;
  pipia: PipiaRecord;
  /** Appendix II: other terms agreed by the parties (null or absent: none). */
  appendixII?: string | null;
}

export interface PartyFacts {
  jurisdiction: Jurisdiction;
  city: string;
}

export const CONTRACT_RULE_CODES = [
  'PARTY_OUTSIDE_GBA',
  'SAME_SIDE_PARTIES',
  'REGIME_SIDES_MISMATCH',
  'IMPORTANT_DATA_DECLARED',
  'ONWARD_RECIPIENT_OUTSIDE_GBA',
  'STORAGE_OUTSIDE_GBA',
  'SECTOR_NOT_OPEN',
  'EXPIRY_BEFORE_EFFECTIVE',
  'RETENTION_PERIOD_INVALID',
  'PIPIA_AFTER_EFFECTIVE',
  'INVALID_DATE',
] as const;
export type ContractRuleCode = (typeof CONTRACT_RULE_CODES)[number];

export interface ContractViolation {
  code: ContractRuleCode;
  /** The rule of docs/rules.md ("R5"), or "CONSISTENCY" for checks that are plain data sanity. */
  rule: string;
  /** Dotted path into the request body, e.g. `annex.onwardRecipients[1].city`. */
  field: string;
  message: string;
}

export interface ProposedContract {
  terms: ContractTerms;
  processor: PartyFacts;
  recipient: PartyFacts;
  /**
   * R15: the parties whose sector had not opened on `terms.effectiveDate`, among those the SECTOR_GATE_PARTY
   * setting names (computed from phase data); empty when the gate is passed.
   */
  closedSectors: readonly ('processor' | 'recipient')[];
  /** The settings of R5 (storage location) and R6 (PIPIA) in force for the regime (rule_settings). */
  settings: Pick<RegimeRuleSettings, 'STORAGE_LOCATION' | 'PIPIA_BEFORE'>;
  /**
   * R16: the two sides `terms.regime` spans (rollout_regimes.sides, e.g. MAINLAND and HONG_KONG), or
   * null for an unknown regime (then the sector gate, which opens nothing under it, refuses).
   */
  regimeSides: readonly string[] | null;
  /** R1, R5: the sides' cities (data); the seeded ones when absent. */
  geography?: Geography;
}

/**
 * Free text in the annex (purposes, processing methods, data-subject
 * categories, transfer method) is compared after Unicode NFKC, trimming,
 * collapsing runs of whitespace and lower-casing, so "Credit  assessment" and
 * "credit assessment" are the same purpose. Decision: this avoids false
 * R12 re-filings and false transfer flags from typing differences, while any
 * change of wording still counts.
 */
export function normaliseText(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const ISO_DATE_RE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** A real calendar date in `YYYY-MM-DD` form (rejects 2025-02-30). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1;
}

/**
 * R2 [C]: the direction runs from the processor (exporter) to the recipient.
 * Throws for two parties on the same side (validate with `validateContract` first).
 */
export function deriveDirection(processorJurisdiction: string, recipientJurisdiction: string, geography: Geography = SEEDED_GEOGRAPHY): Direction {
  const direction = processorJurisdiction === recipientJurisdiction ? null : directionOf(geography, processorJurisdiction, recipientJurisdiction);
  // A direction value of two seeded sides, or of a side added as data (its direction code).
  if (direction) return direction as Direction;
  throw new RangeError(`not a cross-boundary pair: processor ${processorJurisdiction}, recipient ${recipientJurisdiction} (R2)`);
}

/**
 * Every rule a proposed contract version breaks, in a stable order (the order
 * of the checks below; list items by index). An empty list means it may be filed.
 */
// eslint-disable-next-line max-lines-per-function -- a checklist: the rules in the order their violations are listed
export function validateContract(input: ProposedContract): ContractViolation[] {
  const { terms, processor, recipient } = input;
  const geography = input.geography ?? SEEDED_GEOGRAPHY;
  const out: ContractViolation[] = [];
  const add = (code: ContractRuleCode, rule: string, field: string, message: string) => out.push({ code, rule, field, message });

  // R1 [C]: both parties registered in one of the nine cities or in Hong Kong,
  // and the city must belong to the party's own side.
  for (const [role, party] of [
    ['processor', processor],
    ['recipient', recipient],
  ] as const) {
    if (sideOfCity(geography, party.city) !== party.jurisdiction) {
      add(
        'PARTY_OUTSIDE_GBA',
        'R1',
        `${role}Id`,
        `The ${role} is registered in ${party.city} (${party.jurisdiction}), which is not one of the nine Mainland GBA cities, Hong Kong or Macao.`,
      );
    }
  }

  // R2 [C]: one party on each side.
  if (processor.jurisdiction === recipient.jurisdiction) {
    add('SAME_SIDE_PARTIES', 'R2', 'recipientId', `Both parties are in ${processor.jurisdiction}; the contract needs one party on each side of the boundary.`);
  }

  // R16 [C]: a regime is the contract between two given sides (Mainland–Hong Kong, Mainland–Macao);
  // the parties must be on exactly those sides, or a regime opened for another pair (with its own
  // phases) would let a Mainland–Hong Kong contract past the R15 gate.
  // (Two parties on one side are already refused by R2 above.)
  if (input.regimeSides !== null && processor.jurisdiction !== recipient.jurisdiction) {
    const sides = new Set(input.regimeSides);
    const parties = new Set([processor.jurisdiction, recipient.jurisdiction]);
    if (sides.size !== parties.size || [...parties].some((j) => !sides.has(j))) {
      add(
        'REGIME_SIDES_MISMATCH',
        'R16',
        'regime',
        `The ${terms.regime} regime is between ${[...input.regimeSides].join(' and ')}; the parties are in ${processor.jurisdiction} and ${recipient.jurisdiction}.`,
      );
    }
  }

  // R3 [C]: important data may not be transferred under the contract.
  if (terms.importantDataIncluded) {
    add(
      'IMPORTANT_DATA_DECLARED',
      'R3',
      'importantDataIncluded',
      'Personal information notified or published as important data may not be transferred under the GBA Standard Contract.',
    );
  }

  // R5 [C]: no onward transfer outside the GBA.
  terms.annex.onwardRecipients.forEach((r, i) => {
    if (!isGbaCity(r.city, geography)) {
      add('ONWARD_RECIPIENT_OUTSIDE_GBA', 'R5', `annex.onwardRecipients[${i}].city`, `Onward recipient "${r.name}" is in ${r.city}, outside the GBA.`);
    }
  });
  // R5 [A]: storage outside the GBA is our reading of "may not provide outside the GBA"; a rule setting
  // (STORAGE_LOCATION: REFUSE or ALLOW), marked assumed.
  if (input.settings.STORAGE_LOCATION === 'REFUSE' && !isGbaCity(terms.annex.storageLocation.city, geography)) {
    add('STORAGE_OUTSIDE_GBA', 'R5', 'annex.storageLocation.city', `Storage location ${terms.annex.storageLocation.city} is outside the GBA.`);
  }

  // R15 [C] for the phases, [A] for whose sector counts (the SECTOR_GATE_PARTY setting): that sector must be
  // open on the effective date.
  if (input.closedSectors.length) {
    const whose = input.closedSectors.map((p) => `the ${p}'s`).join(' and ');
    const subject = whose.charAt(0).toUpperCase() + whose.slice(1);
    add('SECTOR_NOT_OPEN', 'R15', 'effectiveDate', `${subject} sector was not open to the GBA Standard Contract on ${terms.effectiveDate}.`);
  }

  // Dates must be real before they can be compared.
  const dates: Array<[string, string | null | undefined, boolean]> = [
    ['effectiveDate', terms.effectiveDate, true],
    ['expiryDate', terms.expiryDate, false],
    ['annex.retentionPeriod.from', terms.annex.retentionPeriod.from, true],
    ['annex.retentionPeriod.to', terms.annex.retentionPeriod.to, true],
    ['pipia.completedOn', terms.pipia.completedOn, true],
  ];
  const bad = new Set<string>();
  for (const [field, value, required] of dates) {
    if (value == null && !required) continue;
    if (!isIsoDate(value)) {
      bad.add(field);
      add('INVALID_DATE', 'CONSISTENCY', field, `${field} must be a calendar date YYYY-MM-DD.`);
    }
  }
  const ok = (...fields: string[]) => fields.every((f) => !bad.has(f));

  // R13 [A]: an end date before the start is meaningless. Expiry on the
  // effective date itself is allowed (a one-day contract).
  if (terms.expiryDate != null && ok('effectiveDate', 'expiryDate') && terms.expiryDate < terms.effectiveDate) {
    add('EXPIRY_BEFORE_EFFECTIVE', 'CONSISTENCY', 'expiryDate', `Expiry date ${terms.expiryDate} is before the effective date ${terms.effectiveDate}.`);
  }

  const { from, to } = terms.annex.retentionPeriod;
  if (ok('annex.retentionPeriod.from', 'annex.retentionPeriod.to') && to < from) {
    add('RETENTION_PERIOD_INVALID', 'CONSISTENCY', 'annex.retentionPeriod.to', `Retention period ends (${to}) before it starts (${from}).`);
  }

  // R6 [C]: the PIPIA must be completed before the first transfer. By default (PIPIA_BEFORE = FIRST_TRANSFER)
  // a later PIPIA is not refused here: transfers dated before it are flagged PIPIA_AFTER_TRANSFER
  // (src/transfers/domain/compliance-flags.ts). With PIPIA_BEFORE = EFFECTIVE_DATE (stricter than the
  // sources), a completion date after the effective date is refused.
  if (input.settings.PIPIA_BEFORE === 'EFFECTIVE_DATE' && ok('pipia.completedOn', 'effectiveDate') && terms.pipia.completedOn > terms.effectiveDate) {
    add(
      'PIPIA_AFTER_EFFECTIVE',
      'R6',
      'pipia.completedOn',
      `The PIPIA was completed on ${terms.pipia.completedOn}, after the contract takes effect (${terms.effectiveDate}); under the PIPIA_BEFORE setting EFFECTIVE_DATE it must be completed by then.`,
    );
  }

  return out;
}
