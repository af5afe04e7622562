import { ValidateBy, ValidationOptions } from 'class-validator';

/*
 * The two date shapes of the API (docs/api.md#dates-and-times): calendar dates `YYYY-MM-DD` and UTC instants.
 * Each is checked once, strictly, so that whatever passes is a value PostgreSQL's `date` and
 * `timestamptz` accept as the same day or instant (a regex alone let 2025-13-45 reach the
 * database as a 500; `new Date('2025-W01')` is an Invalid Date).
 */

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real `YYYY-MM-DD` calendar date, year 0001–9999 (rejects 2025-02-29, 2025-13-45, 0000-01-01). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

// RFC 3339 §5.6 date-time: full date, 'T', time with optional fraction, and Z or a numeric offset.
const INSTANT = /^(\d{4}-\d{2}-\d{2})[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):([0-5]\d))$/;

/**
 * An RFC 3339 instant with `Z` or an offset (`2025-03-01T02:00:00Z`, `…T10:00:00+08:00`), a real
 * calendar date from year 0001, and no leap second (JavaScript and PostgreSQL disagree on :60).
 */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = INSTANT.exec(value);
  if (!match || !isCalendarDate(match[1])) return false;
  return !Number.isNaN(Date.parse(value));
}

/** The one wording of each date rule (docs/api.md#dates-and-times), after the field's name, wherever it is checked. */
export const CALENDAR_DATE_MESSAGE = 'must be a real calendar date written YYYY-MM-DD';
export const INSTANT_MESSAGE = 'must be an RFC 3339 instant with Z or an offset, e.g. 2025-03-01T02:00:00Z';

/** A strict calendar date (`isCalendarDate`). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value) => isCalendarDate(value),
        defaultMessage: (args) => `${args?.property} ${CALENDAR_DATE_MESSAGE}`,
      },
    },
    options,
  );
}

/** A strict instant (`isInstant`). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) => isInstant(value),
        defaultMessage: (args) => `${args?.property} ${INSTANT_MESSAGE}`,
      },
    },
    options,
  );
}
