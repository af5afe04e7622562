import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Contract } from './contract.entity';

export const CONTRACT_HISTORY_ACTIONS = [
  'CONTRACT_CREATED',
  'CONTRACT_AMENDED',
  'CONTRACT_TERMINATED',
  'DOCUMENT_UPLOADED',
  'FILING_CREATED',
  'FILING_SUBMITTED',
  'FILING_ACCEPTED',
  'FILING_RETURNED',
  'INCIDENT_REPORTED',
] as const;
export type ContractHistoryAction = (typeof CONTRACT_HISTORY_ACTIONS)[number];

/**
 * Every state change of a contract: who, when, what. Written in the same
 * transaction as the change (docs/contributing.md#database); the application role may
 * only INSERT and SELECT (the migration revokes UPDATE, DELETE, TRUNCATE).
 */
@Entity({ name: 'contract_history' })
@Index('ix_contract_history_contract', ['contractId', 'id'])
export class ContractHistoryEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'contract_id', type: 'uuid' })
  contractId: string;

  @ManyToOne(() => Contract, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'fk_contract_history_contract' })
  contract?: Contract;

  @Column({ type: 'text' })
  action: ContractHistoryAction;

  @Column({ type: 'integer', nullable: true })
  version: number | null;

  @Column({ type: 'text', nullable: true })
  party: string | null;

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: string | null;

  @Column({ name: 'to_status', type: 'text', nullable: true })
  toStatus: string | null;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind: string;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole: string;

  @Column({ name: 'actor_organisation_id', type: 'uuid', nullable: true })
  actorOrganisationId: string | null;

  @Column({ name: 'actor_authority', type: 'text', nullable: true })
  actorAuthority: string | null;

  @Column({ type: 'jsonb' })
  details: Record<string, unknown>;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
}
