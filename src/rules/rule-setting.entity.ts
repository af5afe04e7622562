import { Column, Entity, PrimaryColumn } from 'typeorm';
import { RuleDataColumns } from './rule-data-columns';

/** A rule that is data (docs/rules.md#rules-as-data): one setting for one regime, or for all ('*'). */
@Entity({ name: 'rule_settings' })
export class RuleSetting extends RuleDataColumns {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_rule_settings' })
  code: string;

  @PrimaryColumn({ type: 'text', default: '*', primaryKeyConstraintName: 'pk_rule_settings' })
  regime: string;

  @Column({ type: 'text' })
  value: string;
}
