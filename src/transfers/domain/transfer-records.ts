// Shape validation of `POST /transfers` bodies (docs/api.md#example-post-transfers), by hand.
//
// Why not class-validator here: up to 10,000 records per request, and plainToInstance + validate
// is many times slower per record (the ratio measured by bench/validators.ts is in README,
// Performance, "`POST /transfers` validated by hand"). This function enforces the same rules as
// CreateTransfersDto (the declaration of the body, and its OpenAPI entry) and reports every bad
// field by path, `records[3].direction`, as the global ValidationPipe does;
// transfer-body-agreement.spec.ts runs both on the same bodies (docs/architecture.md#request-validation).
import { DIRECTIONS as DIRECTION_VALUES } from '../../organisations/gba';
import { INSTANT_MESSAGE } from '../../common/dates';
import type { FieldError } from '../../common/errors';
import { CITY_CODE_MESSAGE, CONTROL_CHARACTER_MESSAGE, controlCharacterIn, normaliseCity } from '../../common/text';
import { requiredError } from '../../common/validation';
import { PERSONAL_INFORMATION_CATEGORIES, SENSITIVE_CATEGORIES } from '../../contracts/domain/categories';
import type { Direction } from '../../contracts/domain/contract-rules';
import type { TransferLeafV1 } from './transfer-leaf';

export const MAX_RECORDS_PER_REQUEST = 10_000;

/** The members of a record in a `POST /transfers` body: every one is required, and no other is accepted. */
export const TRANSFER_RECORD_FIELDS = [
  'contractId',
  'occurredAt',
  'direction',
  'dataSubjectCount',
  'recordCount',
  'personalInformationCategories',
  'sensitiveCategories',
  'purposes',
  'transferMethod',
  'separateConsentObtained',
  'onwardRecipient',
  'payloadDigest',
  'externalReference',
] as const;

/**
 * A validated record: fixed member order, onwardRecipient null when absent, occurredAt normalised to UTC
 * milliseconds. Its members are stored in its leaf as they are (docs/architecture.md#the-transfer-log).
 */
export type TransferRecordInput = Pick<TransferLeafV1, (typeof TRANSFER_RECORD_FIELDS)[number]>;

/** The UUIDs `@IsUUID('all')` accepts (TransferRecordDto.contractId): versions 1 to 8 of the RFC 9562 variant, nil and max. */
const UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/i;
/** An ISO 8601 instant with an explicit offset; a local time would be ambiguous evidence. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DIGEST = /^[0-9a-fA-F]{64}$/;
/**
 * Text PostgreSQL cannot store as sent: U+0000 (a text column refuses it, 22021) and a UTF-16 code
 * unit that is not half of a surrogate pair (not Unicode text: the COPY would carry U+FFFD instead,
 * and the leaf's canonical JSON refuses it). Same rule as common/text.ts `isCleanText`.
 */
// eslint-disable-next-line no-control-regex -- deliberate: refuses U+0000
const UNCLEAN_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Cheap first test (no lookaround): almost all text has neither U+0000 nor any surrogate. */
// eslint-disable-next-line no-control-regex -- deliberate: looks for U+0000
const MAYBE_UNCLEAN = /[\u0000\uD800-\uDFFF]/;
const unclean = (value: string): boolean => MAYBE_UNCLEAN.test(value) && UNCLEAN_TEXT.test(value);
const UNCLEAN_MESSAGE = 'may not contain the NUL character (U+0000) or an unpaired surrogate (not Unicode text)';

/** Text whose length in characters may be less than its UTF-16 length (see `textLength`). */
const MAYBE_SHORTER = /[\uFE0E\uFE0F\uD800-\uDFFF]/;
const SURROGATE_PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
const PRESENTATION_SEQUENCES = /[^\uFE0E\uFE0F](?:\uFE0E|\uFE0F)/g;
/**
 * Length in characters as the DTOs' `@MinLength`/`@MaxLength` count it (docs/api.md#free-text): a
 * surrogate pair is one character, and a variation selector (U+FE0E, U+FE0F) after a character adds none.
 */
