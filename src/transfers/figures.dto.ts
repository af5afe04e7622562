import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { DIRECTIONS, SECTORS } from '../organisations/gba';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class TransferFiguresQuery {
  @ApiPropertyOptional({ example: '2025-01', description: 'First month (YYYY-MM, Hong Kong time), inclusive' })
  @IsOptional()
  @Matches(MONTH, { message: 'from must be a month written YYYY-MM' })
  from?: string;

  @ApiPropertyOptional({ example: '2025-12', description: 'Last month (YYYY-MM, Hong Kong time), inclusive' })
  @IsOptional()
  @Matches(MONTH, { message: 'to must be a month written YYYY-MM' })
  to?: string;

  @ApiPropertyOptional({ enum: SECTORS, description: 'Only this sector (the processor’s registered sector)' })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({ example: 'MAINLAND_TO_HK', description: `${DIRECTIONS.join(', ')}, or another side's direction` })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9]*_TO_[A-Z][A-Z0-9]*$/, { message: 'direction must be a direction such as MAINLAND_TO_HK' })
  direction?: string;

  @ApiPropertyOptional({
    enum: ['true'],
    description: 'Also answer `flagged`: the flagged records within these filters grouped by flag, contract and organisation, counted by the registry',
  })
  @IsOptional()
  @IsIn(['true'], { message: 'flagged must be true' })
  flagged?: 'true';
}

export class TransferFigureRow {
  @ApiProperty({ example: '2025-02', description: 'YYYY-MM in Hong Kong time (UTC+8)' })
  month: string;

  @ApiProperty({ enum: SECTORS, description: 'The processor’s registered sector' })
  sector: string;

  @ApiProperty({ enum: DIRECTIONS })
  direction: string;

  @ApiProperty({ description: 'Transfer records logged' })
  transfers: number;

  @ApiProperty({ description: 'Sum of the records’ recordCount' })
  records: number;

  @ApiProperty({ description: 'Sum of the records’ dataSubjectCount (a data subject in two transfers counts twice)' })
  dataSubjects: number;

  @ApiProperty({ description: 'Transfer records carrying at least one compliance flag' })
  flaggedTransfers: number;
}

export class FlagGroup {
  @ApiProperty({ example: 'ONWARD_RECIPIENT_OUTSIDE_GBA' })
  flag: string;

  @ApiProperty({ description: 'Flagged records carrying this flag' })
  transfers: number;

  @ApiProperty({ description: 'Contracts with such a record' })
  contracts: number;

  @ApiProperty({ description: 'Organisations party to such a record' })
  organisations: number;

  @ApiProperty({ description: 'When the latest such record occurred' })
  lastSeen: string;
}

export class FlaggedContractGroup {
  @ApiProperty({ format: 'uuid' })
  contractId: string;

  @ApiProperty({ format: 'uuid' })
  processorId: string;

  @ApiProperty({ format: 'uuid' })
  recipientId: string;

  @ApiProperty({ description: 'Flagged records under the contract' })
  transfers: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Records per flag' })
  flags: Record<string, number>;

  @ApiProperty({ description: 'When the latest flagged record occurred' })
  lastSeen: string;
}

export class FlaggedOrganisationGroup {
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ description: 'Flagged records the organisation is party to' })
  transfers: number;

  @ApiProperty({ description: 'Its contracts with a flagged record' })
  contracts: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'Records per flag' })
  flags: Record<string, number>;
}

export class FlaggedFigures {
  @ApiProperty({ description: 'Flagged records within the filters' })
  transfers: number;

  @ApiProperty({ type: [FlagGroup], description: 'By flag, most records first' })
  byFlag: FlagGroup[];

  @ApiProperty({ type: [FlaggedContractGroup], description: 'By contract, most records first (at most 100)' })
  byContract: FlaggedContractGroup[];

  @ApiProperty({ type: [FlaggedOrganisationGroup], description: 'By organisation, most records first (at most 100)' })
  byOrganisation: FlaggedOrganisationGroup[];
}

export class TransferFiguresView {
  @ApiProperty({ type: [TransferFigureRow], description: 'Non-empty cells, by month, sector and direction' })
  figures: TransferFigureRow[];

  @ApiPropertyOptional({ type: FlaggedFigures, description: 'With flagged=true: the flagged records grouped (per month: flaggedTransfers above)' })
  flagged?: FlaggedFigures;
}
