import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { PERSONAL_INFORMATION_CATEGORIES, SENSITIVE_CATEGORIES } from '../contracts/domain/categories';
import { SECTORS } from '../organisations/gba';
import { CITY_CODE, CITY_CODE_MESSAGE, FreeText, UpperCaseCity } from '../common/text';
import { COMPLIANCE_FLAGS } from './domain/compliance-flags';
import { instantInRange, isInstantOrCalendarDate, MAX_RECORDS_PER_REQUEST, normaliseInstant } from './domain/transfer-records';
import { INSTANT_MESSAGE } from '../common/dates';

export { MAX_RECORDS_PER_REQUEST };

export { DIRECTIONS } from '../organisations/gba';
import { DIRECTIONS } from '../organisations/gba';

/**
 * `occurredAt`: a real ISO 8601 instant with an explicit offset (Z or ±hh:mm; a local time would be
 * ambiguous evidence), rule `isInstant`, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999+08:00 so
 * PostgreSQL and the GBA calendar date can hold it, rule `instantRange` (README, Transfer log).
 */
function IsStorableInstant(): PropertyDecorator {
  const instant = (value: unknown) => (typeof value === 'string' ? normaliseInstant(value) : null);
  const isInstant = ValidateBy({
    name: 'isInstant',
    validator: { validate: (value) => instant(value) !== null, defaultMessage: (args) => `${args?.property} ${INSTANT_MESSAGE}` },
  });
  const inRange = ValidateBy({
    name: 'instantRange',
    validator: {
      validate: (value) => {
        const normalised = instant(value);
        return normalised === null || instantInRange(normalised);
      },
      defaultMessage: (args) => `${args?.property} must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999+08:00`,
    },
  });
  return (target, key) => {
    isInstant(target, key);
    inRange(target, key);
  };
}

/**
 * `@ValidateNested` walks an array found where an object belongs as a list of nested objects
 * (`records: [[]]` and `onwardRecipient: []` passed), and an object found where a list belongs as
 * one nested object (`records: {"0": …}` was refused member by member). `NestedShape` hands such a
 * value on as a string, which `@ValidateNested` refuses at the member's own path (`records[0]`,
 * `onwardRecipient`, `records`), as parseTransferBody does.
 */
const WRONG_SHAPE = 'a value of the wrong shape';
const objectOnly = (value: unknown): unknown => (Array.isArray(value) ? WRONG_SHAPE : value);
const listOnly = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(objectOnly) : typeof value === 'object' && value !== null ? WRONG_SHAPE : value;
const NestedShape = ({ list }: { list: boolean }): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (list ? listOnly(value) : objectOnly(value)));

export class OnwardRecipientDto {
  @ApiProperty({ example: 'Bay Area Credit Bureau Ltd' })
  @FreeText(300)
  name: string;

  @ApiProperty({ example: 'GUANGZHOU', description: 'City code; outside the GBA is flagged ONWARD_RECIPIENT_OUTSIDE_GBA (R5)' })
  @UpperCaseCity()
  @IsString()
  @Matches(CITY_CODE, { message: `city ${CITY_CODE_MESSAGE}` })
  city: string;
}

