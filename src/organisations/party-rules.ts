/*
 * What a party must be to be registered (docs/rules.md#r1, docs/rules.md#r17): in a GBA city on the side it
 * declares, identified by its side's organisation identifier or, for an individual, by an identity document
 * whose number passes its check. Pure: the service stores what this returns.
 */
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import { Geography, organisationSchemesOf, SEEDED_GEOGRAPHY, sideOfCity } from './geography';
import { IdentifierType, PartyType, PersonalIdentifierType } from './gba';
import {
  IdentifierValidation,
  MO_CRN_MAX_DIGITS,
  MO_CRN_MIN_DIGITS,
  PASSPORT_MAX_LENGTH,
  PASSPORT_MIN_LENGTH,
  PERSONAL_IDENTIFIER_TYPES,
  validateHkBrn,
  validateHkid,
  validateMoCrn,
  validatePassport,
  validatePrcResidentId,
  validateUscc,
} from './identifiers';

export interface PartyInput {
  partyType?: PartyType;
  legalName?: string;
  legalNameZh?: string;
  jurisdiction: string;
  city: string;
  identifierType: string;
  identifier: string;
  sector?: string;
}

export interface ValidParty {
  partyType: PartyType;
  /** Normalised; for an individual, the number the service digests and masks, never stores. */
  identifier: string;
  sector: string;
}

/** R15 reporting taxonomy: an individual who names no sector is counted under OTHER. */
export const INDIVIDUAL_DEFAULT_SECTOR = 'OTHER';

export function isPersonalIdentifierType(type: string): type is PersonalIdentifierType {
  return (PERSONAL_IDENTIFIER_TYPES as readonly string[]).includes(type);
}

/** R1 and R17: a GBA city on the declared side, an identifier scheme the party type may use, and an identifier that passes its checks. */
export function validateParty(dto: PartyInput, geography: Geography = SEEDED_GEOGRAPHY): ValidParty {
  const partyType = dto.partyType ?? 'ORGANISATION';
  const unknown: FieldError[] = [];
  if (!geography.jurisdictions.has(dto.jurisdiction)) {
    unknown.push({
      field: 'jurisdiction',
      rule: 'isIn',
      message: `jurisdiction must be one of the following values: ${[...geography.jurisdictions.keys()].join(', ')}`,
    });
  }
  if (!geography.schemes.has(dto.identifierType)) {
    unknown.push({
      field: 'identifierType',
      rule: 'isIn',
      message: `identifierType must be one of the following values: ${[...geography.schemes.keys()].join(', ')}`,
    });
  }
  if (unknown.length) throw validationFailed(unknown);
  const side = sideOfCity(geography, dto.city);
  if (side === null) {
    throw new DomainError(ErrorCode.PARTY_OUTSIDE_GBA, `The ${partyType === 'INDIVIDUAL' ? 'individual' : 'organisation'} is outside the Greater Bay Area`, {
      rule: 'R1',
      detail: `city ${dto.city} is not a city of any side (the nine Mainland GBA cities, Hong Kong, Macao, or another side's in the data)`,
      errors: [{ field: 'city', rule: 'R1', message: 'city must be a city of GET /reference (the nine Mainland GBA cities, HONG_KONG or MACAO)' }],
    });
  }
  const errors: FieldError[] = [];
  if (side !== dto.jurisdiction) {
    errors.push({ field: 'city', rule: 'R1', message: `city ${dto.city} is not in jurisdiction ${dto.jurisdiction}` });
  }
  const typeError = identifierTypeError(partyType, dto, geography);
  if (typeError) errors.push(typeError);
  if (!dto.legalName && !dto.legalNameZh) {
    errors.push({ field: 'legalName', rule: 'required', message: 'legalName or legalNameZh is required' });
  }
  if (partyType === 'ORGANISATION' && !dto.sector) errors.push({ field: 'sector', rule: 'required', message: 'sector is required for an organisation' });
  let identifier = dto.identifier;
  const format = geography.schemes.get(dto.identifierType)?.format ?? null;
  const validator = (IDENTIFIER_VALIDATORS as Partial<Record<string, (code: string) => IdentifierValidation>>)[dto.identifierType];
  const check = format !== null ? validateByFormat(format, dto.identifier) : validator ? validator(dto.identifier) : null;
  if (check?.ok) identifier = check.normalised;
  else if (check && !typeError) {
    const message =
      format !== null
        ? `identifier must match the ${dto.identifierType} format ${format}`
        : describeIdentifierRule(dto.identifierType as IdentifierType, check.rule);
    errors.push({ field: 'identifier', rule: `${dto.identifierType}_${check.rule}`, message });
  }
  if (errors.length) throw validationFailed(errors);
  return { partyType, identifier, sector: dto.sector ?? INDIVIDUAL_DEFAULT_SECTOR };
}

