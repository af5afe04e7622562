import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A model-contract regime (R16): GBA_MAINLAND_HK is seeded; GBA_MAINLAND_MACAO is added as data. */
@Entity({ name: 'rollout_regimes' })
export class RolloutRegime {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'name_zh', type: 'text', nullable: true })
  nameZh: string | null;

  /** The two sides the regime spans, e.g. {MAINLAND,HONG_KONG} or {MAINLAND,MACAO}. */
  @Column({ type: 'text', array: true })
  sides: string[];

  /** The first date a contract under this regime may take effect. */
  @Column({ name: 'opens_on', type: 'date' })
  opensOn: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
