import type { IdentifierType, Jurisdiction } from './gba';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'organisations' })
@Index('uq_organisations_identifier', ['identifierType', 'identifier'], { unique: true })
@Index('ix_organisations_jurisdiction', ['jurisdiction'])
// Search indexes (pg_trgm GIN and text_pattern_ops prefixes) are made by migration OrganisationSearch; TypeORM cannot
// express their operator classes, so it is told to leave them alone.
@Index('ix_organisations_name_zh_trgm', { synchronize: false })
@Index('ix_organisations_name_zh_prefix', { synchronize: false })
@Index('ix_organisations_identifier_prefix', { synchronize: false })
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'legal_name', type: 'text', nullable: true })
  legalName: string | null;

  @Column({ name: 'legal_name_zh', type: 'text', nullable: true })
  legalNameZh: string | null;

  @Column({ type: 'text' })
  jurisdiction: Jurisdiction;

  @Column({ type: 'text' })
  city: string;

  @Column({ name: 'identifier_type', type: 'text' })
  identifierType: IdentifierType;

  @Column({ type: 'text' })
  identifier: string;

  @Column({ type: 'text' })
  sector: string;

  @Column({ name: 'verification_status', type: 'text', default: 'UNVERIFIED' })
  verificationStatus: 'UNVERIFIED' | 'VERIFIED';

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @Column({ name: 'verified_by', type: 'uuid', nullable: true })
  verifiedBy: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
