import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
  MaxLength,
  Min,
  ValidateIf,
  IsObject,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsInstant } from '../common/dates';
import { PageQuery } from '../common/pagination';
import { CITY_CODE, CITY_CODE_MESSAGE, FreeText, UpperCaseCity } from '../common/text';
import { SECTORS } from '../organisations/gba';
import { PERSONAL_INFORMATION_CATEGORIES, SENSITIVE_CATEGORIES } from './domain/categories';
import { FILING_STATUSES } from './domain/filing-lifecycle';
import { QueryInteger } from '../common/query-integer';
import { CONTRACT_STATUSES, ContractStatus } from './domain/contract-status';
import type { ContractTerms } from './domain/contract-rules';
import { INCIDENT_SEVERITIES, IncidentSeverity } from './domain/incidents';
import { NOTICE_KINDS } from './domain/notices';

/*
 * Free-text limits (docs/api.md#free-text), in characters, each checked by the DTO and written in
 * openapi.json: names 300 (the longest registered company names are under 200); list items
 * (purposes, processing methods, data-subject categories) and the transfer method 500, up to 100
 * items a list; longer statements (other matters, the PIPIA's conclusion and assessment items,
 * reasons, an incident's remedial actions) 5000; an incident's description 10000; the contract's Appendix II 20000.
 */
export const TEXT_LIMITS = { name: 300, item: 500, items: 100, statement: 5000, description: 10000, appendix: 20000 } as const;

export class OnwardRecipientDto {
  @ApiProperty() @FreeText(TEXT_LIMITS.name) name: string;
  @ApiProperty({ example: 'GUANGZHOU' }) @UpperCaseCity() @IsString() @Matches(CITY_CODE, { message: `city ${CITY_CODE_MESSAGE}` }) city: string;
}

export class RetentionPeriodDto {
  @ApiProperty({ example: '2025-01-24' }) @IsCalendarDate() from: string;
  @ApiProperty({ example: '2030-01-23' }) @IsCalendarDate() to: string;
}

export class StorageLocationDto {
  @ApiProperty({ example: 'HONG_KONG' }) @UpperCaseCity() @IsString() @Matches(CITY_CODE, { message: `city ${CITY_CODE_MESSAGE}` }) city: string;
}

function TextList(min = 1): PropertyDecorator {
  return (target, key) => {
    for (const d of [IsArray(), ArrayMaxSize(TEXT_LIMITS.items), FreeText(TEXT_LIMITS.item, { each: true }), ArrayMinSize(min)]) d(target, key);
  };
}

export class AnnexDto {
  @ApiProperty({ type: [String], example: ['credit assessment'] }) @TextList() purposes: string[];
  @ApiProperty({ type: [String], example: ['storage', 'use'] }) @TextList() processingMethods: string[];
  @ApiProperty({ type: [String], example: ['retail customers'] }) @TextList() dataSubjectCategories: string[];

  @ApiProperty({ enum: PERSONAL_INFORMATION_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(PERSONAL_INFORMATION_CATEGORIES, { each: true })
  personalInformationCategories: string[];

  @ApiProperty({ enum: SENSITIVE_CATEGORIES, isArray: true, description: 'PIPL art. 28' })
  @IsArray()
  @ArrayUnique()
  @IsIn(SENSITIVE_CATEGORIES, { each: true })
  sensitiveCategories: string[];

  @ApiProperty({ type: [OnwardRecipientDto], description: 'R5: inside the GBA only' })
  @IsArray()
  @ArrayMaxSize(TEXT_LIMITS.items)
  @ValidateNested({ each: true })
  @Type(() => OnwardRecipientDto)
  onwardRecipients: OnwardRecipientDto[];

  @ApiProperty({ example: 'encrypted API over dedicated line' }) @FreeText(TEXT_LIMITS.item) transferMethod: string;

  @ApiProperty({ type: RetentionPeriodDto }) @IsObject() @ValidateNested() @Type(() => RetentionPeriodDto) retentionPeriod: RetentionPeriodDto;

  @ApiProperty({ type: StorageLocationDto, description: 'R5: a GBA city' })
  @IsObject()
  @ValidateNested()
  @Type(() => StorageLocationDto)
  storageLocation: StorageLocationDto;

  @ApiPropertyOptional() @IsOptional() @FreeText(TEXT_LIMITS.statement, { min: 0 }) otherMatters?: string;
}

export class PipiaDto {
  @ApiProperty({ example: '2025-01-10' }) @IsCalendarDate() completedOn: string;
  @ApiProperty() @FreeText(TEXT_LIMITS.statement) conclusion: string;
  @ApiProperty({ description: 'SHA-256 of the PIPIA report, 64 hex digits' })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'reportSha256 must be 64 hexadecimal digits' })
  reportSha256: string;
  @ApiPropertyOptional({ description: 'R6(a)' }) @IsOptional() @FreeText(TEXT_LIMITS.statement, { min: 0 }) lawfulnessAndNecessity?: string;
  @ApiPropertyOptional({ description: 'R6(b)' }) @IsOptional() @FreeText(TEXT_LIMITS.statement, { min: 0 }) impactOnRights?: string;
  @ApiPropertyOptional({ description: 'R6(c)' }) @IsOptional() @FreeText(TEXT_LIMITS.statement, { min: 0 }) recipientSafeguards?: string;
}

