// R12 change analysis between two versions of a contract (docs/rules.md#r12).
//
// R12 [C for purpose, method, categories; A for the rest] (Implementation
// Guidelines, CAC & ITIB announcement 2023 No. 3; PCPD guidance Dec 2023): a
// change in the purpose, scope, categories or sensitivity of the personal
// information, the transfer method, the storage location, the recipient's use
// or method of processing, or an extension of the retention period requires a
// supplemental or new contract and re-filing.
//
// Decisions:
// - Lists whose order carries no meaning (purposes, processing methods,
//   categories, onward recipients) are compared as sets; free text is compared
//   after `normaliseText` (NFKC, trim, collapse whitespace, lower case).
// - Retention: only a later `retentionPeriod.to` is an extension; a shortening
//   or a change of `from` alone is recorded as a change but does not trigger.
// - Onward recipients: a recipient (name + city) that was not in the previous
//   annex widens who receives the information — the recipient's use (R12) and
//   the R5 review — so it triggers; removing recipients only does not.
// - effectiveDate, expiryDate, otherMatters, regime, importantDataIncluded and
//   the PIPIA record are recorded as changes but do not trigger on their own.
import { ContractTerms, normaliseText } from './contract-rules';

export const R12_RULE =
  'R12: a change in the purpose, scope, categories or sensitivity of the personal information, the transfer method, ' +
  "the storage location, the recipient's use or method of processing, or an extension of the retention period " +
  'requires a supplemental or new contract and re-filing (Implementation Guidelines, CAC & ITIB 2023 No. 3).';

export interface AmendmentAnalysis {
  /** Dotted paths of every field that differs, in a fixed field order. */
  changedFields: string[];
  refilingRequired: boolean;
  /** The subset of changedFields that forces re-filing (R12). */
  triggers: string[];
  rule: string;
}

type Comparison = 'exact' | 'text' | 'codeSet' | 'textSet' | 'onward' | 'retentionEnd';

interface FieldSpec {
  path: string;
  get: (t: ContractTerms) => unknown;
  compare: Comparison;
  /** Whether a change to this field forces re-filing (for 'onward' and 'retentionEnd', only a widening does). */
  triggers: boolean;
}

const FIELDS: FieldSpec[] = [
  { path: 'regime', get: (t) => t.regime, compare: 'exact', triggers: false },
  { path: 'effectiveDate', get: (t) => t.effectiveDate, compare: 'exact', triggers: false },
  { path: 'expiryDate', get: (t) => t.expiryDate ?? null, compare: 'exact', triggers: false },
  { path: 'importantDataIncluded', get: (t) => t.importantDataIncluded, compare: 'exact', triggers: false },
  // Appendix II, other terms agreed by the parties: not a term R12 names.
  { path: 'appendixII', get: (t) => t.appendixII ?? null, compare: 'exact', triggers: false },
  // R12 purpose [C].
  { path: 'annex.purposes', get: (t) => t.annex.purposes, compare: 'textSet', triggers: true },
  // R12 recipient's use or method of processing [A].
  { path: 'annex.processingMethods', get: (t) => t.annex.processingMethods, compare: 'textSet', triggers: true },
  // R12 scope of the personal information [A].
  { path: 'annex.dataSubjectCategories', get: (t) => t.annex.dataSubjectCategories, compare: 'textSet', triggers: true },
  // R12 categories [C].
  {
    path: 'annex.personalInformationCategories',
    get: (t) => t.annex.personalInformationCategories,
    compare: 'codeSet',
    triggers: true,
  },
  // R12 sensitivity [A].
  { path: 'annex.sensitiveCategories', get: (t) => t.annex.sensitiveCategories, compare: 'codeSet', triggers: true },
  // Our decision (see header): new onward recipients trigger.
  { path: 'annex.onwardRecipients', get: (t) => t.annex.onwardRecipients, compare: 'onward', triggers: true },
  // R12 transfer method [C].
  { path: 'annex.transferMethod', get: (t) => t.annex.transferMethod, compare: 'text', triggers: true },
  { path: 'annex.retentionPeriod.from', get: (t) => t.annex.retentionPeriod.from, compare: 'exact', triggers: false },
  // R12 extension of the retention period [A].
  { path: 'annex.retentionPeriod.to', get: (t) => t.annex.retentionPeriod.to, compare: 'retentionEnd', triggers: true },
  // R12 storage location [A].
  { path: 'annex.storageLocation.city', get: (t) => t.annex.storageLocation.city, compare: 'exact', triggers: true },
  { path: 'annex.otherMatters', get: (t) => (t.annex.otherMatters ?? '').trim(), compare: 'exact', triggers: false },
  { path: 'pipia.completedOn', get: (t) => t.pipia.completedOn, compare: 'exact', triggers: false },
  { path: 'pipia.conclusion', get: (t) => t.pipia.conclusion, compare: 'exact', triggers: false },
  { path: 'pipia.reportSha256', get: (t) => t.pipia.reportSha256.toLowerCase(), compare: 'exact', triggers: false },
  { path: 'pipia.lawfulnessAndNecessity', get: (t) => t.pipia.lawfulnessAndNecessity ?? null, compare: 'exact', triggers: false },
  { path: 'pipia.impactOnRights', get: (t) => t.pipia.impactOnRights ?? null, compare: 'exact', triggers: false },
  { path: 'pipia.recipientSafeguards', get: (t) => t.pipia.recipientSafeguards ?? null, compare: 'exact', triggers: false },
];

