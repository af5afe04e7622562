// R12 change analysis between two versions of a contract (docs/rules.md#r12).
//
// R12: a supplemental or new contract, and re-filing, is needed when processing would go beyond
// what was agreed; narrowing needs no re-filing. Which changes go beyond it is data: the
// re-filing triggers (table `refiling_triggers`, each with its source and confidence), passed in
// by the caller. This file only says what changed, and how (src/rules/domain/data-rules.ts,
// CHANGE_KINDS), and which triggers those changes meet.
//
// Decisions:
// - Lists whose order carries no meaning (purposes, processing methods, categories, onward
//   recipients) are compared as sets; free text is compared after `normaliseText` (NFKC, trim,
//   collapse whitespace, lower case). An item in the new list only is ADDED, one in the old list
//   only is REMOVED; either is also CHANGED.
// - Onward recipients are keyed by normalised name and city: moving a recipient to another city
//   removes one and adds another.
// - Dates (effective date, retention period, PIPIA date) compare as ISO strings: a later date is
//   EXTENDED, an earlier one SHORTENED; either is also CHANGED.
import { AmendmentField, ChangeKind, Confidence, RefilingTrigger } from '../../rules/domain/data-rules';
import { ContractTerms, normaliseText } from './contract-rules';

export const R12_RULE =
  'R12: a supplemental or new contract, and re-filing, is needed when processing would go beyond what was agreed ' +
  '(a purpose, method or category added, the retention period extended, the storage location or transfer method changed); ' +
  'narrowing needs no re-filing. The triggers are data, each with its source (docs/rules.md#r12).';

/** How one field changed. */
export interface FieldChange {
  field: AmendmentField;
  /** Every kind of change it underwent, in CHANGE_KINDS order (always includes CHANGED). */
  changes: ChangeKind[];
}

/** A trigger the amendment met. */
export interface TriggerHit {
  code: string;
  field: AmendmentField;
  change: ChangeKind;
  source: string;
  confidence: Confidence;
}

export interface AmendmentAnalysis {
  /** Dotted paths of every field that differs, in a fixed field order. */
  changedFields: string[];
  /** How each changed field changed. */
  changes: FieldChange[];
  refilingRequired: boolean;
  /** The changed fields that met an active trigger (the subset of changedFields that forces re-filing). */
  triggers: string[];
  /** The active triggers the amendment met, in the order of the triggers given. */
  triggeredBy: TriggerHit[];
  /** Why re-filing is or is not required, in words a filer reads. */
  refilingReason: string;
  rule: string;
}

/** The members of an analysis an amendment's answer carries, in the order it shows them (`AmendmentView`, `AmendmentPreview`). */
export function verdictOf(a: AmendmentAnalysis): AmendmentAnalysis {
  const { changedFields, changes, refilingRequired, triggers, triggeredBy, refilingReason, rule } = a;
  return { changedFields, changes, refilingRequired, triggers, triggeredBy, refilingReason, rule };
}

type Comparison = 'exact' | 'text' | 'codeSet' | 'textSet' | 'onward' | 'date';

interface FieldSpec {
  path: AmendmentField;
  get: (t: ContractTerms) => unknown;
  compare: Comparison;
}

const FIELDS: FieldSpec[] = [
  { path: 'regime', get: (t) => t.regime, compare: 'exact' },
  { path: 'effectiveDate', get: (t) => t.effectiveDate, compare: 'date' },
  { path: 'expiryDate', get: (t) => t.expiryDate ?? null, compare: 'exact' },
  { path: 'importantDataIncluded', get: (t) => t.importantDataIncluded, compare: 'exact' },
  // Appendix II, other terms agreed by the parties: compared, named by no seeded trigger.
  { path: 'appendixII', get: (t) => t.appendixII ?? null, compare: 'exact' },
  { path: 'annex.purposes', get: (t) => t.annex.purposes, compare: 'textSet' },
  { path: 'annex.processingMethods', get: (t) => t.annex.processingMethods, compare: 'textSet' },
  { path: 'annex.dataSubjectCategories', get: (t) => t.annex.dataSubjectCategories, compare: 'textSet' },
  { path: 'annex.personalInformationCategories', get: (t) => t.annex.personalInformationCategories, compare: 'codeSet' },
  { path: 'annex.sensitiveCategories', get: (t) => t.annex.sensitiveCategories, compare: 'codeSet' },
  { path: 'annex.onwardRecipients', get: (t) => t.annex.onwardRecipients, compare: 'onward' },
  { path: 'annex.transferMethod', get: (t) => t.annex.transferMethod, compare: 'text' },
  { path: 'annex.retentionPeriod.from', get: (t) => t.annex.retentionPeriod.from, compare: 'date' },
  { path: 'annex.retentionPeriod.to', get: (t) => t.annex.retentionPeriod.to, compare: 'date' },
  { path: 'annex.storageLocation.city', get: (t) => t.annex.storageLocation.city, compare: 'exact' },
  { path: 'annex.otherMatters', get: (t) => (t.annex.otherMatters ?? '').trim(), compare: 'exact' },
  { path: 'pipia.completedOn', get: (t) => t.pipia.completedOn, compare: 'date' },
  { path: 'pipia.conclusion', get: (t) => t.pipia.conclusion, compare: 'exact' },
  { path: 'pipia.reportSha256', get: (t) => t.pipia.reportSha256.toLowerCase(), compare: 'exact' },
  { path: 'pipia.lawfulnessAndNecessity', get: (t) => t.pipia.lawfulnessAndNecessity ?? null, compare: 'exact' },
  { path: 'pipia.impactOnRights', get: (t) => t.pipia.impactOnRights ?? null, compare: 'exact' },
  { path: 'pipia.recipientSafeguards', get: (t) => t.pipia.recipientSafeguards ?? null, compare: 'exact' },
];

