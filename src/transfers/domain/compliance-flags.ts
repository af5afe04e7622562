// Compliance flags for a well-formed transfer record against the contract
// version in force (docs/rules.md#compliance-flags: "logging is evidence, so an out-of-scope
// transfer is recorded and flagged, never dropped").
//
// Each flag cites its rule below. Decisions:
// - Dates vs instants: a contract's dates are calendar dates in the GBA, and
//   Mainland (Asia/Shanghai) and Hong Kong (Asia/Hong_Kong) both keep UTC+8
//   with no daylight saving, so a transfer's `occurredAt` (a UTC instant) is
//   compared through its UTC+8 calendar date (`gbaCalendarDate`). Thus
//   2025-01-23T16:00:00Z is 2025-01-24 in the GBA and is inside a contract
//   effective 2025-01-24.
// - A contract is in effect from its effective date through its expiry date
//   inclusive; a termination date is the first day it no longer applies
//   (transfers on or after it are flagged, R13).
// - Purposes, transfer method and onward-recipient names are free text and are
//   compared after `normaliseText` (NFKC, trim, collapse whitespace, lower
//   case); category codes are compared exactly.
// - ONWARD_RECIPIENT_NOT_IN_ANNEX: an onward recipient must be one the annex
//   lists, matched by normalised name and city code (the authority reviewed
//   that list; R5 and R12).
// - PIPIA_AFTER_TRANSFER: the version's PIPIA was completed after the transfer's
//   date: R6 requires it before the first transfer, and a contract whose PIPIA
//   comes after its effective date is accepted (the PIPIA_BEFORE rule setting),
//   so the transfer is logged and flagged. A PIPIA completed on the day of the
//   transfer counts as before it. PIPIA_MISSING: the version records no PIPIA
//   (every version filed through the API does; records logged before
//   PIPIA_AFTER_TRANSFER existed carry PIPIA_MISSING for a late PIPIA).
// - FILING_OVERDUE: some filing of the version was overdue on the transfer's
//   date (`isOverdueOn` in filing-lifecycle: not submitted by then and past its
//   deadline, R8). The filing outcome never gates a transfer (R7), so this is a
//   flag, not a refusal.
// - METHOD_NOT_IN_SCOPE: the record's transfer method differs (after
//   normalisation) from the annex's single declared method.
// - OCCURRED_IN_FUTURE: `occurredAt` is more than FUTURE_ALLOWANCE_MS after
//   the moment the registry logged it (`recordedAt`): a transfer cannot be
//   evidenced before it happened, so the record is kept as it came and
//   flagged (docs/rules.md#compliance-flags). The allowance absorbs the
//   clock drift between a filer's system and the registry.
//
// Performance: `computeFlags` runs for up to 10,000 records per request, so
// `buildScope` turns each contract version into Sets once; per record the work
// is a handful of Set lookups and string comparisons.
import { ContractTerms, Direction, IsoDate, isGbaCity, normaliseText } from '../../contracts/domain/contract-rules';
import { Geography, SEEDED_GEOGRAPHY } from '../../organisations/geography';
import { FilingDeadlineFacts, isOverdueOn } from '../../contracts/domain/filing-lifecycle';
import { instantMs } from '../../common/instant-ms';

export const COMPLIANCE_FLAGS = [
  'AFTER_RETENTION_PERIOD',
  'CATEGORY_NOT_IN_SCOPE',
  'CONTRACT_EXPIRED',
  'CONTRACT_NOT_EFFECTIVE',
  'CONTRACT_TERMINATED',
  'DIRECTION_MISMATCH',
  'FILING_OVERDUE',
  'METHOD_NOT_IN_SCOPE',
  'OCCURRED_IN_FUTURE',
  'ONWARD_RECIPIENT_NOT_IN_ANNEX',
  'ONWARD_RECIPIENT_OUTSIDE_GBA',
  'PIPIA_AFTER_TRANSFER',
  'PIPIA_MISSING',
  'PURPOSE_NOT_IN_SCOPE',
  'SENSITIVE_NOT_IN_SCOPE',
  'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
] as const;
export type ComplianceFlag = (typeof COMPLIANCE_FLAGS)[number];

/** A compact, precomputed snapshot of one contract version, for flagging. Build with `buildScope`. */
export interface ContractScope {
  effectiveDate: IsoDate;
  expiryDate: IsoDate | null;
  terminatedOn: IsoDate | null;
  direction: Direction;
  categories: ReadonlySet<string>;
  sensitiveCategories: ReadonlySet<string>;
  /** Normalised with `normaliseText`. */
  purposes: ReadonlySet<string>;
  /** Normalised with `normaliseText`. */
  transferMethod: string;
  retentionEnd: IsoDate;
  pipiaCompletedOn: IsoDate | null;
  /** Keys from `onwardRecipientKey`. */
  onwardRecipients: ReadonlySet<string>;
  filings: readonly FilingDeadlineFacts[];
}

