import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Contract } from './contract.entity';
import type { FilingParty } from './filing.entity';
import type { NoticeKind } from './domain/notices';

/**
 * R13: a contract's end (terminated by a party, or past its expiry date) as a notice in the queue of the
 * authority of each party's side, to be acknowledged by a due date. One per contract, kind and party.
 */
@Entity({ name: 'contract_notices' })
@Unique('uq_contract_notices_contract_kind_party', ['contractId', 'kind', 'party'])
@Index('ix_contract_notices_created', ['createdAt', 'id'])
@Index('ix_contract_notices_authority', ['authority', 'createdAt'])
export class ContractNotice {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_contract_notices' })
  id: string;

  @Column({ name: 'contract_id', type: 'uuid' })
  contractId: string;

  @ManyToOne(() => Contract, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'fk_contract_notices_contract' })
  contract?: Contract;

  @Column({ type: 'text' })
  kind: NoticeKind;

  /** The party whose side's authority the notice is for. */
  @Column({ type: 'text' })
  party: FilingParty;

  /** The authority the party files with (R8). */
  @Column({ type: 'text' })
  authority: string;

  /** The side of the boundary that authority supervises. */
  @Column({ type: 'text' })
  side: string;

  /** The date the contract ended: its termination date, or its expiry date. */
  @Column({ name: 'ended_on', type: 'date' })
  endedOn: string;

  /** The date the authority is to acknowledge it by (NOTICE_ACKNOWLEDGE_WORKING_DAYS in its side's calendar, R9). */
  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  /** R9: the due date was counted through a year with no official calendar. */
  @Column({ type: 'boolean' })
  provisional: boolean;

  /** Millisecond precision, so the list cursor (an ISO instant) names the row exactly. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy: string | null;
}