function textLength(value: string): number {
  if (!MAYBE_SHORTER.test(value)) return value.length;
  return value.length - (value.match(SURROGATE_PAIRS)?.length ?? 0) - (value.match(PRESENTATION_SEQUENCES)?.length ?? 0);
}
const lengthWithin = (value: string, min: number, max: number): boolean => {
  const n = textLength(value);
  return n >= min && n <= max;
};

/**
 * The instants a record may carry: 0001-01-01T00:00:00Z up to 9999-12-31T23:59:59.999 in the GBA
 * (UTC+8), so both the stored UTC instant and its GBA calendar date have a four-digit year from 1.
 * PostgreSQL has no year 0 (`0001-01-01T00:00:00+08:00` is year 0 in UTC: the COPY failed, a 500).
 */
const EARLIEST_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const LATEST_MS = new Date('9999-12-31T15:59:59.999Z').getTime();
const EARLIEST = new Date(EARLIEST_MS).toISOString();
const LATEST = new Date(LATEST_MS).toISOString();
const CITY = /^[A-Z][A-Z_]{1,39}$/;
const DIRECTIONS: ReadonlySet<string> = new Set(DIRECTION_VALUES);
/** R2: a direction between two sides' direction codes, one of them added as data (docs/rules.md#r16). */
const DIRECTION = /^[A-Z][A-Z0-9]*_TO_[A-Z][A-Z0-9]*$/;
const CATEGORIES: ReadonlySet<string> = new Set(PERSONAL_INFORMATION_CATEGORIES);
const SENSITIVE: ReadonlySet<string> = new Set(SENSITIVE_CATEGORIES);
const RECORD_FIELDS: ReadonlySet<string> = new Set(TRANSFER_RECORD_FIELDS);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The two decimal digits at `at`, or -1. */
function twoDigits(value: string, at: number): number {
  const hi = value.charCodeAt(at) - 48;
  const lo = value.charCodeAt(at + 1) - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/**
 * Whether `value` is already in the normalised form, `YYYY-MM-DDTHH:MM:SS.sssZ`, on days 1–28 (real in every
 * month): then `new Date(Date.parse(value)).toISOString()` is `value` itself, and no Date is made (clients
 * mostly send this form, 10,000 records at a time). Anything else takes the general path.
 */
function isNormalisedForm(value: string): boolean {
  if (value.length !== 24 || value.charCodeAt(23) !== 90 /* Z */) return false;
  const separators = value[4] === '-' && value[7] === '-' && value[10] === 'T' && value[13] === ':' && value[16] === ':' && value[19] === '.';
  if (!separators || twoDigits(value, 0) < 0 || twoDigits(value, 2) < 0 || twoDigits(value, 20) < 0 || twoDigits(value, 21) < 0) return false;
  const [month, day, hour, minute, second] = [twoDigits(value, 5), twoDigits(value, 8), twoDigits(value, 11), twoDigits(value, 14), twoDigits(value, 17)];
  return month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

/** The instant in UTC with milliseconds, or null when it is not a real ISO 8601 instant with an offset. */
export function normaliseInstant(value: string): string | null {
  if (isNormalisedForm(value)) return value;
  const m = INSTANT.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  if (month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)) return null;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A normalised instant (`normaliseInstant`) PostgreSQL and the GBA calendar date can hold: see EARLIEST_MS, LATEST_MS. */
export function instantInRange(normalised: string): boolean {
  // Four-digit years (24 characters): the text orders as the instant does.
  if (normalised.length === 24) return normalised >= EARLIEST && normalised <= LATEST;
  const ms = Date.parse(normalised);
  return ms >= EARLIEST_MS && ms <= LATEST_MS;
}

const RFC3339_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):([0-5]\d))$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function realDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * The `from`/`to` filters of GET /transfers and the export: a full RFC 3339 instant with `Z` or an
 * offset (seconds required, no leap second: `2025-03-01T02:00:00Z`, `…T10:00:00.5+08:00`), or a
 * plain `YYYY-MM-DD` calendar date (the start of that day in the GBA). Year 0001–9999, real dates.
 * IsISO8601 let `2025`, `2025-01`, `2025-W01` and `2025-01-01T10` through, which PostgreSQL refuses (a 500).
 */
