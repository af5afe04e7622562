import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import type { Direction, Jurisdiction } from './domain/contract-rules';

/**
 * One GBA Standard Contract between a processor and a recipient (R2). Its terms
 * live in `contract_versions`; this row holds what does not change between
 * versions, plus the termination (R13) and a revision counter that every
 * changing transaction increments, so a cache elsewhere (the transfers scope
 * cache) can invalidate with one cheap query.
 */
@Entity({ name: 'contracts' })
@Index('ix_contracts_processor', ['processorId'])
@Index('ix_contracts_recipient', ['recipientId'])
@Index('ix_contracts_created', ['createdAt', 'id'])
export class Contract {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  regime: string;

  @Column({ name: 'processor_id', type: 'uuid' })
  processorId: string;

  @ManyToOne(() => Organisation, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'processor_id', foreignKeyConstraintName: 'fk_contracts_processor' })
  processor?: Organisation;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  @ManyToOne(() => Organisation, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recipient_id', foreignKeyConstraintName: 'fk_contracts_recipient' })
  recipient?: Organisation;

  /** Copied from the parties when the contract is filed: the R2 facts the contract was accepted on. */
  @Column({ name: 'processor_jurisdiction', type: 'text' })
  processorJurisdiction: Jurisdiction;

  @Column({ name: 'recipient_jurisdiction', type: 'text' })
  recipientJurisdiction: Jurisdiction;

  @Column({ name: 'processor_sector', type: 'text' })
  processorSector: string;

  @Column({ type: 'text' })
  direction: Direction;

  /** The highest version number. */
  @Column({ name: 'latest_version', type: 'integer' })
  latestVersion: number;

  /** The highest version that has its own filings (R12: a version without re-filing carries none). */
  @Column({ name: 'filing_version', type: 'integer' })
  filingVersion: number;

  /** Incremented in every transaction that changes the contract, its versions or its filings. */
  @Column({ type: 'integer', default: 1 })
  revision: number;

  /** R13: the first day the contract no longer applies. */
  @Column({ name: 'terminated_on', type: 'date', nullable: true })
  terminatedOn: string | null;

  @Column({ name: 'termination_reason', type: 'text', nullable: true })
  terminationReason: string | null;

  @Column({ name: 'terminated_by_organisation_id', type: 'uuid', nullable: true })
  terminatedByOrganisationId: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  /** Millisecond precision, so the list cursor (an ISO instant) names the row exactly. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
