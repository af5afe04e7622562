import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { CITY_CODE, CITY_CODE_MESSAGE, FreeText, IsCleanText, UpperCaseCity } from '../common/text';
import { GBA_CITIES, IDENTIFIER_TYPES, IdentifierType, Jurisdiction, JURISDICTIONS, SECTORS } from './gba';

export class CreateOrganisationDto {
  @ApiPropertyOptional({ example: 'Bank of the Bay (Hong Kong) Limited' })
  @IsOptional()
  @FreeText(300)
  legalName?: string;

  @ApiPropertyOptional({ example: '灣區銀行（香港）有限公司' })
  @IsOptional()
  @FreeText(300)
  legalNameZh?: string;

  @ApiProperty({ enum: JURISDICTIONS })
  @IsIn(JURISDICTIONS)
  jurisdiction: Jurisdiction;

  @ApiProperty({ example: 'SHENZHEN', description: 'One of the nine Mainland GBA cities, HONG_KONG or MACAO (R1); trimmed and upper-cased' })
  @UpperCaseCity()
  @IsString()
  @Matches(CITY_CODE, { message: `city ${CITY_CODE_MESSAGE}` })
  city: string;

  @ApiProperty({ enum: IDENTIFIER_TYPES })
  @IsIn(IDENTIFIER_TYPES)
  identifierType: IdentifierType;

  @ApiProperty({
    example: '914403001922038216',
    description:
      'USCC (18 characters, GB 32100-2015) for MAINLAND; 8-digit BRN for HONG_KONG; commercial registration number (digits as issued) for MACAO (R17)',
  })
  @IsString()
  @IsCleanText()
  @MinLength(1)
  @MaxLength(40)
  identifier: string;

  @ApiProperty({ enum: SECTORS })
  @IsIn(SECTORS)
  sector: string;
}

export class ListOrganisationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: JURISDICTIONS })
  @IsOptional()
  @IsIn(JURISDICTIONS)
  jurisdiction?: Jurisdiction;

  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ description: 'exact USCC, BRN or Macao commercial registration number' })
  @IsOptional()
  @IsString()
  @IsCleanText()
  @MaxLength(40)
  identifier?: string;

  @ApiPropertyOptional({
    description:
      'search: English or Chinese name containing the text (case-insensitive; one or two characters match the start of a name), or an identifier (USCC or BRN) starting with it',
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
  @ApiProperty({ type: String, nullable: true }) legalName: string | null;
  @ApiProperty({ type: String, nullable: true }) legalNameZh: string | null;
  @ApiProperty({ enum: JURISDICTIONS }) jurisdiction: Jurisdiction;
  @ApiProperty({ enum: GBA_CITIES }) city: string;
  @ApiProperty({ enum: IDENTIFIER_TYPES }) identifierType: IdentifierType;
  @ApiProperty({ description: 'normalised: trimmed, upper-case' }) identifier: string;
  @ApiProperty({ enum: SECTORS }) sector: string;
  @ApiProperty({ enum: ['UNVERIFIED', 'VERIFIED'] }) verificationStatus: 'UNVERIFIED' | 'VERIFIED';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) verifiedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrganisationPage {
  @ApiProperty({ type: [OrganisationView] }) items: OrganisationView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page; null on the last page' }) nextCursor: string | null;
}
