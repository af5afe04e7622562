import { Column, Entity, PrimaryColumn } from 'typeorm';
import { RuleDataColumns } from './rule-data-columns';

/** R12 (docs/rules.md#r12): a change of `change` kind to `field` requires re-filing while `active`. */
@Entity({ name: 'refiling_triggers' })
export class RefilingTriggerRow extends RuleDataColumns {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_refiling_triggers' })
  code: string;

  /** A field of src/rules/domain/data-rules.ts AMENDMENT_FIELDS, e.g. annex.purposes. */
  @Column({ type: 'text' })
  field: string;

  /** ADDED, REMOVED, EXTENDED, SHORTENED or CHANGED (as the field allows). */
  @Column({ type: 'text' })
  change: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;
}
