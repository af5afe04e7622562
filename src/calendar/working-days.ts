/*
 * Working-day calendars for the sides of the GBA, and deadline counting (docs/rules.md#r9).
 *
 * Sources:
 * - R9 (docs/rules.md#r9): the effective date is day 0; the deadline is the 10th working day
 *   after it, in the filing party's own calendar. A year whose official calendar is not in the data
 *   counts the public holidays known by rule (holiday-rules.ts) and weekends, and every deadline
 *   counted through it is `provisional`; a deadline never falls on a known public holiday.
 * - Mainland: State Council General Office holiday notices (国务院办公厅关于…部分节假日安排的通知),
 *   e.g. 国办发明电〔2023〕7号 (2024) and 国办发明电〔2024〕12号 (2025), including the make-up
 *   working days (调休) that fall on Saturdays or Sundays. Data: npm `chinese-days`
 *   (github.com/vsme/chinese-days), file `dist/chinese-days.json` (keys `holidays`, `workdays`).
 * - Hong Kong: General Holidays Ordinance (Cap. 149) and the yearly list published at
 *   https://www.gov.hk/en/about/abouthk/holiday/<year>.htm. Data: npm `date-holidays`
 *   (github.com/commenthol/date-holidays), country HK, holidays of type `public` (the only type
 *   its HK data defines; they are the gazetted general holidays, with their substitution days).
 *   Saturdays and Sundays are not working days.
 * - Macao: Executive Order 60/2000 (public holidays) and the compensatory days of the public
 *   administration (holiday-rules.ts); Saturdays and Sundays are the government's rest days.
 *
 * Why the Mainland data is read from the package's JSON rather than through its `isWorkday()`:
 * chinese-days 1.5.7 parses `YYYY-MM-DD` into a local-time Date, so under a timezone west of UTC
 * (TZ=America/Los_Angeles) `isWorkday('2024-09-30')` returns false and weekends shift by a day.
 * All arithmetic here is on plain civil dates (day numbers), never on `Date` objects.
 *
 * Both packages load under jest through their CommonJS entries: `date-holidays` via its
 * `exports.require` → `lib/index.cjs`; chinese-days' JSON is plain JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import chineseDaysData from 'chinese-days/dist/chinese-days.json';
import { isDayOffByRule, MACAO_YEARS } from './holiday-rules';

export const JURISDICTIONS = ['MAINLAND', 'HONG_KONG', 'MACAO'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/**
 * The calendar of a side with no calendar in code, as data (calendar_jurisdictions, docs/rules.md#r9 and #r16):
 * its weekly rest days (0 = Sunday … 6 = Saturday) and the years whose public holidays are all recorded as
 * CLOSURE overrides. A year not listed is `provisional`: its holidays are not known.
 */
export interface DataCalendar {
  restDays: readonly number[];
  publishedYears: readonly number[];
}

/** An ISO 8601 calendar date, `YYYY-MM-DD`, with no time or zone. */
export type IsoDate = string;

export const OVERRIDE_KINDS = ['CLOSURE', 'WORKING_DAY'] as const;
export type CalendarOverrideKind = (typeof OVERRIDE_KINDS)[number];

/**
 * An administrator's ad-hoc change to one side's calendar (R9), e.g. a Hong Kong black-rainstorm
 * or typhoon-signal-8 closure (CLOSURE), or a day declared open (WORKING_DAY).
 * When the same date carries both kinds, CLOSURE wins: a closure can only lengthen a deadline,
 * which never cuts short the time the filing party was promised.
 */
export interface CalendarOverride {
  jurisdiction: Jurisdiction;
  date: IsoDate;
  kind: CalendarOverrideKind;
  reason: string;
}

export interface DeadlineResult {
  deadline: IsoDate;
  /** True when a calendar year between `from` and `deadline` has no published calendar (R9). */
  provisional: boolean;
  /** Those years, ascending; empty when `provisional` is false. */
  provisionalYears: number[];
}

export type CalendarValidationRule =
  'DATE_FORMAT' | 'DATE_INVALID' | 'DATE_OUT_OF_RANGE' | 'WORKING_DAYS_RANGE' | 'JURISDICTION_UNKNOWN' | 'OVERRIDE_KIND_UNKNOWN';

/** Bad input to the calendar functions; `field` and `rule` let an API answer 400 naming the field. */
export class CalendarValidationError extends Error {
  constructor(
    readonly field: string,
    readonly rule: CalendarValidationRule,
    message: string,
  ) {
    super(message);
    this.name = 'CalendarValidationError';
  }
}

export const MIN_WORKING_DAYS = 1;
export const MAX_WORKING_DAYS = 365;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;

