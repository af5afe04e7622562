// Filings of a GBA Standard Contract version (docs/rules.md#r8, docs/rules.md#r11).
//
// R8 [C] (Implementation Guidelines, CAC & ITIB announcement 2023 No. 3; OGCIO
// fact sheet Dec 2023): each party files with the authority of its own side
// within 10 working days from the date the contract takes effect — the Mainland
// party with the Cyberspace Administration of Guangdong Province, the Hong Kong
// party with the Digital Policy Office (the OGCIO before 2024-07-25, when the
// OGCIO and the Efficiency Office merged into the DPO). Which authority, how many
// working days and the authority's names over time are data (docs/rules.md#r16),
// passed in by the caller.
// R11 [A] (modelled on the national standard-contract filing practice): the
// authority accepts (issuing a filing number) or returns the filing with
// reasons; a returned filing is corrected and resubmitted.
//
// The lifecycle is a declared transition table (docs/contributing.md#shape-of-the-house; after vendure
// packages/core/src/config/order/default-order-process.ts).
import { defineLifecycle, Lifecycle } from '../../common/lifecycle';
import type { Jurisdiction } from '../../organisations/gba';

export type { Jurisdiction };
/** A filing authority's code (rollout_authorities, docs/rules.md#r16). */
export type FilingAuthority = string;

/** A calendar date, `YYYY-MM-DD` (docs/api.md#dates-and-times). Compared as strings. */
export type IsoDate = string;

