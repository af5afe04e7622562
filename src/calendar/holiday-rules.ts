/*
 * Public holidays by rule, for any year (docs/rules.md#r9). working-days.ts uses these days off in
 * a year whose official calendar is not in the data, and marks such a year `provisional`.
 *
 * - Mainland: the statutory holidays of 《全国年节及纪念日放假办法》 art. 2 as amended in 2024
 *   (holiday-data.ts), and art. 6: a holiday for all citizens that falls on a Saturday or Sunday is
 *   made up (补假) on a working day. Which working day is the annual notice's choice; here it is the
 *   first following weekday that is not itself a holiday or a made-up day, as the notices have done
 *   (e.g. 2023: 元旦 on Sunday, 1月2日 off) [A]. The make-up working days (调休) are unknown until the
 *   notice, so none are counted.
 * - Hong Kong: the general holidays of the General Holidays Ordinance (Cap. 149), computed by the
 *   `date-holidays` package's HK rules, which carry the Ordinance's own substitutions (a holiday
 *   on Sunday moves to the next day; the 4th day of Lunar New Year). Its HK data defines no type,
 *   so every day it returns is of type `public`: exactly the general holidays.
 * - Macao: the public holidays of Executive Order 60/2000 (holiday-data.ts), and the compensatory
 *   days (補假) of the public administration's statute (ETAPM, Decree-Law 87/89/M, art. 79(4)): a
 *   public holiday on a Saturday or Sunday is made up on the first following working day (the 2020
 *   official table has one for each such holiday, in order, skipping holidays). Full days of
 *   exemption from work (豁免上班, Decree-Law 7/97/M) are granted each year by the Chief Executive
 *   and are known only from that year's table (MACAO_PUBLISHED_YEARS).
 *
 * All dates are civil dates `YYYY-MM-DD`; the arithmetic uses UTC only, never local time.
 */
import Holidays from 'date-holidays';
import HolidaysParser from 'date-holidays-parser';
import { LRUCache } from 'lru-cache';
import { MACAO_PUBLIC_HOLIDAYS, MACAO_PUBLISHED_YEARS, MAINLAND_STATUTORY_HOLIDAYS } from './holiday-data';

export type RuleSide = 'MAINLAND' | 'HONG_KONG' | 'MACAO';

export interface DayOff {
  date: string;
  name: string;
  /** Why the day is off: a listed holiday, a substitute for one on a rest day, or a published exemption. */
  kind: 'HOLIDAY' | 'SUBSTITUTE' | 'EXEMPTION';
}

const MS_PER_DAY = 86_400_000;