/**
 * R17 with a scheme's `format` (data, organisation_identifier_schemes): the trimmed, upper-cased identifier must
 * match the whole pattern. A pattern that does not compile refuses every identifier (FORMAT).
 */
export function validateByFormat(format: string, code: string): IdentifierValidation {
  const normalised = typeof code === 'string' ? code.trim().toUpperCase() : null;
  if (normalised === null) return { ok: false, rule: 'FORMAT' };
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${format})$`, 'u');
  } catch {
    return { ok: false, rule: 'FORMAT' };
  }
  return pattern.test(normalised) ? { ok: true, normalised } : { ok: false, rule: 'FORMAT' };
}

function identifierTypeError(partyType: PartyType, dto: PartyInput, geography: Geography): FieldError | null {
  if (partyType === 'INDIVIDUAL') {
    if (isPersonalIdentifierType(dto.identifierType)) return null;
    return { field: 'identifierType', rule: 'R17', message: `individuals are identified by ${PERSONAL_IDENTIFIER_TYPES.join(', ')}` };
  }
  const expected = organisationSchemesOf(geography, dto.jurisdiction);
  if (expected.includes(dto.identifierType)) return null;
  return { field: 'identifierType', rule: 'R17', message: `${dto.jurisdiction} organisations are identified by ${expected.join(' or ') || 'no scheme yet'}` };
}

const IDENTIFIER_VALIDATORS: Record<IdentifierType, (code: string) => IdentifierValidation> = {
  USCC: validateUscc,
  HK_BRN: validateHkBrn,
  MO_CRN: validateMoCrn,
  HKID: validateHkid,
  PRC_RESIDENT_ID: validatePrcResidentId,
  PASSPORT: validatePassport,
};

const PERSONAL_RULE_MESSAGES: Record<PersonalIdentifierType, Partial<Record<string, string>> & { default: string }> = {
  HKID: {
    CHECK_CHARACTER:
      'identifier has a wrong HKID check character (the one in brackets: 11 − Σ mod 11 over weights 9..2, Registration of Persons Regulations, Cap. 177A)',
    default: 'identifier must be an HKID: one or two letters, six digits and the check character, e.g. A123456(3)',
  },
  PRC_RESIDENT_ID: {
    CHECK_CHARACTER: 'identifier has a wrong check character (18th character, ISO 7064 MOD 11-2, GB 11643-1999)',
    FORMAT: 'identifier has no valid date of birth in characters 7 to 14 (GB 11643-1999)',
    default: 'identifier must be a resident identity number: 17 digits and a check character 0-9 or X (GB 11643-1999)',
  },
  PASSPORT: { default: `identifier must be a passport number of ${PASSPORT_MIN_LENGTH} to ${PASSPORT_MAX_LENGTH} letters A-Z and digits` },
};

function describeIdentifierRule(type: IdentifierType, rule: string): string {
  if (isPersonalIdentifierType(type)) return PERSONAL_RULE_MESSAGES[type][rule] ?? PERSONAL_RULE_MESSAGES[type].default;
  if (type === 'HK_BRN') return 'identifier must be a Hong Kong Business Registration Number of exactly 8 digits';
  if (type === 'MO_CRN') return `identifier must be a Macao commercial registration number: ${MO_CRN_MIN_DIGITS} to ${MO_CRN_MAX_DIGITS} digits as issued`;
  switch (rule) {
    case 'LENGTH':
      return 'identifier must be an 18-character Unified Social Credit Code (GB 32100-2015)';
    case 'ILLEGAL_CHARACTER':
      return 'identifier may only use 0-9 and A-H, J-N, P-R, T, U, W-Y (no I, O, S, V, Z) (GB 32100-2015)';
    case 'CHECK_CHARACTER':
      return 'identifier has a wrong check character (18th character, GB 32100-2015)';
    case 'ORGANISATION_CODE_CHECK':
      return 'identifier has a wrong organisation-code check character (17th character, GB 11714-1997)';
    default:
      return `identifier is not a valid Unified Social Credit Code (${rule})`;
  }
}
