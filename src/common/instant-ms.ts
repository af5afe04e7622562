// Milliseconds since the Unix epoch of a UTC instant in the form every stored instant is normalised to
// (`YYYY-MM-DDTHH:MM:SS.sssZ`, Date.prototype.toISOString's), read off the string: bulk POST /transfers reads the
// instants of every record three times (a record's occurredAt for its flags and its COPY row, the request's
// recordedAt for the flags), and Date.parse cost ~0.2 µs each (README, Performance).

const MS_PER_DAY = 86_400_000;

/** The two decimal digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const hi = text.charCodeAt(at) - 48;
  const lo = text.charCodeAt(at + 1) - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant, "days_from_civil"). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The milliseconds of `text` when it is a real instant in the normalised form (year 0000–9999, a real day, hours
 * 00–23), computed from the digits; null for any other text. Exactly the texts that `toISOString` writes for those
 * years: the form of every instant in a leaf.
 */
export function normalisedInstantMs(text: string): number | null {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */) return null;
  const c = (at: number) => text.charCodeAt(at);
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58 || c(19) !== 46) return null;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const centis = twoDigits(text, 20);
  const last = c(22) - 48;
  if (century < 0 || yy < 0 || centis < 0 || last < 0 || last > 9 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const year = century * 100 + yy;
  if (day > daysIn(year, month)) return null;
  const millis = centis * 10 + last;
  return daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/**
 * `Date.parse(text)`, computed from the digits when `text` is in the normalised form (`normalisedInstantMs`); any
 * other text goes to Date.parse. instant-ms.spec.ts checks it against Date.parse.
 */
export function instantMs(text: string): number {
  return normalisedInstantMs(text) ?? Date.parse(text);
}
