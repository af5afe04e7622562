import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccountColumns } from './account-columns';
import { Organisation } from '../organisations/organisation.entity';
import type { Authority, UserRole } from '../common/roles';

@Entity({ name: 'users' })
@Index('uq_users_email', ['email'], { unique: true })
@Index('ix_users_organisation', ['organisationId'])
export class User extends AccountColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-case. */
  @Column({ type: 'text' })
  email: string;

  /** How the user is named to others (a contract's history, the list of users); the e-mail address when absent. */
  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName: string | null;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'text' })
  role: UserRole;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_users_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text', nullable: true })
  authority: Authority | null;
}
