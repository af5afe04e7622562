import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Contract } from './contract.entity';
import type { TriggerHit } from './domain/amendment';
import type { ContractAnnex, PipiaRecord } from './domain/contract-rules';

/** The terms of one version of a contract (annex and PIPIA, R6, R12). Never updated once written. */
@Entity({ name: 'contract_versions' })
@Index('uq_contract_versions_contract_version', ['contractId', 'version'], { unique: true })
export class ContractVersion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'contract_id', type: 'uuid' })
  contractId: string;

  @ManyToOne(() => Contract, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'fk_contract_versions_contract' })
  contract?: Contract;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  regime: string;

  @Column({ name: 'effective_date', type: 'date' })
  effectiveDate: string;

  @Column({ name: 'expiry_date', type: 'date', nullable: true })
  expiryDate: string | null;

  /** R3: always false for a stored version (true is refused), kept as the filer's declaration. */
  @Column({ name: 'important_data_included', type: 'boolean' })
  importantDataIncluded: boolean;

  @Column({ type: 'jsonb' })
  annex: ContractAnnex;

  @Column({ type: 'jsonb' })
  pipia: PipiaRecord;

  /** Appendix II of the contract: other terms agreed by the parties (null: none). */
  @Column({ name: 'appendix_ii', type: 'text', nullable: true })
  appendixII: string | null;

  /** R12: the fields changed from the previous version (empty for version 1). */
  @Column({ name: 'changed_fields', type: 'jsonb' })
  changedFields: string[];

  @Column({ name: 'refiling_required', type: 'boolean' })
  refilingRequired: boolean;

  /** R12: why re-filing was or was not required (null for version 1). */
  @Column({ name: 'refiling_reason', type: 'text', nullable: true })
  refilingReason: string | null;

  /** R12: the re-filing triggers the amendment met, as they stood then (null for version 1). */
  @Column({ name: 'refiling_triggers', type: 'jsonb', nullable: true })
  refilingTriggers: TriggerHit[] | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