export function isInstantOrCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const date = CALENDAR_DATE.exec(value);
  if (date) return realDate(date[1], date[2], date[3]);
  const instant = RFC3339_INSTANT.exec(value);
  return instant !== null && realDate(instant[1], instant[2], instant[3]);
}

/** False for a string with U+0000 or an unpaired surrogate (see UNCLEAN_TEXT). */
export function isCleanText(value: string): boolean {
  return !unclean(value);
}

/** Validates the whole body; returns the records, or every field error (no partial acceptance). */
export function parseTransferBody(body: unknown): { records: TransferRecordInput[] } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!isPlainObject(body)) return { errors: [{ field: 'body', rule: 'isObject', message: 'the body must be a JSON object {records:[…]}' }] };
  for (const key of Object.keys(body)) {
    if (key !== 'records') errors.push({ field: key, rule: 'whitelistValidation', message: `${key} is not an accepted field` });
  }
  const list = body.records;
  if (!Array.isArray(list)) {
    errors.push({ field: 'records', rule: 'isArray', message: 'records must be an array' });
    return { errors };
  }
  if (list.length < 1) errors.push({ field: 'records', rule: 'arrayMinSize', message: 'records must contain at least 1 element' });
  if (list.length > MAX_RECORDS_PER_REQUEST) {
    errors.push({ field: 'records', rule: 'arrayMaxSize', message: `records must contain no more than ${MAX_RECORDS_PER_REQUEST} elements` });
    return { errors };
  }
  const records = new Array<TransferRecordInput>(list.length);
  // One reader for the body, pointed at each record in turn: no reader and no path text per record.
  const reader: RecordReader = { raw: {}, index: 0, errors };
  for (let i = 0; i < list.length; i++) {
    const parsed = parseRecord(list[i], i, reader);
    if (parsed) records[i] = parsed;
    if (errors.length > 1000) break; // enough to fix a client; the problem document stays small
  }
  return errors.length ? { errors } : { records };
}

/** One record being read: its members, its index in the body and the body's errors. */
interface RecordReader {
  raw: Record<string, unknown>;
  index: number;
  errors: FieldError[];
}

/** The record's path in the body, `records[3]`, made only for an error. */
const pathOf = (r: RecordReader): string => `records[${r.index}]`;

function fail(r: RecordReader, field: string, rule: string, message: string): void {
  r.errors.push({ field: `${pathOf(r)}.${field}`, rule, message: `${field} ${message}` });
}

/** A missing (or null) field: one error, as the ValidationPipe gives (common/validation.ts `requiredError`). */
function missing(r: RecordReader, field: string): boolean {
  if (r.raw[field] !== undefined && r.raw[field] !== null) return false;
  r.errors.push(requiredError(`${pathOf(r)}.${field}`));
  return true;
}

/** Control characters other than tab and line breaks (common/text.ts `IsCleanText`). */
function control(r: RecordReader, field: string, v: string): boolean {
  const found = controlCharacterIn(v);
  if (found) fail(r, field, 'noControlCharacters', `${CONTROL_CHARACTER_MESSAGE} (found ${found})`);
  return found !== null;
}

/** Members other than a record's, in Object.keys order (own enumerable members, looked at without an array of them). */
function unknownMembers(r: RecordReader): void {
  const { raw } = r;
  for (const key in raw) {
    if (!Object.prototype.hasOwnProperty.call(raw, key) || RECORD_FIELDS.has(key)) continue;
    const path = pathOf(r);
    r.errors.push({ field: `${path}.${key}`, rule: 'whitelistValidation', message: `${path}.${key} is not an accepted field` });
  }
}

