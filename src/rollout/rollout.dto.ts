import type { Jurisdiction } from '../organisations/gba';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { ENROLMENT_STATES, EnrolmentAction, EnrolmentState } from './enrolment-lifecycle';
import { IsCalendarDate } from '../common/dates';
import { FreeText } from '../common/text';

const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

// R15/R16 dates: the one strict calendar-date check of the API (src/common/dates.ts).
export { IsCalendarDate };

export class CreateRegimeDto {
  @ApiProperty({ example: 'GBA_MAINLAND_MACAO', description: 'Upper snake case; never changes once created' })
  @IsString()
  @Matches(CODE, { message: 'code must be upper snake case, e.g. GBA_MAINLAND_MACAO' })
  code: string;

  @ApiProperty({ example: 'Standard Contract for Cross-boundary Flow of Personal Information (Mainland, Macao)' })
  @FreeText(300)
  name: string;

  @ApiPropertyOptional({ example: '個人信息跨境流動標準合同（內地、澳門）' })
  @IsOptional()
  @FreeText(300)
  nameZh?: string;

  @ApiProperty({ example: ['MAINLAND', 'MACAO'], description: 'The two sides the regime spans' })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @Matches(CODE, { each: true, message: 'each side must be an upper-case code such as MAINLAND' })
  sides: string[];

  @ApiProperty({ example: '2024-09-10', description: 'First date a contract under this regime may take effect (R16)' })
  @IsCalendarDate()
  opensOn: string;
}

export class CreatePhaseDto {
  @ApiProperty({ example: 'GBA_MAINLAND_MACAO' })
  @IsString()
  @Matches(CODE, { message: 'regime must be a regime code such as GBA_MAINLAND_HK' })
  regime: string;

  @ApiPropertyOptional({ description: 'Defaults to one more than the regime’s highest phase number' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  number?: number;

  @ApiPropertyOptional({ example: 'First phase' })
  @IsOptional()
  @FreeText(300)
  name?: string;

  @ApiProperty({ example: '2024-09-10' })
  @IsCalendarDate()
  opensOn: string;

  @ApiPropertyOptional({ description: 'Opens every sector, including sectors added later; then `sectors` must be empty or absent' })
  @IsOptional()
  @IsBoolean()
  allSectors?: boolean;

  @ApiPropertyOptional({ example: ['BANKING', 'HEALTHCARE'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @Matches(CODE, { each: true, message: 'each sector must be a sector code such as BANKING' })
  sectors?: string[];
}

export class ListPhasesQuery {
  @ApiPropertyOptional({ example: 'GBA_MAINLAND_HK', description: 'Only this regime' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: 'regime must be a regime code such as GBA_MAINLAND_HK' })
  regime?: string;
}

export class StatsQuery extends ListPhasesQuery {}

export class CreateEnrolmentDto {
  @ApiProperty({ example: 'GBA_MAINLAND_HK' })
  @IsString()
  @Matches(CODE, { message: 'regime must be a regime code such as GBA_MAINLAND_HK' })
  regime: string;

  @ApiPropertyOptional({ description: 'Defaults to the phase under which the sector opens' })
  @IsOptional()
  @IsUUID('all')
  phaseId?: string;

  @ApiPropertyOptional({ example: 'RETAIL', description: 'Defaults to the organisation’s own sector' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: 'sector must be a sector code such as BANKING' })
  sector?: string;
}

/** ACTIVATE is the system's (an accepted filing), never a person's, so it is not accepted here. */
export const HTTP_ENROLMENT_ACTIONS = ['ENROL', 'DECLINE', 'WITHDRAW'] as const satisfies readonly EnrolmentAction[];

export class ChangeEnrolmentDto {
  @ApiProperty({ enum: HTTP_ENROLMENT_ACTIONS })
  @IsIn(HTTP_ENROLMENT_ACTIONS)
  action: (typeof HTTP_ENROLMENT_ACTIONS)[number];

  @ApiPropertyOptional({ example: 'sector not yet open; reapply after 2024-11-01' })
  @IsOptional()
  @FreeText(2000)
  reason?: string;
}

export class ListEnrolmentsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'GBA_MAINLAND_HK' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: 'regime must be a regime code such as GBA_MAINLAND_HK' })
  regime?: string;

  @ApiPropertyOptional({ enum: ENROLMENT_STATES })
  @IsOptional()
  @IsIn(ENROLMENT_STATES)
  status?: EnrolmentState;

  @ApiPropertyOptional({ example: 'BANKING' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: 'sector must be a sector code such as BANKING' })
  sector?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  organisationId?: string;
}

export interface Labels {
  en: string;
  'zh-Hant': string;
  'zh-Hans': string;
}

export interface RegimeView {
  code: string;
  name: string;
  nameZh: string | null;
  sides: string[];
  opensOn: string;
}

export interface SectorView {
  code: string;
  labels: Labels;
  /** For each regime, the first date the sector may use its contract (null: no phase covers it yet). */
  opensOn: Record<string, string | null>;
}

export interface PhaseView {
  id: string;
  regime: string;
  number: number;
  name: string | null;
  opensOn: string;
  allSectors: boolean;
  sectors: string[];
}

export interface EnrolmentView {
  id: string;
  organisationId: string;
  regime: string;
  phaseId: string | null;
  phaseNumber: number | null;
  sector: string;
  jurisdiction: Jurisdiction;
  status: EnrolmentState;
  /** What may happen next from this state (ACTIVATE is the system's). */
  allowedActions: EnrolmentAction[];
  createdAt: string;
  updatedAt: string;
}

export interface EnrolmentHistoryView {
  action: string;
  fromStatus: EnrolmentState | null;
  toStatus: EnrolmentState;
  reason: string | null;
  actorId: string | null;
  actorRole: string;
  occurredAt: string;
}

export interface EnrolmentStatsRow {
  regime: string;
  phaseId: string | null;
  phaseNumber: number | null;
  sector: string;
  jurisdiction: string;
  status: EnrolmentState;
  count: number;
}

export interface SectorActivityRow {
  regime: string;
  sector: string;
  jurisdiction: string;
  enrolments: Record<EnrolmentState, number>;
  acceptedFilings: number;
  transferRecords: number;
}

export interface RolloutStatsView {
  /** Counts by regime × phase × sector × jurisdiction × enrolment status (non-zero cells only). */
  enrolments: EnrolmentStatsRow[];
  /** Per regime × sector × jurisdiction: enrolments by status joined with accepted filings and logged transfer records. */
  sectors: SectorActivityRow[];
}
