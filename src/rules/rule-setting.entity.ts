import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A rule that is data (docs/rules.md#rules-as-data): one setting for one regime, or for all ('*'). */
@Entity({ name: 'rule_settings' })
export class RuleSetting {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_rule_settings' })
  code: string;

  @PrimaryColumn({ type: 'text', default: '*', primaryKeyConstraintName: 'pk_rule_settings' })
  regime: string;

  @Column({ type: 'text' })
  value: string;

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