function str(r: RecordReader, field: string, min: number, max: number): string {
  const v = r.raw[field];
  if (missing(r, field)) return v as string;
  if (typeof v !== 'string') fail(r, field, 'isString', 'must be a string');
  else if (!lengthWithin(v, min, max)) fail(r, field, 'length', `must be ${min} to ${max} characters`);
  else if (unclean(v)) fail(r, field, 'isCleanText', UNCLEAN_MESSAGE);
  else control(r, field, v);
  return v as string;
}

function count(r: RecordReader, field: string): number {
  const v = r.raw[field];
  if (missing(r, field)) return v as number;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(r, field, 'isInt', 'must be a non-negative whole number');
  return v as number;
}

function codes(r: RecordReader, field: string, allowed: ReadonlySet<string>, min: number): string[] {
  const v = r.raw[field];
  if (missing(r, field)) return [];
  if (!Array.isArray(v)) {
    fail(r, field, 'isArray', 'must be an array');
    return [];
  }
  if (v.length < min) fail(r, field, 'arrayMinSize', `must contain at least ${min} element${min === 1 ? '' : 's'}`);
  if (!allOf(v, allowed)) fail(r, field, 'isIn', `must contain only: ${[...allowed].join(', ')}`);
  else if (hasDuplicates(v)) fail(r, field, 'arrayUnique', "mustn't contain duplicates");
  return v as string[];
}

/** Whether every item of a list is one of `allowed` (a loop: no closure per record). */
function allOf(values: readonly unknown[], allowed: ReadonlySet<string>): boolean {
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (typeof c !== 'string' || !allowed.has(c)) return false;
  }
  return true;
}

/** Whether a list of codes repeats one; pairwise for the few codes a record lists (no Set per record). */
function hasDuplicates(values: readonly unknown[]): boolean {
  if (values.length > 16) return new Set(values).size !== values.length;
  for (let i = 1; i < values.length; i++) for (let j = 0; j < i; j++) if (values[i] === values[j]) return true;
  return false;
}

/** A value that must be present and pass `valid`; otherwise one error (missing, or `rule`). */
function checked(r: RecordReader, field: string, valid: (v: unknown) => boolean, rule: string, message: string): unknown {
  const v = r.raw[field];
  if (!missing(r, field) && !valid(v)) fail(r, field, rule, message);
  return v;
}

function occurredAtOf(r: RecordReader): string | null {
  if (missing(r, 'occurredAt')) return null;
  const occurredAt = typeof r.raw.occurredAt === 'string' ? normaliseInstant(r.raw.occurredAt) : null;
  if (occurredAt === null) fail(r, 'occurredAt', 'isInstant', INSTANT_MESSAGE);
  else if (!instantInRange(occurredAt)) fail(r, 'occurredAt', 'instantRange', 'must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999+08:00');
  return occurredAt;
}

function purposesOf(r: RecordReader): string[] {
  const purposes = r.raw.purposes;
  if (missing(r, 'purposes')) {
    // one error
  } else if (!Array.isArray(purposes) || purposes.length < 1 || purposes.length > 50) fail(r, 'purposes', 'isArray', 'must be an array of 1 to 50 purposes');
  else if (purposes.some((s) => typeof s !== 'string' || !lengthWithin(s, 1, 500)))
    fail(r, 'purposes', 'isString', 'must contain strings of 1 to 500 characters');
  else if (purposes.some((s) => unclean(s as string))) fail(r, 'purposes', 'isCleanText', UNCLEAN_MESSAGE);
  else {
    // Named `purposes[i]`, the item itself (test/contracts/edges.e2e-spec.ts); the ValidationPipe names the list.
    const at = purposes.findIndex((s) => controlCharacterIn(s as string) !== null);
    if (at >= 0) control(r, `purposes[${at}]`, purposes[at] as string);
  }
  return purposes as string[];
}

