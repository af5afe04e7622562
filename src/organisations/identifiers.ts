/*
 * Organisation identifiers (docs/rules.md#r17).
 *
 * Sources:
 * - GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: 18 characters
 *   [1] registration authority, [2] organisation type, [3–8] administrative division code
 *   (GB/T 2260, digits), [9–17] organisation code (GB 11714), [18] check character.
 *   Character set 0-9A-HJ-NPQRTUWXY (no I, O, S, V, Z), values 0..30 in that order.
 *   Check: C18 = (31 − Σ(value_i × weight_i) mod 31) mod 31, weights 1,3,9,27,19,26,16,17,20,29,
 *   25,13,8,24,10,30,28 (3^(i−1) mod 31).
 * - GB 11714-1997 《全国组织机构代码编制规则》: 8 body characters (0-9 = 0..9, A-Z = 10..35),
 *   weights 3,7,9,10,5,8,4,2; C9 = 11 − Σ mod 11, where 10 is written X and 11 is written 0.
 * - Hong Kong Business Registration Ordinance (Cap. 310) / Companies Registry "Unique Business
 *   Identifier": the first 8 digits of the Business Registration number. No published checksum.
 * - Macao commercial registration number (商業登記編號 / número de registo comercial): the number
 *   the Commercial and Movable Property Registry (Conservatória dos Registos Comercial e de Bens
 *   Móveis, 商業及動產登記局) gives a registered entrepreneur or company (Commercial Registration
 *   Code, Decree-Law 56/99/M). It is a serial number, written in digits as issued; no length,
 *   structure or checksum is published [A] (docs/rules.md#r17), so only digits are checked, within
 *   a bound wide enough for any serial.
 *
 * Input handling: surrounding whitespace is trimmed and letters are upper-cased, so a
 * lower-case USCC is accepted and returned normalised (people copy codes from documents that
 * print them in either case; the standard's character set is upper-case only, so upper-casing
 * never makes two different codes equal). Inner spaces or hyphens are not removed: they are
 * reported, so a caller never stores a silently rewritten identifier.
 */

import { createHmac } from 'node:crypto';

export type IdentifierRule = 'LENGTH' | 'ILLEGAL_CHARACTER' | 'FORMAT' | 'CHECK_CHARACTER' | 'ORGANISATION_CODE_CHECK';

export type IdentifierValidation = { ok: true; normalised: string } | { ok: false; rule: IdentifierRule };

export const USCC_LENGTH = 18;
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

function usccValue(char: string): number {
  const value = USCC_ALPHABET.indexOf(char);
  if (value < 0 || char.length !== 1) throw new RangeError(`'${char}' is not a USCC character`);
  return value;
}

/** GB 11714 value of one organisation-code body character: 0-9 → 0..9, A-Z → 10..35. */
function organisationCodeValue(char: string): number {
  if (/^[0-9]$/.test(char)) return Number(char);
  if (/^[A-Z]$/.test(char)) return char.charCodeAt(0) - 55;
  throw new RangeError(`'${char}' is not an organisation-code character`);
}

