import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AccountColumns } from './account-columns';
import { Organisation } from '../organisations/organisation.entity';

/** A machine identity of one organisation: logs transfers only (role ORG_SYSTEM). */
@Entity({ name: 'service_accounts' })
@Index('uq_service_accounts_client_id', ['clientId'], { unique: true })
@Index('ix_service_accounts_organisation', ['organisationId'])
export class ServiceAccount extends AccountColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_service_accounts_organisation' })
  organisation?: Organisation;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  /** argon2id hash; the secret itself is shown once at creation. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash: string;

  @Column({ type: 'text', nullable: true })
  name: string | null;
}