/** The fields diffTerms compares, in its order (each is in AMENDMENT_FIELDS with the kinds it can report). */
export const COMPARED_FIELDS: readonly AmendmentField[] = FIELDS.map((f) => f.path);

const toSet = (values: unknown, normalise: (s: string) => string): Set<string> => new Set(((values as string[] | undefined) ?? []).map(normalise));

const onwardKey = (r: { name: string; city: string }) => `${normaliseText(r.name)}\u0000${r.city}`;

function setChanges(before: Set<string>, after: Set<string>): ChangeKind[] {
  const added = [...after].some((x) => !before.has(x));
  const removed = [...before].some((x) => !after.has(x));
  const out: ChangeKind[] = [];
  if (added) out.push('ADDED');
  if (removed) out.push('REMOVED');
  if (added || removed) out.push('CHANGED');
  return out;
}

/** The kinds of change one field underwent (empty when it did not change). */
function compareField(spec: FieldSpec, before: ContractTerms, after: ContractTerms): ChangeKind[] {
  const b = spec.get(before);
  const a = spec.get(after);
  switch (spec.compare) {
    case 'exact':
      return b !== a ? ['CHANGED'] : [];
    case 'text':
      return normaliseText(b as string) !== normaliseText(a as string) ? ['CHANGED'] : [];
    case 'codeSet':
      return setChanges(
        toSet(b, (s) => s),
        toSet(a, (s) => s),
      );
    case 'textSet':
      return setChanges(toSet(b, normaliseText), toSet(a, normaliseText));
    case 'onward':
      return setChanges(
        new Set((b as ContractTerms['annex']['onwardRecipients']).map(onwardKey)),
        new Set((a as ContractTerms['annex']['onwardRecipients']).map(onwardKey)),
      );
    case 'date':
      // ISO dates compare as strings.
      if (b === a) return [];
      return [(a as string) > (b as string) ? 'EXTENDED' : 'SHORTENED', 'CHANGED'];
    default: {
      const never: never = spec.compare;
      throw new Error(`unknown comparison ${String(never)}`);
    }
  }
}

const changeWords = (c: FieldChange) => `${c.field} ${c.changes.filter((k) => k !== 'CHANGED' || c.changes.length === 1).join('/')}`;

function reasonOf(changes: FieldChange[], hits: TriggerHit[]): string {
  if (hits.length) {
    const met = hits.map((h) => `${h.code} (${h.field} ${h.change}; source: ${h.source}; [${h.confidence}])`).join(', ');
    return `Re-filing required (R12): the amendment goes beyond the version it amends: ${met}.`;
  }
  return (
    `No re-filing (R12): the amendment does not go beyond the version it amends; ` +
    `${changes.map(changeWords).join(', ')} ${changes.length === 1 ? 'is' : 'are'} not a re-filing trigger.`
  );
}

/**
 * What changed from `before` to `after`, and whether R12 requires re-filing: it does when a change meets an
 * active trigger of `triggers` (its field changed in its kind of change).
 */
export function diffTerms(before: ContractTerms, after: ContractTerms, triggers: readonly RefilingTrigger[]): AmendmentAnalysis {
  const changes: FieldChange[] = [];
  for (const spec of FIELDS) {
    const kinds = compareField(spec, before, after);
    if (kinds.length) changes.push({ field: spec.path, changes: kinds });
  }
  const hits: TriggerHit[] = [];
  for (const trigger of triggers) {
    if (!trigger.active) continue;
    const change = changes.find((c) => c.field === trigger.field);
    if (!change?.changes.includes(trigger.change)) continue;
    const { code, field, change: kind, source, confidence } = trigger;
    hits.push({ code, field, change: kind, source, confidence });
  }
  const hitFields = new Set<string>(hits.map((h) => h.field));
  return {
    changedFields: changes.map((c) => c.field),
    changes,
    refilingRequired: hits.length > 0,
    triggers: changes.map((c) => c.field).filter((f) => hitFields.has(f)),
    triggeredBy: hits,
    refilingReason: changes.length ? reasonOf(changes, hits) : 'No change (R12).',
    rule: R12_RULE,
  };
}