export class TransferRecordDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  contractId: string;

  @ApiProperty({ example: '2025-02-01T03:00:00Z' })
  @IsStorableInstant()
  occurredAt: string;

  @ApiProperty({ example: 'MAINLAND_TO_HK', description: `R2: ${DIRECTIONS.join(', ')}, or another side's direction (GET /reference)` })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9]*_TO_[A-Z][A-Z0-9]*$/, { message: 'direction must be a direction such as MAINLAND_TO_HK' })
  direction: string;

  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  dataSubjectCount: number;

  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  recordCount: number;

  @ApiProperty({ enum: PERSONAL_INFORMATION_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERSONAL_INFORMATION_CATEGORIES.length)
  @ArrayUnique()
  @IsIn(PERSONAL_INFORMATION_CATEGORIES, { each: true })
  personalInformationCategories: string[];

  @ApiProperty({ enum: SENSITIVE_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMaxSize(SENSITIVE_CATEGORIES.length)
  @ArrayUnique()
  @IsIn(SENSITIVE_CATEGORIES, { each: true })
  sensitiveCategories: string[];

  @ApiProperty({ type: [String], example: ['credit assessment'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @FreeText(500, { each: true })
  purposes: string[];

  @ApiProperty({ example: 'encrypted API over dedicated line' })
  @FreeText(500)
  transferMethod: string;

  @ApiProperty()
  @IsBoolean()
  separateConsentObtained: boolean;

  @ApiPropertyOptional({ type: OnwardRecipientDto, nullable: true })
  @IsOptional()
  @ValidateNested({ message: 'onwardRecipient must be an object {name, city} or null' })
  @Type(() => OnwardRecipientDto)
  @NestedShape({ list: false })
  onwardRecipient?: OnwardRecipientDto | null;

  @ApiProperty({ description: 'SHA-256 of the dataset sent, 64 hex digits; the registry never receives the data' })
  @IsString()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'payloadDigest must be a SHA-256 digest in 64 hex digits' })
  payloadDigest: string;

  @ApiProperty({ example: 'batch-2025-02-01-03', description: "The sender's own reference" })
  @FreeText(200)
  externalReference: string;
}

export class CreateTransfersDto {
  @ApiProperty({ type: [TransferRecordDto], maxItems: MAX_RECORDS_PER_REQUEST })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECORDS_PER_REQUEST)
  @ValidateNested({ each: true, message: 'records must be an array of objects' })
  @Type(() => TransferRecordDto)
  @NestedShape({ list: true })
  records: TransferRecordDto[];
}

export interface TransferResult {
  leafIndex: number;
  flags: string[];
}

export interface CreateTransfersResponse {
  records: TransferResult[];
}

/** `from`/`to`: an RFC 3339 instant with Z or an offset, or a YYYY-MM-DD date (`isInstantOrCalendarDate`). */
function IsInstantOrCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstantOrCalendarDate',
      validator: {
        validate: (value) => isInstantOrCalendarDate(value),
        defaultMessage: (args) => `${args?.property} ${INSTANT_MESSAGE}, or a calendar date written YYYY-MM-DD`,
      },
    },
    options,
  );
}

export class TransferFilterQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this contract’s transfers' })
  @IsOptional()
  @IsUUID('all')
  contractId?: string;

  @ApiPropertyOptional({ description: 'Processor or recipient' })
  @IsOptional()
  @IsUUID('all')
  organisationId?: string;

  @ApiPropertyOptional({ example: 'MAINLAND_TO_HK', description: `${DIRECTIONS.join(', ')}, or another side's direction` })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9]*_TO_[A-Z][A-Z0-9]*$/, { message: 'direction must be a direction such as MAINLAND_TO_HK' })
  direction?: string;

  @ApiPropertyOptional({ description: 'occurredAt ≥ from (RFC 3339 instant with Z or an offset, or a date YYYY-MM-DD: 00:00 in the GBA)' })
  @IsOptional()
  @IsInstantOrCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'occurredAt < to (RFC 3339 instant with Z or an offset, or a date YYYY-MM-DD: 00:00 in the GBA)' })
  @IsOptional()
  @IsInstantOrCalendarDate()
  to?: string;

  @ApiPropertyOptional({ enum: COMPLIANCE_FLAGS, description: 'Only records with this compliance flag' })
  @IsOptional()
  @IsIn(COMPLIANCE_FLAGS)
  flag?: string;

  @ApiPropertyOptional({ description: 'A personal-information category the transfer includes' })
  @IsOptional()
  @IsIn(PERSONAL_INFORMATION_CATEGORIES)
  category?: string;

  @ApiPropertyOptional({ description: "The processor's sector" })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only records with at least one compliance flag; false: only clean records' })
  @IsOptional()
  @IsIn(['true', 'false'])
  flagged?: 'true' | 'false';
}

/** The filters, and a page of them (`limit`, `cursor`) as every list takes it. */
export class ListTransfersQuery extends IntersectionType(TransferFilterQuery, PageQuery) {}

export class ExportTransfersQuery extends TransferFilterQuery {
  @ApiProperty({ enum: ['ndjson', 'csv'] })
  @IsIn(['ndjson', 'csv'])
  format: 'ndjson' | 'csv';
}

export class TransferSummaryQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  contractId: string;
}

export interface TransferView {
  leafIndex: number;
  contractId: string;
  contractVersion: number;
  processorId: string;
  recipientId: string;
  sector: string;
  occurredAt: string;
  recordedAt: string;
  direction: string;
  dataSubjectCount: number;
  recordCount: number;
  personalInformationCategories: string[];
  sensitiveCategories: string[];
  purposes: string[];
  transferMethod: string;
  separateConsentObtained: boolean;
  onwardRecipient: { name: string; city: string } | null;
  payloadDigest: string;
  externalReference: string;
  flags: string[];
  submittedByOrganisationId: string;
}

export interface TransferSummary {
  contractId: string;
  transfers: number;
  dataSubjects: number;
  records: number;
  flaggedTransfers: number;
  flags: Record<string, number>;
  firstTransfer: { leafIndex: number; occurredAt: string } | null;
  lastTransfer: { leafIndex: number; occurredAt: string } | null;
}