/** The terms of a version but its expiry date, whose absence means different things on filing and on amending. */
class VersionTermsDto {
  @ApiProperty({ example: 'GBA_MAINLAND_HK' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'regime must be an upper-case regime code such as GBA_MAINLAND_HK' })
  regime: string;

  @ApiProperty({ example: '2025-01-24' }) @IsCalendarDate() effectiveDate: string;

  @ApiProperty({ description: 'R3: must be false' }) @IsBoolean() importantDataIncluded: boolean;

  @ApiProperty({ type: AnnexDto }) @IsObject() @ValidateNested() @Type(() => AnnexDto) annex: AnnexDto;

  @ApiProperty({ type: PipiaDto }) @IsObject() @ValidateNested() @Type(() => PipiaDto) pipia: PipiaDto;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: TEXT_LIMITS.appendix,
    description:
      "Appendix II, other terms agreed by the parties. On filing: absent or null for none. On amending: absent keeps the amended version's, null removes it.",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @FreeText(TEXT_LIMITS.appendix, { min: 0 })
  appendixII?: string | null;
}

/**
 * `POST /contracts/:id/amendments`: every term of the new version (`POST /contracts` less the
 * parties). An amendment replaces the terms, so `expiryDate` is required: a date, or `null` to
 * remove the expiry (a body that left it out used to remove it silently; docs/rules.md#r12).
 */
export class ContractTermsDto extends VersionTermsDto {
  @ApiProperty({ type: String, example: '2027-01-23', nullable: true, description: 'required: a date, or null for no expiry' })
  @ValidateIf((_, v) => v !== null)
  @IsCalendarDate()
  expiryDate: string | null;
}

export class CreateContractDto extends VersionTermsDto {
  @ApiPropertyOptional({ type: String, example: '2027-01-23', nullable: true, description: 'absent or null: no expiry' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsCalendarDate()
  expiryDate?: string | null;

  @ApiProperty() @IsUUID() processorId: string;
  @ApiProperty() @IsUUID() recipientId: string;
}

export class ReviewFilingDto {
  @ApiProperty({ enum: ['ACCEPT', 'RETURN'] }) @IsIn(['ACCEPT', 'RETURN']) decision: 'ACCEPT' | 'RETURN';

  @ApiPropertyOptional({ description: 'Required for RETURN (R11: returned with reasons)' })
  @ValidateIf((o: ReviewFilingDto) => o.decision === 'RETURN' || o.reason !== undefined)
  @FreeText(TEXT_LIMITS.statement)
  reason?: string;
}

/** `GET /contracts/:id/incidents` and `/documents`: pages of at most 1000; the next page's cursor is in the `X-Next-Cursor` header. */
export class ContractItemsQuery {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional()
  @QueryInteger(1, 1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'the X-Next-Cursor header of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** Versions a page of `GET /contracts/:id/versions` holds at most (and by default). */
export const VERSIONS_PAGE_LIMIT = 20;

/**
 * `GET /contracts/:id/versions`: each version carries its whole terms (up to about a megabyte with
 * the longest text allowed, TEXT_LIMITS), so a page holds at most 20 of them and a contract amended
 * a thousand times still answers pages of a bounded size; the next page's cursor is in `X-Next-Cursor`.
 */
export class ContractVersionsQuery {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: VERSIONS_PAGE_LIMIT, default: VERSIONS_PAGE_LIMIT })
  @IsOptional()
  @QueryInteger(1, VERSIONS_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'the X-Next-Cursor header of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** `?version=n` on submit and review: act on that version's filing rather than the earliest open one. */
export class FilingVersionQuery {
  @ApiPropertyOptional({
    type: Number,
    minimum: 1,
    description: 'the contract version whose filing to act on; default: the earliest version whose filing is still open',
  })
  @IsOptional()
  @QueryInteger(1, 1_000_000)
  version?: number;
}

export class TerminateContractDto {
  @ApiProperty({ example: '2026-01-31', description: 'R13: the first day the contract no longer applies' })
  @IsCalendarDate()
  terminatedOn: string;

  @ApiProperty() @FreeText(TEXT_LIMITS.statement) reason: string;
}

export class NotifiedAuthorityDto {
  @ApiProperty({ example: 'GD_CAC', description: "R14: an authority supervising one of the contract's sides" })
  @IsString()
  @MaxLength(40)
  authority: string;

  @ApiProperty({ example: '2025-03-02T09:00:00Z', description: 'R14: not in the future, not before occurredAt' }) @IsInstant() notifiedAt: string;
}

export class ReportIncidentDto {
  @ApiProperty({ example: '2025-03-01T02:00:00Z', description: 'R14: not in the future' }) @IsInstant() occurredAt: string;

  @ApiPropertyOptional({ example: '2025-03-01T08:00:00Z', description: 'R14: not before occurredAt, not in the future' })
  @IsOptional()
  @IsInstant()
  discoveredAt?: string;

  @ApiProperty() @FreeText(TEXT_LIMITS.description) description: string;
  @ApiProperty() @IsInt() @Min(0) @Max(2_000_000_000) affectedDataSubjects: number;

  @ApiPropertyOptional({ enum: INCIDENT_SEVERITIES, description: 'R14' }) @IsOptional() @IsIn(INCIDENT_SEVERITIES) severity?: IncidentSeverity;

  @ApiPropertyOptional({ description: 'R14: what the party did or will do about it' })
  @IsOptional()
  @FreeText(TEXT_LIMITS.statement)
  remedialActions?: string;

  @ApiPropertyOptional({ type: [NotifiedAuthorityDto], description: 'R14: the authorities notified and when, each once' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => NotifiedAuthorityDto)
  notifiedAuthorities?: NotifiedAuthorityDto[];
}

/** `GET /incidents`: every incident the caller may read, in reporting order. */
export class ListIncidentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: INCIDENT_SEVERITIES }) @IsOptional() @IsIn(INCIDENT_SEVERITIES) severity?: string;

  @ApiPropertyOptional({ description: 'occurred on or after this GBA date' }) @IsOptional() @IsCalendarDate() from?: string;

  @ApiPropertyOptional({ description: 'occurred on or before this GBA date' }) @IsOptional() @IsCalendarDate() to?: string;

  @ApiPropertyOptional({ description: 'incidents of this contract only' }) @IsOptional() @IsUUID() contractId?: string;
}

/** `GET /notices`: the notices of contracts' ends (R13) the caller may read, oldest first. */
export class ListNoticesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: NOTICE_KINDS }) @IsOptional() @IsIn(NOTICE_KINDS) kind?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @IsIn(['true', 'false']) acknowledged?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'notices of this contract only' }) @IsOptional() @IsUUID() contractId?: string;
}

