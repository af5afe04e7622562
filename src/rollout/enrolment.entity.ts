import type { Jurisdiction } from '../organisations/gba';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import type { EnrolmentAction, EnrolmentState } from './enrolment-lifecycle';
import { RolloutPhase } from './phase.entity';
import { RolloutRegime } from './regime.entity';
import { RolloutSector } from './sector.entity';

/** An organisation's pilot enrolment in a regime, phase and sector (docs/api.md#sector-rollout-and-pilot-enrolment). */
@Entity({ name: 'rollout_enrolments' })
@Index('ix_rollout_enrolments_organisation', ['organisationId', 'regimeCode', 'status'])
// GET /rollout/stats groups on exactly these columns: an index-only scan.
@Index('ix_rollout_enrolments_stats', ['regimeCode', 'phaseId', 'sectorCode', 'jurisdiction', 'status'])
// One live enrolment per organisation, regime and sector; DECLINED and WITHDRAWN are final, so a new one may follow them.
@Index('uq_rollout_enrolments_live', ['organisationId', 'regimeCode', 'sectorCode'], {
  unique: true,
  where: `"status" IN ('INTERESTED', 'ENROLLED', 'ACTIVE')`,
})
export class RolloutEnrolment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_rollout_enrolments_organisation' })
  organisation?: Organisation;

  @Column({ name: 'regime_code', type: 'text' })
  regimeCode: string;

  @ManyToOne(() => RolloutRegime, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'regime_code', foreignKeyConstraintName: 'fk_rollout_enrolments_regime' })
  regime?: RolloutRegime;

  /** The phase under which the sector opens (null when no phase covers it yet). */
  @Column({ name: 'phase_id', type: 'uuid', nullable: true })
  phaseId: string | null;

  @ManyToOne(() => RolloutPhase, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'phase_id', foreignKeyConstraintName: 'fk_rollout_enrolments_phase' })
  phase?: RolloutPhase;

  @Column({ name: 'sector_code', type: 'text' })
  sectorCode: string;

  @ManyToOne(() => RolloutSector, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sector_code', foreignKeyConstraintName: 'fk_rollout_enrolments_sector' })
  sector?: RolloutSector;

  /** The organisation's side, copied at enrolment so the figures group without a join. */
  @Column({ type: 'text' })
  jurisdiction: Jurisdiction;

  @Column({ type: 'text' })
  status: EnrolmentState;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * Every enrolment state change, who and when, written in the transaction that makes the change.
 * The application role may only INSERT and SELECT here (migration Rollout…).
 */
@Entity({ name: 'rollout_enrolment_history' })
@Index('ix_rollout_enrolment_history_enrolment', ['enrolmentId', 'id'])
export class RolloutEnrolmentHistory {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'enrolment_id', type: 'uuid' })
  enrolmentId: string;

  @ManyToOne(() => RolloutEnrolment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'enrolment_id', foreignKeyConstraintName: 'fk_rollout_enrolment_history_enrolment' })
  enrolment?: RolloutEnrolment;

  /** REGISTER for the first row, then a lifecycle action. */
  @Column({ type: 'text' })
  action: EnrolmentAction | 'REGISTER';

  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus: EnrolmentState | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus: EnrolmentState;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The user or service account; for ACTIVATE, the user whose acceptance of a filing caused it. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
