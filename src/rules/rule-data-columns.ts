import { Column } from 'typeorm';
import type { Principal } from '../common/roles';

/**
 * The columns every rule that is data carries (docs/rules.md#rules-as-data): where it comes from,
 * how sure that is, its labels in the three languages, and who changed it last. `rule_settings` and
 * `refiling_triggers` each have them (TypeORM reads the columns of an abstract class an entity extends).
 */
export abstract class RuleDataColumns {
  /** A short name of docs/rules.md#sources, or "assumption". */
  @Column({ type: 'text' })
  source: string;

  /** C (confirmed) or A (assumed). */
  @Column({ type: 'text' })
  confidence: string;

  @Column({ name: 'label_en', type: 'text' })
  labelEn: string;

  @Column({ name: 'label_zh_hant', type: 'text' })
  labelZhHant: string;

  @Column({ name: 'label_zh_hans', type: 'text' })
  labelZhHans: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

export interface RuleLabels {
  en: string;
  'zh-Hant': string;
  'zh-Hans': string;
}

export const labelsOf = (r: Pick<RuleDataColumns, 'labelEn' | 'labelZhHant' | 'labelZhHans'>): RuleLabels => ({
  en: r.labelEn,
  'zh-Hant': r.labelZhHant,
  'zh-Hans': r.labelZhHans,
});

/** The source, confidence and labels as GET /reference answers them. */
export const sourceView = (r: RuleDataColumns) => ({
  source: r.source,
  confidence: r.confidence,
  confirmed: r.confidence === 'C',
  labels: labelsOf(r),
});

/** The columns of a row `principal` writes now from a PUT body's source and confidence and `labels`. */
export function ruleDataOf(principal: Principal, dto: { source: string; confidence: string }, labels: RuleLabels): RuleDataColumns {
  return {
    source: dto.source.trim(),
    confidence: dto.confidence,
    labelEn: labels.en,
    labelZhHant: labels['zh-Hant'],
    labelZhHans: labels['zh-Hans'],
    updatedBy: principal.id,
    updatedAt: new Date(),
  };
}