/** GB 32100-2015 check character for the first 17 characters of a USCC. */
export function computeUsccCheck(first17: string): string {
  if (first17.length !== 17) throw new RangeError('computeUsccCheck needs exactly 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += usccValue(first17[i]) * USCC_WEIGHTS[i];
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** GB 11714-1997 check character for the 8-character body of an organisation code. */
export function computeOrganisationCodeCheck(first8: string): string {
  if (first8.length !== 8) throw new RangeError('computeOrganisationCodeCheck needs exactly 8 characters');
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += organisationCodeValue(first8[i]) * ORGANISATION_CODE_WEIGHTS[i];
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

function normalise(code: unknown): string | null {
  return typeof code === 'string' ? code.trim().toUpperCase() : null;
}

/** Unified Social Credit Code (GB 32100-2015). */
export function validateUscc(code: string): IdentifierValidation {
  const normalised = normalise(code);
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  if (normalised.length !== USCC_LENGTH) return { ok: false, rule: 'LENGTH' };
  for (const char of normalised) {
    if (!USCC_ALPHABET.includes(char)) return { ok: false, rule: 'ILLEGAL_CHARACTER' };
  }
  // Positions 3–8 are a GB/T 2260 administrative division code, always digits.
  if (!/^\d{6}$/.test(normalised.slice(2, 8))) return { ok: false, rule: 'FORMAT' };
  if (computeUsccCheck(normalised.slice(0, 17)) !== normalised[17]) return { ok: false, rule: 'CHECK_CHARACTER' };
  // Positions 9–17: organisation code; its check character must be 0-9 or X.
  const organisationCode = normalised.slice(8, 17);
  if (computeOrganisationCodeCheck(organisationCode.slice(0, 8)) !== organisationCode[8]) {
    return { ok: false, rule: 'ORGANISATION_CODE_CHECK' };
  }
  return { ok: true, normalised };
}

/** Hong Kong Business Registration Number (the Unique Business Identifier): exactly 8 digits. */
export function validateHkBrn(code: string): IdentifierValidation {
  const normalised = normalise(code);
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  if (normalised.length !== 8) return { ok: false, rule: 'LENGTH' };
  if (!/^\d{8}$/.test(normalised)) return { ok: false, rule: 'ILLEGAL_CHARACTER' };
  return { ok: true, normalised };
}

export const MO_CRN_MIN_DIGITS = 1;
export const MO_CRN_MAX_DIGITS = 10;

/** Macao commercial registration number: digits as issued, no published checksum [A]. */
export function validateMoCrn(code: string): IdentifierValidation {
  const normalised = normalise(code);
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  if (!/^\d*$/.test(normalised)) return { ok: false, rule: 'ILLEGAL_CHARACTER' };
  if (normalised.length < MO_CRN_MIN_DIGITS || normalised.length > MO_CRN_MAX_DIGITS) return { ok: false, rule: 'LENGTH' };
  return { ok: true, normalised };
}

/*
 * Identity documents of individuals (docs/rules.md#r17). Individuals may be parties (R1: "located",
 * for individuals); the registry keeps only a keyed digest and a masked form of the number
 * (`maskPersonalIdentifier`, `personalIdentifierDigest`), never the number itself.
 *
 * - HKID (Registration of Persons Ordinance, Cap. 177; Registration of Persons Regulations,
 *   Cap. 177A): one or two letters, six digits and a check character, printed as A123456(3).
 *   Letters are worth A=10 … Z=35 and a one-letter ID is read with a leading space worth 36;
 *   the nine values carry weights 9 … 2; check = 11 − Σ mod 11, written A for 10 and 0 for 11.
 * - PRC resident identity number, GB 11643-1999 《公民身份号码》: 6 digits of address code
 *   (GB/T 2260), 8 of birth date (YYYYMMDD), 3 of sequence, then the check character of
 *   ISO 7064:2003 MOD 11-2: weights 2^(17−i) mod 11 = 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2;
 *   Σ mod 11 = 0 … 10 gives 1,0,X,9,8,7,6,5,4,3,2.
 * - Passport numbers (ICAO Doc 9303 Part 3 §4.2.2: the document number field is 9 characters of
 *   A-Z and 0-9 in the machine-readable zone; longer numbers carry over to optional data): no
 *   check digit outside the MRZ, so only the character set and a length of 5 to 20 are checked [A].
 */

export const PERSONAL_IDENTIFIER_TYPES = ['HKID', 'PRC_RESIDENT_ID', 'PASSPORT'] as const;
export type PersonalIdentifierType = (typeof PERSONAL_IDENTIFIER_TYPES)[number];

const HKID_SPACE_VALUE = 36;
const PRC_RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const PRC_RESIDENT_ID_CHECKS = '10X98765432';
export const PASSPORT_MIN_LENGTH = 5;
export const PASSPORT_MAX_LENGTH = 20;

/** HKID check character for the letters (one or two) and six digits before it. */
export function computeHkidCheck(body: string): string {
  if (!/^[A-Z]{1,2}\d{6}$/.test(body)) throw new RangeError('computeHkidCheck needs one or two letters and six digits');
  const chars = body.length === 7 ? ` ${body}` : body;
  let sum = 0;
  for (let i = 0; i < 8; i += 1) {
    const char = chars[i];
    const value = char === ' ' ? HKID_SPACE_VALUE : /\d/.test(char) ? Number(char) : char.charCodeAt(0) - 55;
    sum += value * (9 - i);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'A' : check === 11 ? '0' : String(check);
}

/** HKID as printed (A123456(3)) or without the brackets (A1234563); normalised to the printed form. */
export function validateHkid(code: string): IdentifierValidation {
  const normalised = normalise(code);
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  const match = /^([A-Z]{1,2}\d{6})(?:\(([0-9A])\)|([0-9A]))$/.exec(normalised);
  if (!match) return { ok: false, rule: 'FORMAT' };
  const check = match[2] ?? match[3];
  if (computeHkidCheck(match[1]) !== check) return { ok: false, rule: 'CHECK_CHARACTER' };
  return { ok: true, normalised: `${match[1]}(${check})` };
}

/** GB 11643 / ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID. */
export function computePrcResidentIdCheck(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('computePrcResidentIdCheck needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * PRC_RESIDENT_ID_WEIGHTS[i];
  return PRC_RESIDENT_ID_CHECKS[sum % 11];
}

function isCalendarDate(yyyymmdd: string): boolean {
  const [y, m, d] = [yyyymmdd.slice(0, 4), yyyymmdd.slice(4, 6), yyyymmdd.slice(6, 8)].map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1800 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** PRC resident identity number (GB 11643-1999): 18 characters, the last a MOD 11-2 check (X for 10). */
export function validatePrcResidentId(code: string): IdentifierValidation {
  const normalised = normalise(code);
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  if (normalised.length !== 18) return { ok: false, rule: 'LENGTH' };
  if (!/^\d{17}[0-9X]$/.test(normalised)) return { ok: false, rule: 'ILLEGAL_CHARACTER' };
  // Positions 7–14: the date of birth.
  if (!isCalendarDate(normalised.slice(6, 14))) return { ok: false, rule: 'FORMAT' };
  if (computePrcResidentIdCheck(normalised.slice(0, 17)) !== normalised[17]) return { ok: false, rule: 'CHECK_CHARACTER' };
  return { ok: true, normalised };
}

/** Passport number: A-Z and 0-9, 5 to 20 characters; no check digit outside the MRZ [A]. */
export function validatePassport(code: string): IdentifierValidation {
  const normalised = normalise(code);
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  if (!/^[A-Z0-9]*$/.test(normalised)) return { ok: false, rule: 'ILLEGAL_CHARACTER' };
  if (normalised.length < PASSPORT_MIN_LENGTH || normalised.length > PASSPORT_MAX_LENGTH) return { ok: false, rule: 'LENGTH' };
  return { ok: true, normalised };
}

/**
 * The masked form shown for an individual's document number (docs/rules.md#r17), from its
 * normalised form: enough for a person to recognise their own entry, too little to use as the number.
 * - HKID: the letters and the first three digits, as A123***(*) (the check character is hidden too,
 *   for it would narrow the three hidden digits to about 90 candidates).
 * - PRC resident ID: the last four characters only (the address code and the date of birth are hidden).
 * - Passport: the last three characters, the rest starred to the number's length.
 */
export function maskPersonalIdentifier(type: PersonalIdentifierType, normalised: string): string {
  switch (type) {
    case 'HKID': {
      const letters = /^[A-Z]{1,2}/.exec(normalised)?.[0] ?? '';
      return `${letters}${normalised.slice(letters.length, letters.length + 3)}***(*)`;
    }
    case 'PRC_RESIDENT_ID':
      return `${'*'.repeat(14)}${normalised.slice(14)}`;
    case 'PASSPORT':
      return `${'*'.repeat(Math.max(normalised.length - 3, 0))}${normalised.slice(-3)}`;
  }
}

/**
 * What the registry keeps to recognise the same individual again (docs/rules.md#r17): HMAC-SHA256
 * (RFC 2104) under the server's PARTY_IDENTIFIER_KEY over the type and the normalised number, hex.
 * Without the key the digest cannot be tested against guessed numbers (an HKID has about 10^8).
 */
export function personalIdentifierDigest(key: string, type: PersonalIdentifierType, normalised: string): string {
  return createHmac('sha256', key).update(`${type}:${normalised}`, 'utf8').digest('hex');
}

// Administrative division codes (GB/T 2260) of the nine Mainland GBA cities, used for fixtures.
const GBA_DIVISION_CODES = ['440100', '440300', '440400', '440600', '441300', '441900', '442000', '440700', '441200'];
const BODY_SPACE = 100_000_000;
// Multiplier coprime with 10, so seed → body is a bijection on 0..10^8−1: distinct seeds below
// 10^8 give distinct codes.
const BODY_MULTIPLIER = 48_271;

/**
 * A deterministic, valid USCC for test fixtures: registration authority 9 (market regulation),
 * type 1 (enterprise), a GBA city's division code, and an all-digit organisation code body.
 */
export function makeValidUscc(seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError('seed must be a non-negative safe integer');
  const bodyNumber = Number((BigInt(seed % BODY_SPACE) * BigInt(BODY_MULTIPLIER) + 12_345_678n) % BigInt(BODY_SPACE));
  const body = String(bodyNumber).padStart(8, '0');
  const division = GBA_DIVISION_CODES[seed % GBA_DIVISION_CODES.length];
  const first17 = `91${division}${body}${computeOrganisationCodeCheck(body)}`;
  return first17 + computeUsccCheck(first17);
}
