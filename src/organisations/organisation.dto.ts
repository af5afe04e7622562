import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { CITY_CODE, CITY_CODE_MESSAGE, FreeText, IsCleanText, UpperCaseCity } from '../common/text';
import { GBA_CITIES, SECTORS } from './gba';

export class CreateOrganisationDto {
  @ApiPropertyOptional({ example: 'Bank of the Bay (Hong Kong) Limited' })
  @IsOptional()
  @FreeText(300)
  legalName?: string;

  @ApiPropertyOptional({ example: '灣區銀行（香港）有限公司' })
  @IsOptional()
  @FreeText(300)
  legalNameZh?: string;

  @ApiProperty({ enum: ['MAINLAND', 'HONG_KONG'] })
  @IsIn(['MAINLAND', 'HONG_KONG'])
  jurisdiction: 'MAINLAND' | 'HONG_KONG';

  @ApiProperty({ example: 'SHENZHEN', description: 'One of the nine Mainland GBA cities or HONG_KONG (R1); trimmed and upper-cased' })
  @UpperCaseCity()
  @IsString()
  @Matches(CITY_CODE, { message: `city ${CITY_CODE_MESSAGE}` })
  city: string;

  @ApiProperty({ enum: ['USCC', 'HK_BRN'] })
  @IsIn(['USCC', 'HK_BRN'])
  identifierType: 'USCC' | 'HK_BRN';

  @ApiProperty({ example: '914403001922038216', description: 'USCC (18 characters, GB 32100-2015) for MAINLAND; 8-digit BRN for HONG_KONG (R17)' })
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
  @ApiPropertyOptional({ enum: ['MAINLAND', 'HONG_KONG'] })
  @IsOptional()
  @IsIn(['MAINLAND', 'HONG_KONG'])
  jurisdiction?: 'MAINLAND' | 'HONG_KONG';

  @ApiPropertyOptional({ enum: SECTORS })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ description: 'exact USCC or BRN' })
  @IsOptional()
  @IsString()
  @IsCleanText()
  @MaxLength(40)
  identifier?: string;
}

export class OrganisationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true }) legalName: string | null;
  @ApiProperty({ type: String, nullable: true }) legalNameZh: string | null;
  @ApiProperty({ enum: ['MAINLAND', 'HONG_KONG'] }) jurisdiction: 'MAINLAND' | 'HONG_KONG';
  @ApiProperty({ enum: GBA_CITIES }) city: string;
  @ApiProperty({ enum: ['USCC', 'HK_BRN'] }) identifierType: 'USCC' | 'HK_BRN';
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
