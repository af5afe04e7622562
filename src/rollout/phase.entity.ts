import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { RolloutRegime } from './regime.entity';
import { RolloutSector } from './sector.entity';

/** A rollout phase (R15): from `opensOn`, the listed sectors (or all) may use the regime's contract. */
@Entity({ name: 'rollout_phases' })
@Index('uq_rollout_phases_regime_number', ['regimeCode', 'number'], { unique: true })
export class RolloutPhase {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'regime_code', type: 'text' })
  regimeCode: string;

  @ManyToOne(() => RolloutRegime, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'regime_code', foreignKeyConstraintName: 'fk_rollout_phases_regime' })
  regime?: RolloutRegime;

  /** 1, 2, … within the regime. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ name: 'opens_on', type: 'date' })
  opensOn: string;

  @Column({ name: 'all_sectors', type: 'boolean', default: false })
  allSectors: boolean;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The sectors a phase lists (a phase with `all_sectors` lists none). */
@Entity({ name: 'rollout_phase_sectors' })
@Index('ix_rollout_phase_sectors_sector', ['sectorCode'])
export class RolloutPhaseSector {
  @PrimaryColumn({ name: 'phase_id', type: 'uuid', primaryKeyConstraintName: 'pk_rollout_phase_sectors' })
  phaseId: string;

  @PrimaryColumn({ name: 'sector_code', type: 'text', primaryKeyConstraintName: 'pk_rollout_phase_sectors' })
  sectorCode: string;

  @ManyToOne(() => RolloutPhase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'phase_id', foreignKeyConstraintName: 'fk_rollout_phase_sectors_phase' })
  phase?: RolloutPhase;

  @ManyToOne(() => RolloutSector, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sector_code', foreignKeyConstraintName: 'fk_rollout_phase_sectors_sector' })
  sector?: RolloutSector;
}
