import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CalendarOverrideKind, Jurisdiction } from './working-days';

/** An administrator's closure or working-day override on one side's calendar (R9). */
@Entity({ name: 'calendar_overrides' })
@Index('uq_calendar_overrides_day', ['jurisdiction', 'date', 'kind'], { unique: true })
export class CalendarOverrideRow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  jurisdiction: Jurisdiction;

  @Column({ type: 'date' })
  date: string;

  @Column({ type: 'text' })
  kind: CalendarOverrideKind;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
