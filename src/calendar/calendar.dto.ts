import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { FreeText } from '../common/text';
import { JURISDICTIONS, OVERRIDE_KINDS, type CalendarOverrideKind, type Jurisdiction } from './working-days';

/**
 * Query strings arrive as text; the pure module (working-days.ts) does the real checks and names
 * the field, so every rule lives in one place. Here only "is it text" and "no unknown fields".
 */
export class DeadlineQuery {
  @ApiProperty({ enum: JURISDICTIONS })
  @IsOptional()
  @IsString()
  jurisdiction?: string;

  @ApiProperty({ example: '2025-01-24', description: 'The effective date, day 0 (YYYY-MM-DD)' })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiProperty({ example: '10', description: 'Whole number from 1 to 365' })
  @IsOptional()
  @IsString()
  workingDays?: string;
}

/** R9: the answer of GET /calendar/deadline. */
export class DeadlineView {
  @ApiProperty({ example: '2027-01-12', description: 'The deadline (YYYY-MM-DD), never a weekend or a known public holiday' })
  deadline: string;

  @ApiProperty({
    description:
      "True when a year from day 0 to the deadline has no official calendar in the registry's data: its public holidays are counted by rule and the deadline may change when the official calendar is published (暫定)",
  })
  provisional: boolean;

  @ApiProperty({ type: [Number], example: [2027], description: 'Those years, ascending; empty when not provisional' })
  provisionalYears: number[];
}

export class CreateOverrideDto {
  @ApiProperty({ example: 'HONG_KONG', description: `${JURISDICTIONS.join(', ')}, or a side whose calendar is data (calendar_jurisdictions)` })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'jurisdiction must be a jurisdiction code such as HONG_KONG' })
  jurisdiction: Jurisdiction;

  @ApiProperty({ example: '2025-07-21', description: 'YYYY-MM-DD' })
  @IsString()
  date: string;

  @ApiProperty({ enum: OVERRIDE_KINDS })
  @IsIn(OVERRIDE_KINDS)
  kind: CalendarOverrideKind;

  @ApiProperty({ example: 'Black rainstorm warning; government offices closed' })
  @FreeText(500)
  reason: string;
}

export class ListOverridesQuery {
  @ApiPropertyOptional({ example: 'HONG_KONG', description: `${JURISDICTIONS.join(', ')}, or a side whose calendar is data` })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'jurisdiction must be a jurisdiction code such as HONG_KONG' })
  jurisdiction?: Jurisdiction;

  @ApiPropertyOptional({ example: '2025', description: 'Calendar year' })
  @IsOptional()
  @IsString()
  year?: string;
}

export interface OverrideView {
  id: string;
  jurisdiction: Jurisdiction;
  date: string;
  kind: CalendarOverrideKind;
  reason: string;
  createdBy: string | null;
  createdAt: string;
}

export interface CoverageView {
  jurisdiction: Jurisdiction;
  /** Years whose official calendar the data package holds; other years are provisional (R9). */
  publishedYears: number[];
  source: { package: string; version: string; description: string };
}
