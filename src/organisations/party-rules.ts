/*
 * What a party must be to be registered (docs/rules.md#r1, docs/rules.md#r17): in a GBA city on the side it
 * declares, identified by its side's organisation identifier or, for an individual, by an identity document
 * whose number passes its check. Pure: the service stores what this returns.
 */
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import { IdentifierType, jurisdictionOfCity, PartyType, PersonalIdentifierType, SIDES } from './gba';
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
  jurisdiction: keyof typeof SIDES;
  city: string;
  identifierType: IdentifierType;
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
export function validateParty(dto: PartyInput): ValidParty {
  const partyType = dto.partyType ?? 'ORGANISATION';
  const side = jurisdictionOfCity(dto.city);
  if (side === null) {
    throw new DomainError(ErrorCode.PARTY_OUTSIDE_GBA, `The ${partyType === 'INDIVIDUAL' ? 'individual' : 'organisation'} is outside the Greater Bay Area`, {
      rule: 'R1',
      detail: `city ${dto.city} is not one of the nine Mainland GBA cities, Hong Kong or Macao`,
      errors: [{ field: 'city', rule: 'R1', message: 'city must be one of the nine Mainland GBA cities, HONG_KONG or MACAO' }],
    });
  }
  const errors: FieldError[] = [];
  if (side !== dto.jurisdiction) {
    errors.push({ field: 'city', rule: 'R1', message: `city ${dto.city} is not in jurisdiction ${dto.jurisdiction}` });
  }
  const typeError = identifierTypeError(partyType, dto);
  if (typeError) errors.push(typeError);
  if (!dto.legalName && !dto.legalNameZh) {
    errors.push({ field: 'legalName', rule: 'required', message: 'legalName or legalNameZh is required' });
  }
  if (partyType === 'ORGANISATION' && !dto.sector) errors.push({ field: 'sector', rule: 'required', message: 'sector is required for an organisation' });
  let identifier = dto.identifier;
  const check = IDENTIFIER_VALIDATORS[dto.identifierType](dto.identifier);
  if (check.ok) identifier = check.normalised;
  else {
    errors.push({ field: 'identifier', rule: `${dto.identifierType}_${check.rule}`, message: describeIdentifierRule(dto.identifierType, check.rule) });
  }
  if (errors.length) throw validationFailed(errors);
  return { partyType, identifier, sector: dto.sector ?? INDIVIDUAL_DEFAULT_SECTOR };
}

function identifierTypeError(partyType: PartyType, dto: PartyInput): FieldError | null {
  if (partyType === 'INDIVIDUAL') {
    if (isPersonalIdentifierType(dto.identifierType)) return null;
    return { field: 'identifierType', rule: 'R17', message: `individuals are identified by ${PERSONAL_IDENTIFIER_TYPES.join(', ')}` };
  }
  const expectedType = SIDES[dto.jurisdiction].identifierType;
  if (dto.identifierType === expectedType) return null;
  return { field: 'identifierType', rule: 'R17', message: `${dto.jurisdiction} organisations are identified by ${expectedType}` };
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
