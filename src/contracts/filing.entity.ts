import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Contract } from './contract.entity';
import { ContractVersion } from './contract-version.entity';
import type { FilingAuthority, FilingStatus } from './domain/filing-lifecycle';

export type FilingParty = 'processor' | 'recipient';

/** R8: one filing per party per filed version, each with its own authority, deadline, status and number. */
@Entity({ name: 'filings' })
@Index('uq_filings_version_party', ['contractVersionId', 'party'], { unique: true })
@Index('ix_filings_contract', ['contractId', 'version'])
@Index('ix_filings_authority_status', ['authority', 'status'])
@Index('ix_filings_organisation', ['organisationId'])
@Index('uq_filings_filing_number', ['filingNumber'], { unique: true })
export class Filing {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'contract_id', type: 'uuid' })
  contractId: string;

  @ManyToOne(() => Contract, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'fk_filings_contract' })
  contract?: Contract;

  @Column({ name: 'contract_version_id', type: 'uuid' })
  contractVersionId: string;

  @ManyToOne(() => ContractVersion, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_version_id', foreignKeyConstraintName: 'fk_filings_contract_version' })
  contractVersion?: ContractVersion;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  party: FilingParty;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_filings_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text' })
  authority: FilingAuthority;

  /** R8/R9: the 10th working day after the effective date in the party's own calendar. */
  @Column({ type: 'date' })
  deadline: string;

  @Column({ type: 'boolean' })
  provisional: boolean;

  @Column({ type: 'text', default: 'NOT_SUBMITTED' })
  status: FilingStatus;

  @Column({ name: 'first_submitted_on', type: 'date', nullable: true })
  firstSubmittedOn: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true })
  reviewedBy: string | null;

  @Column({ name: 'return_reason', type: 'text', nullable: true })
  returnReason: string | null;

  /** R11 [A]: after a RETURN, the configured resubmission window's last day. */
  @Column({ name: 'resubmission_deadline', type: 'date', nullable: true })
  resubmissionDeadline: string | null;

  /** R9: the resubmission deadline was counted through a year with no official calendar in the data. */
  @Column({ name: 'resubmission_provisional', type: 'boolean', nullable: true })
  resubmissionProvisional: boolean | null;

  /** Issued on ACCEPT, unique per authority and year (filing_number_counters). */
  @Column({ name: 'filing_number', type: 'text', nullable: true })
  filingNumber: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** A filing's state before its first submission (R10): what every new filing starts from. */
export const UNSUBMITTED = {
  status: 'NOT_SUBMITTED',
  firstSubmittedOn: null,
  submittedAt: null,
  reviewedAt: null,
  reviewedBy: null,
  returnReason: null,
  resubmissionDeadline: null,
  resubmissionProvisional: null,
  filingNumber: null,
} as const satisfies Partial<Filing>;

/** One gapless sequence per authority and year for filing numbers, advanced inside the accepting transaction. */
@Entity({ name: 'filing_number_counters' })
export class FilingNumberCounter {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_filing_number_counters' })
  authority: FilingAuthority;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_filing_number_counters' })
  year: number;

  @Column({ name: 'last_sequence', type: 'integer' })
  lastSequence: number;
}
