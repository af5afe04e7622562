// Filings of a GBA Standard Contract version (docs/rules.md#r8, docs/rules.md#r11).
//
// R8 [C] (Implementation Guidelines, CAC & ITIB announcement 2023 No. 3; OGCIO
// fact sheet Dec 2023): each party files with the authority of its own side
// within 10 working days from the date the contract takes effect — the Mainland
// party with the Cyberspace Administration of Guangdong Province, the Hong Kong
// party with the Digital Policy Office (the OGCIO before 2024-07-25, when the
// OGCIO and the Efficiency Office merged into the DPO).
// R11 [A] (modelled on the national standard-contract filing practice): the
// authority accepts (issuing a filing number) or returns the filing with
// reasons; a returned filing is corrected and resubmitted.
//
// The lifecycle is a declared transition table (docs/contributing.md#shape-of-the-house; after vendure
// packages/core/src/config/order/default-order-process.ts).
import { defineLifecycle, Lifecycle } from '../../common/lifecycle';
import { FilingAuthority, Jurisdiction, SIDES } from '../../organisations/gba';

export type { FilingAuthority, Jurisdiction };

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

/** Every authority code of docs/api.md#code-lists (PCPD audits, it does not receive filings). */
export type Authority = FilingAuthority | 'HK_PCPD';

/** R8: each party files on its own side (the side's filing authority, src/organisations/gba.ts SIDES). */
export function filingAuthority(partyJurisdiction: Jurisdiction): FilingAuthority {
  const side = SIDES[partyJurisdiction] as (typeof SIDES)[Jurisdiction] | undefined;
  if (!side) throw new Error(`no filing authority for jurisdiction ${String(partyJurisdiction)}`);
  return side.filingAuthority;
}

/** R8 [C]: each party files within 10 working days from the date the contract takes effect (counted by R9). */
export const FILING_WORKING_DAYS = 10;

/** R8: a party's filing of a version: the authority of its side and the deadline its calendar gives (R9). */
export function plannedFiling(
  partyJurisdiction: Jurisdiction,
  deadline: { deadline: IsoDate; provisional: boolean },
): { authority: FilingAuthority; deadline: IsoDate; provisional: boolean } {
  return { authority: filingAuthority(partyJurisdiction), deadline: deadline.deadline, provisional: deadline.provisional };
}

export interface AuthorityNames {
  en: string;
  zhHant: string;
  zhHans: string;
}

/**
 * R8: the Digital Policy Office was formed on 2024-07-25 from the OGCIO and
 * the Efficiency Office (HKSAR Government press release, 25 Jul 2024). Filings
 * for contracts effective before that date were made with the OGCIO.
 */
export const DPO_ESTABLISHED_ON: IsoDate = '2024-07-25';

const NAMES: Record<Authority | 'HK_OGCIO', AuthorityNames> = {
  GD_CAC: {
    en: 'Cyberspace Administration of Guangdong Province',
    zhHant: '廣東省互聯網信息辦公室',
    zhHans: '广东省互联网信息办公室',
  },
  HK_DPO: {
    en: 'Digital Policy Office (DPO)',
    zhHant: '數字政策辦公室',
    zhHans: '数字政策办公室',
  },
  HK_OGCIO: {
    en: 'Office of the Government Chief Information Officer (OGCIO)',
    zhHant: '政府資訊科技總監辦公室',
    zhHans: '政府资讯科技总监办公室',
  },
  // R8: Macao's Personal Data Protection Bureau (個人資料保護局, DSPDP), with which the Macao party
  // files under the Mainland–Macao Standard Contract (from 2024-09-10).
  MO_DSPDP: {
    en: 'Personal Data Protection Bureau (DSPDP)',
    zhHant: '個人資料保護局',
    zhHans: '个人资料保护局',
  },
  HK_PCPD: {
    en: 'Office of the Privacy Commissioner for Personal Data (PCPD)',
    zhHant: '個人資料私隱專員公署',
    zhHans: '个人资料私隐专员公署',
  },
};

/** The authority's names (English, 繁體, 简体) as of `onDate` (normally the contract's effective date). */
export function authorityNames(authority: Authority, onDate: IsoDate): AuthorityNames {
  assertIsoDate(onDate, 'onDate');
  if (authority === 'HK_DPO' && onDate < DPO_ESTABLISHED_ON) return { ...NAMES.HK_OGCIO };
  return { ...NAMES[authority] };
}

export type NameLanguage = 'en' | 'zh-Hant' | 'zh-Hans';

/** One name of the authority as of `onDate`; English unless another language is asked for. */
export function authorityName(authority: Authority, onDate: IsoDate, language: NameLanguage = 'en'): string {
  const names = authorityNames(authority, onDate);
  return language === 'zh-Hant' ? names.zhHant : language === 'zh-Hans' ? names.zhHans : names.en;
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
// GDCAC-GBA-2025-000123, HKDPO-GBA-2025-000123. The authorities' own numbering
// is not public [A]; this is the registry's number, issued on ACCEPT (R11).
const FILING_NUMBER_PREFIX: Record<FilingAuthority, string> = { GD_CAC: 'GDCAC', HK_DPO: 'HKDPO', MO_DSPDP: 'MODSPDP' };
const AUTHORITY_OF_PREFIX: Record<string, FilingAuthority> = Object.fromEntries(
  Object.entries(FILING_NUMBER_PREFIX).map(([authority, prefix]) => [prefix, authority as FilingAuthority]),
);
const FILING_NUMBER_RE = /^([A-Z]+)-GBA-(\d{4})-(\d{6})$/;

export function formatFilingNumber(authority: FilingAuthority, year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 2023 || year > 9999) throw new RangeError(`filing year ${year} out of range`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) {
    throw new RangeError(`filing sequence ${sequence} out of range 1..999999`);
  }
  return `${FILING_NUMBER_PREFIX[authority]}-GBA-${year}-${String(sequence).padStart(6, '0')}`;
}

export function parseFilingNumber(filingNumber: string): { authority: FilingAuthority; year: number; sequence: number } | null {
  const m = FILING_NUMBER_RE.exec(filingNumber);
  if (!m) return null;
  const sequence = Number(m[3]);
  const authority = AUTHORITY_OF_PREFIX[m[1]] as FilingAuthority | undefined;
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
