import { Column, Entity, PrimaryColumn } from 'typeorm';

/** R12 (docs/rules.md#r12): a change of `change` kind to `field` requires re-filing while `active`. */
@Entity({ name: 'refiling_triggers' })
export class RefilingTriggerRow {
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
