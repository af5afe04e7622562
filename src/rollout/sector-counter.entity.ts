import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Rolled-up activity per regime, sector and side, incremented by the contracts and transfers
 * modules inside their own transactions (RolloutService.recordFilingAccepted / recordTransfers),
 * so GET /rollout/stats reads one small table instead of scanning filings or the transfer log.
 */
@Entity({ name: 'rollout_sector_counters' })
export class RolloutSectorCounter {
  @PrimaryColumn({ name: 'regime_code', type: 'text', primaryKeyConstraintName: 'pk_rollout_sector_counters' })
  regimeCode: string;

  @PrimaryColumn({ name: 'sector_code', type: 'text', primaryKeyConstraintName: 'pk_rollout_sector_counters' })
  sectorCode: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_rollout_sector_counters' })
  jurisdiction: string;

  @Column({ name: 'accepted_filings', type: 'bigint', default: 0 })
  acceptedFilings: string;

  /** Transfer records logged (not data subjects); one logged batch of N records adds N. */
  @Column({ name: 'transfer_records', type: 'bigint', default: 0 })
  transferRecords: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