export { CONTRACT_STATUSES };
export type { ContractStatus };

export class ListContractsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: FILING_STATUSES, description: 'a current filing in this status' })
  @IsOptional()
  @IsIn(FILING_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: CONTRACT_STATUSES }) @IsOptional() @IsIn(CONTRACT_STATUSES) contractStatus?: string;

  @ApiPropertyOptional({ example: 'GD_CAC', description: 'a current filing with this authority (an authority code of GET /reference)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'authority must be an authority code such as GD_CAC' })
  authority?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';

  @ApiPropertyOptional({ enum: SECTORS, description: "the processor's sector" })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ description: 'an organisation id, either party' }) @IsOptional() @IsUUID() party?: string;

  @ApiPropertyOptional({ description: 'latest version effective on or after' })
  @IsOptional()
  @IsCalendarDate()
  effectiveFrom?: string;

  @ApiPropertyOptional({ description: 'latest version effective on or before' })
  @IsOptional()
  @IsCalendarDate()
  effectiveTo?: string;
}

/** The terms of a filing or an amendment body, as the rules read them (PIPIA digest in lower case). */
export function termsFromDto(terms: ContractTermsDto | CreateContractDto): ContractTerms {
  const a = terms.annex;
  return {
    regime: terms.regime,
    effectiveDate: terms.effectiveDate,
    expiryDate: terms.expiryDate ?? null,
    importantDataIncluded: terms.importantDataIncluded,
    annex: {
      purposes: a.purposes,
      processingMethods: a.processingMethods,
      dataSubjectCategories: a.dataSubjectCategories,
      personalInformationCategories: a.personalInformationCategories,
      sensitiveCategories: a.sensitiveCategories,
      onwardRecipients: a.onwardRecipients.map((r) => ({ name: r.name, city: r.city })),
      transferMethod: a.transferMethod,
      retentionPeriod: { from: a.retentionPeriod.from, to: a.retentionPeriod.to },
      storageLocation: { city: a.storageLocation.city },
      otherMatters: a.otherMatters ?? '',
    },
    pipia: {
      completedOn: terms.pipia.completedOn,
      conclusion: terms.pipia.conclusion,
      reportSha256: terms.pipia.reportSha256.toLowerCase(),
      ...(terms.pipia.lawfulnessAndNecessity !== undefined ? { lawfulnessAndNecessity: terms.pipia.lawfulnessAndNecessity } : {}),
      ...(terms.pipia.impactOnRights !== undefined ? { impactOnRights: terms.pipia.impactOnRights } : {}),
      ...(terms.pipia.recipientSafeguards !== undefined ? { recipientSafeguards: terms.pipia.recipientSafeguards } : {}),
    },
    ...(terms.appendixII !== undefined ? { appendixII: terms.appendixII } : {}),
  };
}