/** Facts about the version that are not in its terms. */
export interface ScopeExtra {
  /** R2: from `deriveDirection(processor, recipient)`. */
  direction: Direction;
  /** R13: the termination date, if the contract was terminated. */
  terminatedOn?: IsoDate | null;
  /** R8: the version's two filings (deadline, status, first submission). */
  filings: readonly FilingDeadlineFacts[];
}

export interface OnwardRecipientFacts {
  name: string;
  city: string;
}

/** The fields of a transfer record (docs/api.md#example-post-transfers) that flagging reads. */
export interface TransferFacts {
  /** UTC instant, ISO 8601, or a Date. */
  occurredAt: string | Date;
  direction: Direction;
  personalInformationCategories: readonly string[];
  sensitiveCategories: readonly string[];
  purposes: readonly string[];
  transferMethod: string;
  separateConsentObtained: boolean;
  onwardRecipient?: OnwardRecipientFacts | null;
}

export function onwardRecipientKey(r: OnwardRecipientFacts): string {
  return `${normaliseText(r.name)}\u0000${r.city}`;
}

const UTC_PLUS_8_MS = 8 * 60 * 60 * 1000;

/** How far after the logging instant a record's `occurredAt` may be before it is OCCURRED_IN_FUTURE: clock drift, not a transfer to come. */
export const FUTURE_ALLOWANCE_MS = 5 * 60 * 1000;

