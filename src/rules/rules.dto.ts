import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { FreeText } from '../common/text';
import { AMENDMENT_FIELD_PATHS, CHANGE_KINDS, CONFIDENCES, RULE_SETTING_CODES } from './domain/data-rules';

/** A regime code (rollout_regimes.code), or absent for the setting of every regime without its own. */
export const REGIME_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** A re-filing trigger's code. */
export const TRIGGER_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export class RuleLabelsDto {
  @FreeText(200) en: string;
  @ApiProperty({ name: 'zh-Hant', description: 'Traditional Chinese (繁體中文)' })
  @FreeText(200)
  'zh-Hant': string;
  @ApiProperty({ name: 'zh-Hans', description: 'Simplified Chinese (简体中文)' })
  @FreeText(200)
  'zh-Hans': string;
}

export class PutRuleSettingDto {
  @ApiProperty({ example: 'BOTH', description: 'One of the values the setting allows (GET /reference, ruleSettings[].values)' })
  @IsString()
  value: string;

  @ApiPropertyOptional({ example: 'GBA_MAINLAND_MACAO', description: 'The regime this value is for; absent: every regime without its own value' })
  @IsOptional()
  @IsString()
  @Matches(REGIME_CODE, { message: 'regime must be a regime code such as GBA_MAINLAND_HK' })
  regime?: string;

  @ApiProperty({ example: 'assumption', description: 'A short name of docs/rules.md#sources, or "assumption"' })
  @FreeText(300)
  source: string;

  @ApiProperty({ enum: CONFIDENCES, description: 'C: confirmed from a public source; A: assumed' })
  @IsIn(CONFIDENCES)
  confidence: 'C' | 'A';

  @ApiPropertyOptional({ type: RuleLabelsDto, description: "The labels; absent: kept (a regime's new row takes the labels of the row for every regime)" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RuleLabelsDto)
  labels?: RuleLabelsDto;
}

export class PutRefilingTriggerDto {
  @ApiProperty({ enum: AMENDMENT_FIELD_PATHS, example: 'annex.purposes' })
  @IsIn(AMENDMENT_FIELD_PATHS)
  field: string;

  @ApiProperty({ enum: CHANGE_KINDS, example: 'ADDED', description: 'The kind of change that requires re-filing; the field must allow it' })
  @IsIn(CHANGE_KINDS)
  change: string;

  @ApiPropertyOptional({ default: true, description: 'False: the trigger is kept, listed, and met by no amendment' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiProperty({ example: 'assumption', description: 'A short name of docs/rules.md#sources, or "assumption"' })
  @FreeText(300)
  source: string;

  @ApiProperty({ enum: CONFIDENCES })
  @IsIn(CONFIDENCES)
  confidence: 'C' | 'A';

  @ApiPropertyOptional({ type: RuleLabelsDto, description: 'Required for a new trigger; absent: kept' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RuleLabelsDto)
  labels?: RuleLabelsDto;
}

export class RuleLabelsView {
  @ApiProperty() en: string;
  @ApiProperty({ name: 'zh-Hant' }) 'zh-Hant': string;
  @ApiProperty({ name: 'zh-Hans' }) 'zh-Hans': string;
}

export class RuleSettingView {
  @ApiProperty({ enum: RULE_SETTING_CODES }) code: string;
  @ApiProperty({ example: 'R15', description: 'The entry of docs/rules.md' }) rule: string;
  @ApiProperty({ type: String, nullable: true, description: 'The regime it applies to; null: every regime without its own value' })
  regime: string | null;
  @ApiProperty({ example: 'PROCESSOR' }) value: string;
  @ApiProperty({ type: [String], description: 'The values it may take' }) values: string[];
  @ApiProperty({ example: 'assumption' }) source: string;
  @ApiProperty({ enum: CONFIDENCES }) confidence: string;
  @ApiProperty({ description: 'True for C (confirmed), false for A (assumed)' }) confirmed: boolean;
  @ApiProperty({ type: RuleLabelsView }) labels: RuleLabelsView;
}

export class RefilingTriggerView {
  @ApiProperty({ example: 'PURPOSE_ADDED' }) code: string;
  @ApiProperty({ example: 'R12' }) rule: string;
  @ApiProperty({ enum: AMENDMENT_FIELD_PATHS }) field: string;
  @ApiProperty({ enum: CHANGE_KINDS }) change: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ example: 'Law-firm summaries: Clyde & Co (May 2024)' }) source: string;
  @ApiProperty({ enum: CONFIDENCES }) confidence: string;
  @ApiProperty({ description: 'True for C (confirmed), false for A (assumed)' }) confirmed: boolean;
  @ApiProperty({ type: RuleLabelsView }) labels: RuleLabelsView;
}

/** The rules that are data, as GET /reference lists them. */
export class DataRulesView {
  @ApiProperty({ type: [RuleSettingView] }) ruleSettings: RuleSettingView[];
  @ApiProperty({ type: [RefilingTriggerView] }) refilingTriggers: RefilingTriggerView[];
}