function onwardRecipientOf(r: RecordReader): { name: string; city: string } | null {
  const onward = r.raw.onwardRecipient;
  if (onward === undefined || onward === null) return null;
  if (!isPlainObject(onward)) {
    fail(r, 'onwardRecipient', 'nestedValidation', 'must be an object {name, city} or null');
    return null;
  }
  const { errors } = r;
  for (const key of Object.keys(onward)) {
    if (key === 'name' || key === 'city') continue;
    const path = pathOf(r);
    errors.push({ field: `${path}.onwardRecipient.${key}`, rule: 'whitelistValidation', message: `${path}.onwardRecipient.${key} is not an accepted field` });
  }
  const city = normaliseCity(onward.city);
  if (onward.name === undefined || onward.name === null) errors.push(requiredError(`${pathOf(r)}.onwardRecipient.name`));
  else if (typeof onward.name !== 'string' || !lengthWithin(onward.name, 1, 300)) fail(r, 'onwardRecipient.name', 'isString', 'must be 1 to 300 characters');
  else if (unclean(onward.name)) fail(r, 'onwardRecipient.name', 'isCleanText', UNCLEAN_MESSAGE);
  else control(r, 'onwardRecipient.name', onward.name);
  if (city === undefined || city === null) errors.push(requiredError(`${pathOf(r)}.onwardRecipient.city`));
  else if (typeof city !== 'string' || !CITY.test(city)) fail(r, 'onwardRecipient.city', 'matches', CITY_CODE_MESSAGE);
  return { name: onward.name as string, city: city as string };
}

const isUuid = (v: unknown): boolean => typeof v === 'string' && UUID.test(v);
const isDirection = (v: unknown): boolean => typeof v === 'string' && (DIRECTIONS.has(v) || DIRECTION.test(v));
const DIRECTION_MESSAGE = `must be one of the following values: ${DIRECTION_VALUES.join(', ')}, or another side's direction (GET /reference)`;
const isBoolean = (v: unknown): boolean => typeof v === 'boolean';
const isDigest = (v: unknown): boolean => typeof v === 'string' && DIGEST.test(v);

/** Record `index` of the body, member by member in a fixed order; null (with its errors added to the reader's) when any member is wrong. */
function parseRecord(raw: unknown, index: number, r: RecordReader): TransferRecordInput | null {
  const { errors } = r;
  r.index = index;
  if (!isPlainObject(raw)) {
    const path = pathOf(r);
    errors.push({ field: path, rule: 'nestedValidation', message: `${path} must be an object` });
    return null;
  }
  const before = errors.length;
  r.raw = raw;
  unknownMembers(r);
  const contractId = checked(r, 'contractId', isUuid, 'isUuid', 'must be a UUID');
  const occurredAt = occurredAtOf(r);
  const direction = checked(r, 'direction', isDirection, 'isIn', DIRECTION_MESSAGE);
  const record = {
    contractId: contractId as string,
    occurredAt: occurredAt as string,
    direction: direction as Direction,
    dataSubjectCount: count(r, 'dataSubjectCount'),
    recordCount: count(r, 'recordCount'),
    personalInformationCategories: codes(r, 'personalInformationCategories', CATEGORIES, 1),
    sensitiveCategories: codes(r, 'sensitiveCategories', SENSITIVE, 0),
    purposes: purposesOf(r),
    transferMethod: str(r, 'transferMethod', 1, 500),
    separateConsentObtained: checked(r, 'separateConsentObtained', isBoolean, 'isBoolean', 'must be a boolean value') as boolean,
    onwardRecipient: onwardRecipientOf(r),
    payloadDigest: checked(r, 'payloadDigest', isDigest, 'matches', 'must be a SHA-256 digest in 64 hex digits') as string,
    externalReference: str(r, 'externalReference', 1, 200),
  };
  if (errors.length > before) return null;
  record.contractId = record.contractId.toLowerCase();
  record.payloadDigest = record.payloadDigest.toLowerCase();
  return record;
}