function toUtc(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isWeekend(date: string): boolean {
  const dow = new Date(toUtc(date)).getUTCDay();
  return dow === 0 || dow === 6;
}

export interface ListedHoliday {
  date: string;
  name: string;
}

/** The listed holidays of one year from data in the `date-holidays` grammar, in date order. */
function listed(parser: { getHolidays(year: number): Array<{ date: string; name: string; type: string }> }, year: number): ListedHoliday[] {
  return (
    parser
      .getHolidays(year)
      .filter((h) => h.type === 'public')
      // `date` is local time in the data's zone ("2027-02-06 00:00:00"); `start` is a UTC instant.
      .map((h) => ({ date: h.date.slice(0, 10), name: h.name }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  );
}

/**
 * Each listed holiday on a Saturday or Sunday gets one substitute, in date order: the first
 * following weekday that is neither a listed holiday nor already a substitute. Two holidays on the
 * same weekend day get two substitutes. Substitutes may fall in the next year.
 */
export function substitutesForRestDays(holidays: readonly ListedHoliday[]): DayOff[] {
  const taken = new Set(holidays.map((h) => h.date));
  const substitutes: DayOff[] = [];
  for (const holiday of holidays) {
    if (!isWeekend(holiday.date)) continue;
    let ms = toUtc(holiday.date);
    let candidate: string;
    do {
      ms += MS_PER_DAY;
      candidate = fromUtc(ms);
    } while (isWeekend(candidate) || taken.has(candidate));
    taken.add(candidate);
    substitutes.push({ date: candidate, name: `substitute for ${holiday.name} (${holiday.date})`, kind: 'SUBSTITUTE' });
  }
  return substitutes;
}

let mainlandParser: HolidaysParser | undefined;
let hongKongParser: Holidays | undefined;
let macaoParser: HolidaysParser | undefined;

function parserFor(side: RuleSide): { getHolidays(year: number): Array<{ date: string; name: string; type: string }> } {
  switch (side) {
    case 'MAINLAND':
      return (mainlandParser ??= new HolidaysParser(MAINLAND_STATUTORY_HOLIDAYS, 'CN', { languages: ['zh'] }));
    case 'HONG_KONG':
      return (hongKongParser ??= new Holidays('HK'));
    case 'MACAO':
      return (macaoParser ??= new HolidaysParser(MACAO_PUBLIC_HOLIDAYS, 'MO', { languages: ['zh'] }));
  }
}

/**
 * The lunisolar arithmetic is the costly part of a count, so each side's year is listed once.
 * Bounded, because GET /calendar/deadline takes any year from 1900 to 9999.
 */
const YEARS_KEPT = 256;
const listedCache = new LRUCache<string, readonly ListedHoliday[]>({ max: YEARS_KEPT });

function listedFor(side: RuleSide, year: number): readonly ListedHoliday[] {
  const key = `${side}|${year}`;
  let holidays = listedCache.get(key);
  if (!holidays) {
    holidays = Object.freeze(listed(parserFor(side), year));
    listedCache.set(key, holidays);
  }
  return holidays;
}

/** The listed holidays of `side`'s `year`: the lunisolar arithmetic, which ./holiday-worker.ts runs in a worker thread. */
export function listedHolidays(side: RuleSide, year: number): ListedHoliday[] {
  return listed(parserFor(side), year);
}

/** The years whose listings the days off of `side`'s `year` read (`computeDaysOff`): the year before too, where substitutes cross the new year. */
export function listingsRead(side: RuleSide, year: number): number[] {
  return side === 'HONG_KONG' ? [year] : [year - 1, year];
}

/** Whether this thread has `side`'s `year` listed. */
export function isListed(side: RuleSide, year: number): boolean {
  return listedCache.has(`${side}|${year}`);
}

/** Keeps a listing that `listedHolidays` computed in another thread, as `listedFor` keeps its own. */
export function rememberListed(side: RuleSide, year: number, holidays: readonly ListedHoliday[]): void {
  listedCache.set(`${side}|${year}`, Object.freeze(holidays.map(({ date, name }) => ({ date, name }))));
}

/** Days off of one side in one year by its rule, listed holidays and substitutes, in date order. */
function computeDaysOff(side: RuleSide, year: number): DayOff[] {
  const thisYear = listedFor(side, year);
  const days: DayOff[] = thisYear.map((h) => ({ ...h, kind: 'HOLIDAY' }));
  if (side !== 'HONG_KONG') {
    // A holiday late in the previous year may be made up in this one.
    const substitutes = [...substitutesForRestDays(listedFor(side, year - 1)), ...substitutesForRestDays(thisYear)];
    days.push(...substitutes.filter((s) => s.date.startsWith(`${year}-`)));
  }
  if (side === 'MACAO') {
    for (const date of MACAO_PUBLISHED_YEARS[year]?.exemptionDays ?? []) {
      days.push({ date, name: 'exemption from work (豁免上班)', kind: 'EXEMPTION' });
    }
  }
  return days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const cache = new LRUCache<string, { list: readonly DayOff[]; dates: ReadonlySet<string> }>({ max: YEARS_KEPT });

function cached(side: RuleSide, year: number): { list: readonly DayOff[]; dates: ReadonlySet<string> } {
  const key = `${side}|${year}`;
  let entry = cache.get(key);
  if (!entry) {
    const list = Object.freeze(computeDaysOff(side, year));
    entry = { list, dates: new Set(list.map((d) => d.date)) };
    cache.set(key, entry);
  }
  return entry;
}

/** Every day off by rule in `year` on `side` (weekdays and weekends alike), in date order. */
export function daysOffByRule(side: RuleSide, year: number): readonly DayOff[] {
  return cached(side, year).list;
}

/** Whether `date` (`YYYY-MM-DD`) is a public holiday or substitute day off by rule on `side`. */
export function isDayOffByRule(side: RuleSide, date: string): boolean {
  return cached(side, Number(date.slice(0, 4))).dates.has(date);
}

/** Macao years whose official table is in the data (MACAO_PUBLISHED_YEARS), ascending. */
export const MACAO_YEARS: readonly number[] = Object.freeze(
  Object.keys(MACAO_PUBLISHED_YEARS)
    .map(Number)
    .sort((a, b) => a - b),
);