// ---------------------------------------------------------------------------------------------
// Civil-date arithmetic on day numbers (days since 1970-01-01), after H. Hinnant,
// "chrono-Compatible Low-Level Date Algorithms" (days_from_civil / civil_from_days).

interface Civil {
  year: number;
  month: number;
  day: number;
}

function daysFromCivil({ year, month, day }: Civil): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): Civil {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function formatCivil({ year, month, day }: Civil): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/** Parses a strict `YYYY-MM-DD` string into a day number, or throws CalendarValidationError. */
export function parseIsoDate(value: unknown, field = 'date'): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new CalendarValidationError(field, 'DATE_FORMAT', `${field} must be a date written YYYY-MM-DD`);
  }
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12) {
    throw new CalendarValidationError(field, 'DATE_INVALID', `${field} ${value} is not a calendar date`);
  }
  const monthLength = month === 2 && isLeapYear(year) ? 29 : MONTH_LENGTHS[month - 1];
  if (day < 1 || day > monthLength) {
    throw new CalendarValidationError(field, 'DATE_INVALID', `${field} ${value} is not a calendar date`);
  }
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new CalendarValidationError(field, 'DATE_OUT_OF_RANGE', `${field} must be between ${MIN_YEAR}-01-01 and ${MAX_YEAR}-12-31`);
  }
  return daysFromCivil({ year, month, day });
}

/** Adds calendar days to an ISO date (UTC civil arithmetic; no time zone involved). */
export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  return formatCivil(civilFromDays(parseIsoDate(date) + days));
}