const toSet = (values: unknown, normalise: (s: string) => string): Set<string> => new Set(((values as string[] | undefined) ?? []).map(normalise));

const onwardKey = (r: { name: string; city: string }) => `${normaliseText(r.name)}\u0000${r.city}`;

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** [changed, triggersRefiling] for one field. */
function compareField(spec: FieldSpec, before: ContractTerms, after: ContractTerms): [boolean, boolean] {
  const b = spec.get(before);
  const a = spec.get(after);
  switch (spec.compare) {
    case 'exact': {
      const changed = b !== a;
      return [changed, changed && spec.triggers];
    }
    case 'text': {
      const changed = normaliseText(b as string) !== normaliseText(a as string);
      return [changed, changed && spec.triggers];
    }
    case 'codeSet': {
      const changed = !sameSet(
        toSet(b, (s) => s),
        toSet(a, (s) => s),
      );
      return [changed, changed && spec.triggers];
    }
    case 'textSet': {
      const changed = !sameSet(toSet(b, normaliseText), toSet(a, normaliseText));
      return [changed, changed && spec.triggers];
    }
    case 'onward': {
      const bs = new Set((b as ContractTerms['annex']['onwardRecipients']).map(onwardKey));
      const as = new Set((a as ContractTerms['annex']['onwardRecipients']).map(onwardKey));
      const changed = !sameSet(bs, as);
      const added = [...as].some((k) => !bs.has(k));
      return [changed, added && spec.triggers];
    }
    case 'retentionEnd': {
      const changed = b !== a;
      // ISO dates compare as strings; only a later end is an extension.
      return [changed, changed && (a as string) > (b as string) && spec.triggers];
    }
    default: {
      const never: never = spec.compare;
      throw new Error(`unknown comparison ${String(never)}`);
    }
  }
}

/** What changed from `before` to `after`, and whether R12 requires re-filing. */
export function diffTerms(before: ContractTerms, after: ContractTerms): AmendmentAnalysis {
  const changedFields: string[] = [];
  const triggers: string[] = [];
  for (const spec of FIELDS) {
    const [changed, trigger] = compareField(spec, before, after);
    if (changed) changedFields.push(spec.path);
    if (trigger) triggers.push(spec.path);
  }
  return { changedFields, refilingRequired: triggers.length > 0, triggers, rule: R12_RULE };
}
