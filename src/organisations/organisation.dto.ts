import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { CITY_CODE, CITY_CODE_MESSAGE, FreeText, IsCleanText, UpperCaseCity } from '../common/text';
import { GBA_CITIES, IDENTIFIER_TYPES, IdentifierType, Jurisdiction, JURISDICTIONS, PARTY_TYPES, PartyType, SECTORS } from './gba';

/** ITU-T E.164: "+", a country code and the national number, 15 digits at most; no spaces or punctuation. */
export const TELEPHONE = /^\+[1-9]\d{6,14}$/;

export class CreateOrganisationDto {
  @ApiPropertyOptional({
    enum: PARTY_TYPES,
    default: 'ORGANISATION',
    description: 'R1: an organisation registered in the GBA, or an individual located in it; an individual is identified by HKID, PRC_RESIDENT_ID or PASSPORT',
  })
  @IsOptional()
  @IsIn(PARTY_TYPES)
  partyType?: PartyType;

  @ApiPropertyOptional({
    example: 'Bank of the Bay (Hong Kong) Limited',
    description: 'The registered name; for an individual, the name as on the identity document (legalName and/or legalNameZh)',
  })
  @IsOptional()
  @FreeText(300)
  legalName?: string;

  @ApiPropertyOptional({ example: '灣區銀行（香港）有限公司' })
  @IsOptional()
  @FreeText(300)
  legalNameZh?: string;

  @ApiProperty({ example: 'MAINLAND', description: `A jurisdiction of GET /reference (data): ${JURISDICTIONS.join(', ')} are seeded` })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'jurisdiction must be a jurisdiction code such as MAINLAND' })
  jurisdiction: string;

  @ApiProperty({ example: 'SHENZHEN', description: 'One of the nine Mainland GBA cities, HONG_KONG or MACAO (R1); trimmed and upper-cased' })
  @UpperCaseCity()
  @IsString()
  @Matches(CITY_CODE, { message: `city ${CITY_CODE_MESSAGE}` })
  city: string;

  @ApiProperty({ example: 'USCC', description: `An identifier scheme of GET /reference (data): ${IDENTIFIER_TYPES.join(', ')} are seeded` })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'identifierType must be an identifier scheme code such as USCC' })
  identifierType: string;

  @ApiProperty({
    example: '914403001922038216',
    description:
      'Organisations: USCC (18 characters, GB 32100-2015) for MAINLAND; 8-digit BRN for HONG_KONG; commercial registration number (digits as issued) for MACAO. ' +
      'Individuals: HKID as A123456(3) or A1234563; PRC resident ID (18 characters, GB 11643); passport number (5 to 20 of A-Z, 0-9). ' +
      "An individual's number is never stored or returned: only its masked form (R17)",
  })
  @IsString()
  @IsCleanText()
  @MinLength(1)
  @MaxLength(40)
  identifier: string;

  @ApiPropertyOptional({ enum: SECTORS, description: 'Required for an organisation; an individual without one is OTHER (R15 reporting taxonomy)' })
  @ValidateIf((o: CreateOrganisationDto) => o.partyType !== 'INDIVIDUAL' || o.sector !== undefined)
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ example: '1 Harbour Road, Wan Chai, Hong Kong' })
  @IsOptional()
  @FreeText(500)
  address?: string;

  @ApiPropertyOptional({ example: 'Chan Tai Man, Data Protection Officer' })
  @IsOptional()
  @FreeText(200)
  contactPerson?: string;

  @ApiPropertyOptional({ example: '+85221234567', description: 'E.164: "+", country code and number, 7 to 15 digits, no spaces' })
  @IsOptional()
  @IsString()
  @Matches(TELEPHONE, { message: 'telephone must be in E.164 form: "+", the country code and the number, 7 to 15 digits, no spaces (e.g. +85221234567)' })
  telephone?: string;

  @ApiPropertyOptional({ example: 'dpo@bank-of-the-bay.example' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an e-mail address' })
  email?: string;
}

export class ListOrganisationsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'MAINLAND', description: 'A jurisdiction of GET /reference' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'jurisdiction must be a jurisdiction code such as MAINLAND' })
  jurisdiction?: string;

  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({
    description: "exact USCC, BRN or Macao commercial registration number (organisations only: an individual's number is not searchable)",
  })
  @IsOptional()
  @IsString()
  @IsCleanText()
  @MaxLength(40)
  identifier?: string;

  @ApiPropertyOptional({
    description:
      "search: English or Chinese name containing the text (case-insensitive; one or two characters match the start of a name), or an organisation's identifier (USCC, BRN or Macao number) starting with it; individuals by name only",
    example: '銀行',
  })
  @IsOptional()
  @IsString()
  @IsCleanText()
  @MinLength(1)
  @MaxLength(100)
  q?: string;
}

export class OrganisationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: PARTY_TYPES }) partyType: PartyType;
  @ApiProperty({ type: String, nullable: true }) legalName: string | null;
  @ApiProperty({ type: String, nullable: true }) legalNameZh: string | null;
  @ApiProperty({ enum: JURISDICTIONS }) jurisdiction: Jurisdiction;
  @ApiProperty({ enum: GBA_CITIES }) city: string;
  @ApiProperty({ enum: IDENTIFIER_TYPES }) identifierType: IdentifierType;
  @ApiProperty({ description: "an organisation's, normalised (trimmed, upper-case); an individual's masked, e.g. A123***(*) (R17)" }) identifier: string;
  @ApiProperty({ enum: SECTORS }) sector: string;
  @ApiProperty({ type: String, nullable: true }) address: string | null;
  @ApiProperty({ type: String, nullable: true }) contactPerson: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'E.164' }) telephone: string | null;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ enum: ['UNVERIFIED', 'VERIFIED'] }) verificationStatus: 'UNVERIFIED' | 'VERIFIED';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) verifiedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrganisationPage {
  @ApiProperty({ type: [OrganisationView] }) items: OrganisationView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page; null on the last page' }) nextCursor: string | null;
}