function assertJurisdiction(value: unknown, field = 'jurisdiction'): asserts value is Jurisdiction {
  if (!(JURISDICTIONS as readonly unknown[]).includes(value)) {
    throw new CalendarValidationError(field, 'JURISDICTION_UNKNOWN', `${field} must be one of ${JURISDICTIONS.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Mainland: chinese-days ships one entry per published year; a year is published when the
// package has any holiday for it (every State Council notice includes 元旦).

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const mainlandData = chineseDaysData as unknown as ChineseDaysData;
const mainlandHolidays = new Set(Object.keys(mainlandData.holidays));
const mainlandMakeUpWorkingDays = new Set(Object.keys(mainlandData.workdays));
const mainlandYears: readonly number[] = Object.freeze(
  [...new Set(Object.keys(mainlandData.holidays).map((d) => Number(d.slice(0, 4))))].sort((a, b) => a - b),
);

// ---------------------------------------------------------------------------------------------
// Hong Kong: date-holidays computes rules for any year, but lunar-calendar clashes need
// hand-written exceptions (e.g. 2026-04-07 "the day following Easter Monday" because the day
// following Ching Ming and Easter Monday coincide), which its maintainers add only when they
// check a year against the government's published list. The HK data file cites each year it
// was checked against as a `https://www.gov.hk/en/about/abouthk/holiday/<year>.htm` source, so
// the published years for Hong Kong are exactly the years cited there (2016–2026 in
// date-holidays 3.37.0). Upgrading the package widens the coverage with no code change.
// If that file cannot be read the module fails to load rather than silently treating every
// year as provisional.

function readHongKongSourceYears(): readonly number[] {
  const packageJson = require.resolve('date-holidays/package.json');
  const yamlPath = path.join(path.dirname(packageJson), 'data', 'countries', 'HK.yaml');
  const text = fs.readFileSync(yamlPath, 'utf8');
  const years = new Set<number>();
  for (const match of text.matchAll(/gov\.hk\/en\/about\/abouthk\/holiday\/(\d{4})\.htm/g)) {
    years.add(Number(match[1]));
  }
  if (years.size === 0) {
    throw new Error(`No gov.hk holiday sources cited in ${yamlPath}; cannot tell which Hong Kong years are published`);
  }
  return Object.freeze([...years].sort((a, b) => a - b));
}

const hongKongYears = readHongKongSourceYears();

// ---------------------------------------------------------------------------------------------

/** The calendar years whose official calendar the data packages hold, ascending. */
export function publishedYears(jurisdiction: Jurisdiction): readonly number[] {
  assertJurisdiction(jurisdiction);
  switch (jurisdiction) {
    case 'MAINLAND':
      return mainlandYears;
    case 'HONG_KONG':
      return hongKongYears;
    case 'MACAO':
      return MACAO_YEARS;
  }
}

export function isPublishedYear(jurisdiction: Jurisdiction, year: number): boolean {
  return publishedYears(jurisdiction).includes(year);
}

interface OverrideIndex {
  closures: Set<IsoDate>;
  workingDays: Set<IsoDate>;
}

function indexOverrides(jurisdiction: Jurisdiction, overrides: readonly CalendarOverride[], data?: DataCalendar): OverrideIndex {
  const index: OverrideIndex = { closures: new Set(), workingDays: new Set() };
  overrides.forEach((override, i) => {
    if (!data || override.jurisdiction !== jurisdiction) assertJurisdiction(override.jurisdiction, `overrides[${i}].jurisdiction`);
    const dayNumber = parseIsoDate(override.date, `overrides[${i}].date`);
    if (!(OVERRIDE_KINDS as readonly unknown[]).includes(override.kind)) {
      throw new CalendarValidationError(`overrides[${i}].kind`, 'OVERRIDE_KIND_UNKNOWN', `overrides[${i}].kind must be one of ${OVERRIDE_KINDS.join(', ')}`);
    }
    if (override.jurisdiction !== jurisdiction) return;
    const date = formatCivil(civilFromDays(dayNumber));
    (override.kind === 'CLOSURE' ? index.closures : index.workingDays).add(date);
  });
  return index;
}

function isWorkingDayNumber(jurisdiction: Jurisdiction, dayNumber: number, overrides: OverrideIndex, data?: DataCalendar): boolean {
  const civil = civilFromDays(dayNumber);
  const date = formatCivil(civil);
  if (overrides.closures.has(date)) return false;
  if (overrides.workingDays.has(date)) return true;
  const dow = weekday(dayNumber);
  // A side whose calendar is data: its rest days; its holidays are CLOSURE overrides.
  if (data) return !data.restDays.includes(dow);
  const weekend = dow === 0 || dow === 6;
  if (jurisdiction === 'MAINLAND' && isPublishedYear(jurisdiction, civil.year)) {
    if (mainlandMakeUpWorkingDays.has(date)) return true;
    if (mainlandHolidays.has(date)) return false;
    return !weekend;
  }
  // Hong Kong and Macao in every year, and the Mainland in a year the notices do not cover: the
  // public holidays by rule (Hong Kong's rules are the published calendar in a published year).
  return !weekend && !isDayOffByRule(jurisdiction, date);
}

/**
 * Whether `date` is a working day on `jurisdiction`'s side. In a year with no published calendar
 * the public holidays by rule (holiday-rules.ts), weekends and closures are non-working days.
 */
export function isWorkingDay(jurisdiction: Jurisdiction, date: IsoDate, overrides: readonly CalendarOverride[] = []): boolean {
  assertJurisdiction(jurisdiction);
  const dayNumber = parseIsoDate(date, 'date');
  return isWorkingDayNumber(jurisdiction, dayNumber, indexOverrides(jurisdiction, overrides));
}

/**
 * R9: `from` is day 0; the deadline is the `workingDays`-th working day after it.
 * `provisional` when any calendar year from `from` to the deadline is not published.
 */
export function deadline(
  jurisdiction: Jurisdiction,
  from: IsoDate,
  workingDays: number,
  overrides: readonly CalendarOverride[] = [],
  data?: DataCalendar,
): DeadlineResult {
  // A side with no calendar in code counts by its data calendar (`data`), given by the caller.
  if (!data) assertJurisdiction(jurisdiction);
  const start = parseIsoDate(from, 'from');
  if (!Number.isInteger(workingDays) || workingDays < MIN_WORKING_DAYS || workingDays > MAX_WORKING_DAYS) {
    throw new CalendarValidationError(
      'workingDays',
      'WORKING_DAYS_RANGE',
      `workingDays must be a whole number from ${MIN_WORKING_DAYS} to ${MAX_WORKING_DAYS}`,
    );
  }
  if (data && data.restDays.length >= 7) {
    throw new CalendarValidationError('jurisdiction', 'JURISDICTION_UNKNOWN', `${jurisdiction}'s calendar has no working day in the week`);
  }
  const index = indexOverrides(jurisdiction, overrides, data);
  const lastDay = daysFromCivil({ year: MAX_YEAR, month: 12, day: 31 });

  let cursor = start;
  let counted = 0;
  while (counted < workingDays) {
    cursor += 1;
    if (cursor > lastDay) {
      throw new CalendarValidationError('from', 'DATE_OUT_OF_RANGE', `the deadline would fall after ${MAX_YEAR}-12-31`);
    }
    if (isWorkingDayNumber(jurisdiction, cursor, index, data)) counted += 1;
  }

  const firstYear = civilFromDays(start).year;
  const end = civilFromDays(cursor);
  const provisionalYears: number[] = [];
  for (let year = firstYear; year <= end.year; year += 1) {
    if (data ? !data.publishedYears.includes(year) : !isPublishedYear(jurisdiction, year)) provisionalYears.push(year);
  }
  return { deadline: formatCivil(end), provisional: provisionalYears.length > 0, provisionalYears };
}