const msOf = (instant: string | Date): number => (typeof instant === 'string' ? instantMs(instant) : instant.getTime());

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, the form every stored instant is normalised to (transfer-records.ts, normaliseInstant). */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Days in `month` (1–12) of `year`, proleptic Gregorian, as Date counts them. */
function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * The calendar date in the GBA (UTC+8, no daylight saving) of a UTC instant. An instant in the canonical UTC form
 * is read off the string: before 16:00 UTC it falls on its own date, from 16:00 on the next day, counted here with
 * month and year ends and leap days. Anything else goes through Date (README, Performance: three date conversions
 * per record were 5% of ingestion's CPU; a third of instants are after 16:00 UTC).
 */
export function gbaCalendarDate(instant: string | Date): IsoDate {
  if (typeof instant === 'string' && instant.length === 24 && CANONICAL_UTC.test(instant)) {
    const two = (at: number) => (instant.charCodeAt(at) - 48) * 10 + (instant.charCodeAt(at + 1) - 48);
    const year = two(0) * 100 + two(2);
    const month = two(5);
    const day = two(8);
    const hour = two(11);
    if (year >= 1 && year < 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour < 24) {
      if (hour < 16) return instant.slice(0, 10);
      if (day < daysIn(year, month)) return `${instant.slice(0, 8)}${twoDigits(day + 1)}`;
      if (month < 12) return `${instant.slice(0, 5)}${twoDigits(month + 1)}-01`;
      return `${String(year + 1).padStart(4, '0')}-01-01`;
    }
  }
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return new Date(ms + UTC_PLUS_8_MS).toISOString().slice(0, 10);
}

export function buildScope(terms: ContractTerms, extra: ScopeExtra): ContractScope {
  const { annex } = terms;
  return {
    effectiveDate: terms.effectiveDate,
    expiryDate: terms.expiryDate ?? null,
    terminatedOn: extra.terminatedOn ?? null,
    direction: extra.direction,
    categories: new Set(annex.personalInformationCategories),
    sensitiveCategories: new Set(annex.sensitiveCategories),
    purposes: new Set(annex.purposes.map(normaliseText)),
    transferMethod: normaliseText(annex.transferMethod),
    retentionEnd: annex.retentionPeriod.to,
    pipiaCompletedOn: terms.pipia?.completedOn ?? null,
    onwardRecipients: new Set(annex.onwardRecipients.map(onwardRecipientKey)),
    filings: extra.filings,
  };
}

// normaliseText (NFKC, whitespace, case) of the strings records repeat batch after batch (purposes, methods),
// remembered (README, Performance). Pure, so a bounded memo is exact.
const normalisedText = new Map<string, string>();
function normaliseRepeated(value: string): string {
  let out = normalisedText.get(value);
  if (out === undefined) {
    out = normaliseText(value);
    if (normalisedText.size >= 10_000) normalisedText.clear();
    normalisedText.set(value, out);
  }
  return out;
}

function anyMissing(values: readonly string[], allowed: ReadonlySet<string>, normalise?: (s: string) => string) {
  for (const v of values) if (!allowed.has(normalise ? normalise(v) : v)) return true;
  return false;
}

/**
 * Every flag the record earns against the scope, sorted alphabetically (empty for a clean record).
 * `recordedAt` is the instant the registry logs the record (the leaf's `recordedAt`; now if not given).
 */
export function computeFlags(
  scope: ContractScope,
  record: TransferFacts,
  recordedAt: string | Date = new Date(),
  geography: Geography = SEEDED_GEOGRAPHY,
): ComplianceFlag[] {
  const date = gbaCalendarDate(record.occurredAt);
  const flags: ComplianceFlag[] = [];

  // The log is evidence (docs/rules.md#compliance-flags): a transfer dated after it was logged is kept as it came, and flagged.
  if (msOf(record.occurredAt) > msOf(recordedAt) + FUTURE_ALLOWANCE_MS) flags.push('OCCURRED_IN_FUTURE');

  // R7 [C]: transfers may begin once the contract takes effect.
  if (date < scope.effectiveDate) flags.push('CONTRACT_NOT_EFFECTIVE');
  // R13: transfers logged on or after termination / after expiry are flagged.
  if (scope.terminatedOn !== null && date >= scope.terminatedOn) flags.push('CONTRACT_TERMINATED');
  if (scope.expiryDate !== null && date > scope.expiryDate) flags.push('CONTRACT_EXPIRED');
  // R2 [C]: the direction is fixed by the contract (processor → recipient).
  if (record.direction !== scope.direction) flags.push('DIRECTION_MISMATCH');
  // Annex scope (§3): categories, sensitive categories, purposes, method.
  if (anyMissing(record.personalInformationCategories, scope.categories)) flags.push('CATEGORY_NOT_IN_SCOPE');
  if (anyMissing(record.sensitiveCategories, scope.sensitiveCategories)) flags.push('SENSITIVE_NOT_IN_SCOPE');
  // PIPL art. 29 (and art. 39 for cross-border provision): sensitive personal
  // information needs the individual's separate consent.
  if (record.sensitiveCategories.length > 0 && !record.separateConsentObtained) {
    flags.push('SENSITIVE_WITHOUT_SEPARATE_CONSENT');
  }
  if (anyMissing(record.purposes, scope.purposes, normaliseRepeated)) flags.push('PURPOSE_NOT_IN_SCOPE');
  if (normaliseRepeated(record.transferMethod) !== scope.transferMethod) flags.push('METHOD_NOT_IN_SCOPE');
  // R5 [C]: no onward provision outside the GBA; and only to recipients the annex lists.
  const onward = record.onwardRecipient;
  if (onward) {
    if (!isGbaCity(onward.city, geography)) flags.push('ONWARD_RECIPIENT_OUTSIDE_GBA');
    if (!scope.onwardRecipients.has(onwardRecipientKey(onward))) flags.push('ONWARD_RECIPIENT_NOT_IN_ANNEX');
  }
  // R8 [C]: filing within 10 working days of the effective date.
  for (const filing of scope.filings) {
    if (isOverdueOn(filing, date)) {
      flags.push('FILING_OVERDUE');
      break;
    }
  }
  // R6 [C]: PIPIA before the first transfer.
  if (scope.pipiaCompletedOn === null) flags.push('PIPIA_MISSING');
  else if (scope.pipiaCompletedOn > date) flags.push('PIPIA_AFTER_TRANSFER');
  // Annex retention period; R18.
  if (date > scope.retentionEnd) flags.push('AFTER_RETENTION_PERIOD');

  return flags.sort();
}

export interface VersionEffective {
  version: number;
  effectiveDate: IsoDate;
}

/**
 * The version in force on the transfer's GBA date: the highest version number
 * whose effective date is on or before it (a later amendment supersedes even
 * if dated oddly). If the transfer predates every version, the first version
 * (lowest number), so the record is flagged CONTRACT_NOT_EFFECTIVE against it.
 * Returns undefined only for an empty list.
 */
export function selectVersionInForce<V extends VersionEffective>(versions: readonly V[], occurredAt: string | Date): V | undefined {
  return versionSelector(versions)(occurredAt);
}

/** `selectVersionInForce` with the versions sorted once, for a batch of records. */
export function versionSelector<V extends VersionEffective>(versions: readonly V[]): (occurredAt: string | Date) => V | undefined {
  const byVersionDesc = [...versions].sort((a, b) => b.version - a.version);
  const first = byVersionDesc[byVersionDesc.length - 1];
  return (occurredAt) => {
    const date = gbaCalendarDate(occurredAt);
    for (const v of byVersionDesc) if (v.effectiveDate <= date) return v;
    return first;
  };
}
