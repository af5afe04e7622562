/*
 * A fast path for POST /contracts bodies (class-transformer and class-validator cost the registry's
 * CPU on every filing; README, Performance). It only ever says "certainly valid": every rule is the DTO's
 * (contract.dto.ts) or stricter, so a body it accepts is one the ValidationPipe accepts unchanged.
 * Anything else (null) goes to the ValidationPipe, whose answer and 400 problem are exactly as before.
 * contract-body.spec.ts checks the two agree on valid bodies and many broken ones.
 */
import { isCalendarDate } from '../common/dates';
import { controlCharacterIn, isCleanText } from '../common/text';
import type { CreateContractDto } from './contract.dto';
import { PERSONAL_INFORMATION_CATEGORIES, SENSITIVE_CATEGORIES } from './domain/categories';

type Obj = Record<string, unknown>;

const CITY = /^[A-Z][A-Z_]{1,39}$/;
const REGIME = /^[A-Z][A-Z0-9_]{1,39}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
// validator.js isUUID 'all' less the nil and max UUIDs (stricter is safe: those go to the pipe).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const PI_CATEGORIES: ReadonlySet<string> = new Set(PERSONAL_INFORMATION_CATEGORIES);
const SENSITIVE: ReadonlySet<string> = new Set(SENSITIVE_CATEGORIES);
// validator.js isLength counts a surrogate pair as one character and ignores U+FE0E/U+FE0F; a first
// code unit that is neither makes that length at least 1, and `length` is never below it. (The
// selectors come first: after the surrogate range they would read as a combining sequence.)
const STARTS_PLAIN = /^[^\uFE0E\uFE0F\uD800-\uDFFF]/;

const BODY_KEYS = new Set(['regime', 'effectiveDate', 'expiryDate', 'importantDataIncluded', 'annex', 'pipia', 'processorId', 'recipientId', 'appendixII']);
const ANNEX_KEYS = new Set([
  'purposes',
  'processingMethods',
  'dataSubjectCategories',
  'personalInformationCategories',
  'sensitiveCategories',
  'onwardRecipients',
  'transferMethod',
  'retentionPeriod',
  'storageLocation',
  'otherMatters',
]);
const ONWARD_KEYS = new Set(['name', 'city']);
const RETENTION_KEYS = new Set(['from', 'to']);
const STORAGE_KEYS = new Set(['city']);
const PIPIA_KEYS = new Set(['completedOn', 'conclusion', 'reportSha256', 'lawfulnessAndNecessity', 'impactOnRights', 'recipientSafeguards']);

/** Like `Array.prototype.every`, but a hole (which `every` skips) fails. */
function all(list: unknown[], check: (v: unknown) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (!check(list[i])) return false;
  return true;
}
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Obj, allowed: ReadonlySet<string>): boolean => Object.keys(o).every((k) => allowed.has(k));
// isCleanText, controlCharacterIn: a NUL, an unpaired surrogate or a control character goes to the pipe, which names the field (@IsCleanText).
const text = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'string' && v.length <= max && (min === 0 || STARTS_PLAIN.test(v)) && isCleanText(v) && controlCharacterIn(v) === null;
const matches = (v: unknown, re: RegExp): boolean => typeof v === 'string' && re.test(v);
/** The DTO's @IsCalendarDate (a real date, not only the YYYY-MM-DD shape). */
const date = (v: unknown): boolean => isCalendarDate(v);
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || v === null || check(v);
const textList = (v: unknown): boolean => Array.isArray(v) && v.length >= 1 && v.length <= 100 && all(v, (s) => text(s, 1, 500));
const uniqueIn = (v: unknown, allowed: ReadonlySet<string>, min: number): boolean =>
  Array.isArray(v) && v.length >= min && all(v, (s) => typeof s === 'string' && allowed.has(s)) && new Set(v).size === v.length;

/** The body as the controller's DTO when it is certainly valid, else null (ask the ValidationPipe). */
export function certainlyValidCreateContract(body: unknown): CreateContractDto | null {
  if (!isObject(body) || !onlyKeys(body, BODY_KEYS)) return null;
  const { annex, pipia } = body;
  if (!isObject(annex) || !onlyKeys(annex, ANNEX_KEYS) || !isObject(pipia) || !onlyKeys(pipia, PIPIA_KEYS)) return null;
  const { retentionPeriod, storageLocation, onwardRecipients } = annex;
  const ok =
    matches(body.regime, REGIME) &&
    date(body.effectiveDate) &&
    optional(body.expiryDate, date) &&
    typeof body.importantDataIncluded === 'boolean' &&
    matches(body.processorId, UUID) &&
    matches(body.recipientId, UUID) &&
    textList(annex.purposes) &&
    textList(annex.processingMethods) &&
    textList(annex.dataSubjectCategories) &&
    uniqueIn(annex.personalInformationCategories, PI_CATEGORIES, 1) &&
    uniqueIn(annex.sensitiveCategories, SENSITIVE, 0) &&
    Array.isArray(onwardRecipients) &&
    onwardRecipients.length <= 100 &&
    all(onwardRecipients, (r) => isObject(r) && onlyKeys(r, ONWARD_KEYS) && text(r.name, 1, 300) && matches(r.city, CITY)) &&
    text(annex.transferMethod, 1, 500) &&
    isObject(retentionPeriod) &&
    onlyKeys(retentionPeriod, RETENTION_KEYS) &&
    date(retentionPeriod.from) &&
    date(retentionPeriod.to) &&
    isObject(storageLocation) &&
    onlyKeys(storageLocation, STORAGE_KEYS) &&
    matches(storageLocation.city, CITY) &&
    optional(annex.otherMatters, (v) => text(v, 0, 5000)) &&
    date(pipia.completedOn) &&
    text(pipia.conclusion, 1, 5000) &&
    matches(pipia.reportSha256, SHA256) &&
    optional(pipia.lawfulnessAndNecessity, (v) => text(v, 0, 5000)) &&
    optional(pipia.impactOnRights, (v) => text(v, 0, 5000)) &&
    optional(pipia.recipientSafeguards, (v) => text(v, 0, 5000)) &&
    optional(body.appendixII, (v) => text(v, 0, 20000));
  return ok ? (body as unknown as CreateContractDto) : null;
}
