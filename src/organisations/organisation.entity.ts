import type { IdentifierType, Jurisdiction, PartyType } from './gba';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A party to contracts (R1): an organisation, or an individual. An individual's identity document is kept as
 * its masked form in `identifier` and a keyed digest in `identifier_digest`, never in clear (docs/rules.md#r17).
 */
@Entity({ name: 'organisations' })
@Index('uq_organisations_identifier', ['identifierType', 'identifier'], { unique: true, where: `"party_type" = 'ORGANISATION'` })
@Index('uq_organisations_identifier_digest', ['identifierType', 'identifierDigest'], { unique: true })
@Check('ck_organisations_individual_digest', `"party_type" = 'ORGANISATION' OR "identifier_digest" IS NOT NULL`)
@Index('ix_organisations_jurisdiction', ['jurisdiction'])
// Search indexes (pg_trgm GIN and text_pattern_ops prefixes) are made by migration OrganisationSearch; TypeORM cannot
// express their operator classes, so it is told to leave them alone.
@Index('ix_organisations_name_zh_trgm', { synchronize: false })
@Index('ix_organisations_name_zh_prefix', { synchronize: false })
@Index('ix_organisations_identifier_prefix', { synchronize: false })
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'party_type', type: 'text', default: 'ORGANISATION' })
  partyType: PartyType;

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

  /** An organisation's identifier as registered; an individual's document number masked (`maskPersonalIdentifier`). */
  @Column({ type: 'text' })
  identifier: string;

  /** Individuals only: HMAC-SHA256 of the type and normalised number under PARTY_IDENTIFIER_KEY (`personalIdentifierDigest`). */
  @Column({ name: 'identifier_digest', type: 'text', nullable: true })
  identifierDigest: string | null;

  @Column({ type: 'text' })
  sector: string;

  // Contact details (R1 parties; the contract's parties section): shown to those who may read the party.
  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ name: 'contact_person', type: 'text', nullable: true })
  contactPerson: string | null;

  @Column({ type: 'text', nullable: true })
  telephone: string | null;

  @Column({ type: 'text', nullable: true })
  email: string | null;

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
