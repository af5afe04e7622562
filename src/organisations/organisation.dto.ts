import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { SECTORS } from './gba';

export class CreateOrganisationDto {
  @ApiPropertyOptional({ example: 'Bank of the Bay (Hong Kong) Limited' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  legalName?: string;

  @ApiPropertyOptional({ example: '灣區銀行（香港）有限公司' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  legalNameZh?: string;

  @ApiProperty({ enum: ['MAINLAND', 'HONG_KONG'] })
  @IsIn(['MAINLAND', 'HONG_KONG'])
  jurisdiction: 'MAINLAND' | 'HONG_KONG';

  @ApiProperty({ example: 'SHENZHEN', description: 'One of the nine Mainland GBA cities or HONG_KONG (R1)' })
  @IsString()
  @Matches(/^[A-Z][A-Z_]{1,39}$/, { message: 'city must be an upper-case city code such as SHENZHEN' })
  city: string;

  @ApiProperty({ enum: ['USCC', 'HK_BRN'] })
  @IsIn(['USCC', 'HK_BRN'])
  identifierType: 'USCC' | 'HK_BRN';

  @ApiProperty({ example: '91440300MA5DC6QX9X' })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  identifier: string;

  @ApiProperty({ enum: SECTORS })
  @IsIn(SECTORS as unknown as string[])
  sector: string;
}

export class ListOrganisationsQuery extends PageQuery {
  @IsOptional()
  @IsIn(['MAINLAND', 'HONG_KONG'])
  jurisdiction?: 'MAINLAND' | 'HONG_KONG';

  @IsOptional()
  @IsIn(SECTORS as unknown as string[])
  sector?: string;

  @IsOptional()
  @IsString()
  @MaxLength(40)
  identifier?: string;
}

export interface OrganisationView {
  id: string;
  legalName: string | null;
  legalNameZh: string | null;
  jurisdiction: 'MAINLAND' | 'HONG_KONG';
  city: string;
  identifierType: 'USCC' | 'HK_BRN';
  identifier: string;
  sector: string;
  verificationStatus: 'UNVERIFIED' | 'VERIFIED';
  verifiedAt: string | null;
  createdAt: string;
}
