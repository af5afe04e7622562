import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Contract } from './contract.entity';
import type { FilingParty } from './filing.entity';
import type { AuthorityNotification, IncidentSeverity } from './domain/incidents';

/** R14: a security incident reported by either party, linked to the contract. */
@Entity({ name: 'contract_incidents' })
@Index('ix_contract_incidents_contract', ['contractId', 'reportedAt'])
@Index('ix_contract_incidents_reported', ['reportedAt', 'id'])
export class ContractIncident {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'contract_id', type: 'uuid' })
  contractId: string;

  @ManyToOne(() => Contract, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'fk_contract_incidents_contract' })
  contract?: Contract;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_contract_incidents_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text' })
  party: FilingParty;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'affected_data_subjects', type: 'integer' })
  affectedDataSubjects: number;

  /** R14: null on reports made before severity was recorded. */
  @Column({ type: 'text', nullable: true })
  severity: IncidentSeverity | null;

  /** R14: what the party did or will do about it. */
  @Column({ name: 'remedial_actions', type: 'text', nullable: true })
  remedialActions: string | null;

  /** R14: the authorities the party notified, and when. */
  @Column({ name: 'notified_authorities', type: 'jsonb', default: () => "'[]'" })
  notifiedAuthorities: AuthorityNotification[];

  @Column({ name: 'discovered_at', type: 'timestamptz', nullable: true })
  discoveredAt: Date | null;

  @Column({ name: 'reported_by', type: 'uuid', nullable: true })
  reportedBy: string | null;

  @CreateDateColumn({ name: 'reported_at', type: 'timestamptz' })
  reportedAt: Date;
}