export const FILING_STATUSES = ['NOT_SUBMITTED', 'SUBMITTED', 'ACCEPTED', 'RETURNED'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

export const FILING_ACTIONS = ['SUBMIT', 'ACCEPT', 'RETURN'] as const;
export type FilingAction = (typeof FILING_ACTIONS)[number];

// R11: ACCEPTED is final; a RETURNED filing goes back to SUBMITTED when corrected.
export const filingLifecycle: Lifecycle<FilingStatus, FilingAction> = defineLifecycle<FilingStatus, FilingAction>(
  {
    NOT_SUBMITTED: { SUBMIT: 'SUBMITTED' },
    SUBMITTED: { ACCEPT: 'ACCEPTED', RETURN: 'RETURNED' },
    RETURNED: { SUBMIT: 'SUBMITTED' },
    ACCEPTED: {},
  },
  { name: 'filing' },
);

/** The new filing status, or throws IllegalTransitionError (→ 409 naming from and to). */
export function nextFilingStatus(from: FilingStatus, action: FilingAction): FilingStatus {
  return filingLifecycle.next(from, action);
}

/** An authority code (docs/api.md#code-lists): rows of rollout_authorities (docs/rules.md#r16). */
export type Authority = string;

/** What the filing plan needs of the party's side of the regime (rollout_regime_sides, docs/rules.md#r16). */
export interface SideFilingRules {
  /** R8: the authority of the party's side. */
  filingAuthority: string;
  /** R8: working days from the effective date to the deadline (10 for both seeded regimes). */
  filingWorkingDays: number;
}

/** R8: each party files with the filing authority of its own side of the regime (data, docs/rules.md#r16). */
export function filingAuthority(side: Pick<SideFilingRules, 'filingAuthority'>): FilingAuthority {
  return side.filingAuthority;
}

/** R8: a party's filing of a version: the authority of its side and the deadline its calendar gives (R9). */
export function plannedFiling(
  side: Pick<SideFilingRules, 'filingAuthority'>,
  deadline: { deadline: IsoDate; provisional: boolean },
): { authority: FilingAuthority; deadline: IsoDate; provisional: boolean } {
  return { authority: filingAuthority(side), deadline: deadline.deadline, provisional: deadline.provisional };
}

export interface AuthorityNames {
  en: string;
  zhHant: string;
  zhHans: string;
}

/** One of an authority's names and the first date it applies (rollout_authority_names). */
export interface DatedAuthorityNames extends AuthorityNames {
  validFrom: IsoDate;
}

/**
 * R8: the authority's names (English, 繁體, 简体) as of `onDate` (normally the contract's effective date): the
 * name whose `validFrom` is the latest on or before it, else the earliest. The names over time are data: the
 * Digital Policy Office's from 2024-07-25 and the OGCIO's before (HKSAR Government press release, 25 Jul 2024).
 * The authority's code when it has no name at all.
 */
export function authorityNames(names: readonly DatedAuthorityNames[], onDate: IsoDate, code = ''): AuthorityNames {
  assertIsoDate(onDate, 'onDate');
  const ordered = [...names].sort((a, b) => (a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0));
  const current = ordered.filter((n) => n.validFrom <= onDate).pop() ?? ordered[0];
  return current ? { en: current.en, zhHant: current.zhHant, zhHans: current.zhHans } : { en: code, zhHant: code, zhHans: code };
}

export type NameLanguage = 'en' | 'zh-Hant' | 'zh-Hans';

/** One name of the authority as of `onDate`; English unless another language is asked for. */
export function authorityName(names: readonly DatedAuthorityNames[], onDate: IsoDate, language: NameLanguage = 'en', code = ''): string {
  const found = authorityNames(names, onDate, code);
  return language === 'zh-Hant' ? found.zhHant : language === 'zh-Hans' ? found.zhHans : found.en;
}

/** What the overdue check needs to know about one filing. */
export interface FilingDeadlineFacts {
  status: FilingStatus;
  /** R8/R9: the 10th working day after the effective date, in the filing party's calendar. */
  deadline: IsoDate;
  /** First submission date, if any (for the historical check `isOverdueOn`). */
  firstSubmittedOn?: IsoDate | null;
  /** R11 [A]: after a RETURN, the date by which it must be resubmitted (configured window), if set. */
  resubmissionDeadline?: IsoDate | null;
}

/**
 * Whether a filing is overdue today (docs/api.md#code-lists, computed `overdue`).
 *
 * Decision: the deadline is the last permitted day, so a filing becomes
 * overdue the day after it. Only a filing that is waiting for the party is
 * overdue — NOT_SUBMITTED past its deadline, or RETURNED past its
 * resubmission deadline (or, when no resubmission window is configured, past
 * the original deadline). A SUBMITTED filing waits for the authority and an
 * ACCEPTED one is done, so neither is overdue, even if submitted late.
 * `today` is the calendar date in the GBA (UTC+8; Mainland and Hong Kong share it).
 */
export function isOverdue(filing: FilingDeadlineFacts, today: IsoDate): boolean {
  assertIsoDate(filing.deadline, 'deadline');
  assertIsoDate(today, 'today');
  switch (filing.status) {
    case 'SUBMITTED':
    case 'ACCEPTED':
      return false;
    case 'NOT_SUBMITTED':
      return today > filing.deadline;
    case 'RETURNED':
      return today > (filing.resubmissionDeadline ?? filing.deadline);
    default: {
      const never: never = filing.status;
      throw new Error(`unknown filing status ${String(never)}`);
    }
  }
}

/**
 * `isOverdue` in SQL, for the list's filter (GET /contracts?overdue=): `filing` names the columns,
 * `today` the date. test/contracts/status-sql.e2e-spec.ts evaluates both on a table of cases in PostgreSQL.
 */
export function overdueSql(filing: { status: string; deadline: string; resubmissionDeadline: string }, today: string): string {
  return (
    `((${filing.status} = 'NOT_SUBMITTED' AND ${filing.deadline} < ${today}) OR ` +
    `(${filing.status} = 'RETURNED' AND COALESCE(${filing.resubmissionDeadline}, ${filing.deadline}) < ${today}))`
  );
}

/**
 * Whether a filing was overdue on a past (or present) date — used to flag
 * transfers (docs/rules.md#compliance-flags FILING_OVERDUE), which may be logged after the fact.
 * Overdue on `date` when `date` is after the deadline and the filing had not
 * been submitted by `date`. Once submitted, only the current RETURNED state can
 * make it overdue again (after its resubmission deadline); the registry does
 * not replay earlier return/resubmit rounds. Without `firstSubmittedOn`, a
 * filing that is no longer NOT_SUBMITTED falls back to `isOverdue`.
 */
export function isOverdueOn(filing: FilingDeadlineFacts, date: IsoDate): boolean {
  if (filing.status === 'NOT_SUBMITTED') return isOverdue(filing, date);
  const submittedOn = filing.firstSubmittedOn;
  if (submittedOn == null) return isOverdue(filing, date);
  assertIsoDate(submittedOn, 'firstSubmittedOn');
  if (submittedOn > date) return date > filing.deadline;
  return filing.status === 'RETURNED' && filing.resubmissionDeadline != null ? date > filing.resubmissionDeadline : false;
}

/**
 * Whether the filing was submitted after its deadline (R8): the GBA calendar date of its first
 * submission (`firstSubmittedOn`, taken in UTC+8 when it was submitted) is after the deadline, the
 * last permitted day. Derived from stored facts that never change once set, so a late filing stays
 * late when it is later accepted or returned. A filing not yet submitted is not late (it may be
 * `overdue`).
 */
export function isLate(filing: Pick<FilingDeadlineFacts, 'deadline' | 'firstSubmittedOn'>): boolean {
  return filing.firstSubmittedOn != null && filing.firstSubmittedOn > filing.deadline;
}

// Filing numbers: ASCII, sortable, one sequence per authority and year, e.g.
// GDCAC-GBA-2025-000123, HKDPO-GBA-2025-000123, the prefix being the authority's
// (rollout_authorities.filing_number_prefix). The authorities' own numbering
// is not public [A]; this is the registry's number, issued on ACCEPT (R11).
const FILING_NUMBER_RE = /^([A-Z]+)-GBA-(\d{4})-(\d{6})$/;

export function formatFilingNumber(prefix: string, year: number, sequence: number): string {
  if (!/^[A-Z]+$/.test(prefix)) throw new RangeError(`filing number prefix ${JSON.stringify(prefix)} must be capital letters`);
  if (!Number.isInteger(year) || year < 2023 || year > 9999) throw new RangeError(`filing year ${year} out of range`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) {
    throw new RangeError(`filing sequence ${sequence} out of range 1..999999`);
  }
  return `${prefix}-GBA-${year}-${String(sequence).padStart(6, '0')}`;
}

/** The parts of a filing number; `authorityOfPrefix` maps each authority's prefix to its code. */
export function parseFilingNumber(
  filingNumber: string,
  authorityOfPrefix: ReadonlyMap<string, FilingAuthority>,
): { authority: FilingAuthority; year: number; sequence: number } | null {
  const m = FILING_NUMBER_RE.exec(filingNumber);
  if (!m) return null;
  const sequence = Number(m[3]);
  const authority = authorityOfPrefix.get(m[1]);
  if (sequence === 0 || !authority) return null;
  return { authority, year: Number(m[2]), sequence };
}

const ISO_DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
function assertIsoDate(value: string, field: string): void {
  if (!ISO_DATE_RE.test(value)) throw new RangeError(`${field} must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
}

/** What `filingToActOn` needs of each of one party's filings. */
export interface PartyFilingFacts {
  version: number;
  status: FilingStatus;
}

/**
 * Which of one party's filings (one per filed version) a submit or review without an explicit
 * version acts on. A re-filing amendment adds filings for a version that may take effect later,
 * while the filings of the version in force are still open (R8: each is due 10 working days after
 * its own version takes effect); acting only on the newest would strand them, overdue for ever.
 * So: the earliest version whose filing is still open (not ACCEPTED) and allows `action`; else
 * the earliest open one (the caller's transition check then names the conflict); else the newest
 * filed version's (all accepted: 409 from the transition check). Null when the party has none.
 */
export function filingToActOn<F extends PartyFilingFacts>(filings: readonly F[], action: FilingAction): F | null {
  const byVersion = [...filings].sort((a, b) => a.version - b.version);
  const open = byVersion.filter((f) => f.status !== 'ACCEPTED');
  return open.find((f) => filingLifecycle.allowedActions(f.status).includes(action)) ?? open[0] ?? byVersion[byVersion.length - 1] ?? null;
}
