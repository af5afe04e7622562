/*
 * The rules that are data (docs/rules.md#rules-as-data): what each setting may be, and which change of which
 * contract field may be named as a re-filing trigger. The values themselves are rows (tables
 * `rule_settings` and `refiling_triggers`, seeded by migration 1795688000000, changed by a SYSTEM_ADMIN
 * through PUT /rules/... or by a migration); this file holds only their vocabulary and how a setting
 * is resolved for a regime. Pure: no framework, no database.
 */

/** [C] confirmed from a public source; [A] our assumption (docs/rules.md, "How to read each entry"). */
export const CONFIDENCES = ['C', 'A'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** The `source` of a rule that rests on no public text. */
export const ASSUMPTION = 'assumption';

/** The regime key of a setting that applies to every regime without its own row. */
export const ALL_REGIMES = '*';

/**
 * The settings and the values each may take; the first value is the default when no row is found.
 * - STORAGE_LOCATION (docs/rules.md#r5) [A]: REFUSE a contract whose annex stores the information outside the
 *   GBA (422 STORAGE_OUTSIDE_GBA), or ALLOW it.
 * - PIPIA_BEFORE (docs/rules.md#r6) [C]: the PIPIA must be completed before the FIRST_TRANSFER (transfers dated
 *   before it are flagged PIPIA_AFTER_TRANSFER), or, stricter, by the EFFECTIVE_DATE (a later PIPIA is
 *   refused, 422 PIPIA_AFTER_EFFECTIVE; transfers are still flagged).
 * - SECTOR_GATE_PARTY (docs/rules.md#r15) [A]: whose sector must have opened by the effective date: the
 *   PROCESSOR's, the RECIPIENT's, or BOTH.
 */
export const RULE_SETTINGS = {
  STORAGE_LOCATION: { rule: 'R5', values: ['REFUSE', 'ALLOW'] },
  PIPIA_BEFORE: { rule: 'R6', values: ['FIRST_TRANSFER', 'EFFECTIVE_DATE'] },
  SECTOR_GATE_PARTY: { rule: 'R15', values: ['PROCESSOR', 'RECIPIENT', 'BOTH'] },
} as const satisfies Record<string, { rule: string; values: readonly string[] }>;
export type RuleSettingCode = keyof typeof RULE_SETTINGS;
export const RULE_SETTING_CODES = Object.keys(RULE_SETTINGS) as RuleSettingCode[];
export type RuleSettingValue<C extends RuleSettingCode> = (typeof RULE_SETTINGS)[C]['values'][number];

export function isRuleSettingCode(code: string): code is RuleSettingCode {
  return Object.prototype.hasOwnProperty.call(RULE_SETTINGS, code);
}

/** One stored setting: for one regime, or for all (`regime` = ALL_REGIMES). */
export interface RuleSettingRow {
  code: string;
  regime: string;
  value: string;
}

/** The settings in force for a contract under one regime. */
export type RegimeRuleSettings = { [C in RuleSettingCode]: RuleSettingValue<C> };

/**
 * The value of each setting for `regime`: the regime's own row, else the row for all regimes, else the
 * default (the first allowed value). A stored value the code does not know counts as absent.
 */
export function settingsFor(rows: readonly RuleSettingRow[], regime: string): RegimeRuleSettings {
  const out = {} as Record<RuleSettingCode, string>;
  for (const code of RULE_SETTING_CODES) {
    const allowed: readonly string[] = RULE_SETTINGS[code].values;
    const pick = (key: string) => rows.find((r) => r.code === code && r.regime === key && allowed.includes(r.value))?.value;
    out[code] = pick(regime) ?? pick(ALL_REGIMES) ?? allowed[0];
  }
  return out as RegimeRuleSettings;
}

/**
 * R12 (docs/rules.md#r12): the kinds of change an amendment can make to a field, as compared with the
 * version it amends. ADDED / REMOVED: an item appears in or leaves a list (compared as a set). EXTENDED /
 * SHORTENED: a date moves later / earlier. CHANGED: any difference (for a list: an item added or removed).
 */
export const CHANGE_KINDS = ['ADDED', 'REMOVED', 'EXTENDED', 'SHORTENED', 'CHANGED'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

const LIST: readonly ChangeKind[] = ['ADDED', 'REMOVED', 'CHANGED'];
const DATE: readonly ChangeKind[] = ['EXTENDED', 'SHORTENED', 'CHANGED'];
const VALUE: readonly ChangeKind[] = ['CHANGED'];

/** Every field of a version an amendment is compared on, with the kinds of change it can undergo. */
export const AMENDMENT_FIELDS = {
  regime: VALUE,
  effectiveDate: DATE,
  expiryDate: VALUE,
  importantDataIncluded: VALUE,
  appendixII: VALUE,
  'annex.purposes': LIST,
  'annex.processingMethods': LIST,
  'annex.dataSubjectCategories': LIST,
  'annex.personalInformationCategories': LIST,
  'annex.sensitiveCategories': LIST,
  'annex.onwardRecipients': LIST,
  'annex.transferMethod': VALUE,
  'annex.retentionPeriod.from': DATE,
  'annex.retentionPeriod.to': DATE,
  'annex.storageLocation.city': VALUE,
  'annex.otherMatters': VALUE,
  'pipia.completedOn': DATE,
  'pipia.conclusion': VALUE,
  'pipia.reportSha256': VALUE,
  'pipia.lawfulnessAndNecessity': VALUE,
  'pipia.impactOnRights': VALUE,
  'pipia.recipientSafeguards': VALUE,
} as const satisfies Record<string, readonly ChangeKind[]>;
export type AmendmentField = keyof typeof AMENDMENT_FIELDS;
export const AMENDMENT_FIELD_PATHS = Object.keys(AMENDMENT_FIELDS) as AmendmentField[];

export function isAmendmentField(field: string): field is AmendmentField {
  return Object.prototype.hasOwnProperty.call(AMENDMENT_FIELDS, field);
}

/** R12: one re-filing trigger: a change of `change` kind to `field` requires re-filing while `active`. */
export interface RefilingTrigger {
  code: string;
  field: AmendmentField;
  change: ChangeKind;
  active: boolean;
  source: string;
  confidence: Confidence;
}

export interface TriggerProblem {
  field: string;
  rule: string;
  message: string;
}

/** What is wrong with a trigger an administrator proposes (empty when nothing). */
export function triggerProblems(field: string, change: string): TriggerProblem[] {
  if (!isAmendmentField(field)) {
    return [{ field: 'field', rule: 'R12', message: `must be one of ${AMENDMENT_FIELD_PATHS.join(', ')}` }];
  }
  const kinds: readonly string[] = AMENDMENT_FIELDS[field];
  if (!kinds.includes(change)) return [{ field: 'change', rule: 'R12', message: `a change of ${field} is one of ${kinds.join(', ')}` }];
  return [];
}
