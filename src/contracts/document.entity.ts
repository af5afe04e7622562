import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import { Contract } from './contract.entity';
import type { FilingParty } from './filing.entity';

/** R10: filing materials stored content-addressed; one row per distinct content. Append-only. */
@Entity({ name: 'document_blobs' })
export class DocumentBlob {
  /** Lower-case hex SHA-256 of `content`. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_document_blobs' })
  sha256: string;

  @Column({ type: 'integer' })
  size: number;

  /** Detected from the magic bytes: application/pdf, image/png or image/jpeg. */
  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ type: 'bytea', select: false })
  content: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** The kinds every party may upload; a regime's side may list more as materials (rollout_filing_materials, docs/rules.md#r10). */
export const DOCUMENT_KINDS = ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT', 'PIPIA_REPORT'] as const;
/** A material's kind: one of DOCUMENT_KINDS or one the regime's data lists. */
export type DocumentKind = string;

/** A filing material uploaded by one party for a contract (the link from a contract to a blob). */
@Entity({ name: 'contract_documents' })
@Index('ix_contract_documents_contract', ['contractId', 'organisationId', 'kind'])
@Index('ix_contract_documents_sha256', ['sha256'])
export class ContractDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'contract_id', type: 'uuid' })
  contractId: string;

  @ManyToOne(() => Contract, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contract_id', foreignKeyConstraintName: 'fk_contract_documents_contract' })
  contract?: Contract;

  /** The contract's latest version when the document was uploaded; materials count for filings of that version or earlier. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_contract_documents_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text' })
  party: FilingParty;

  @Column({ type: 'text' })
  kind: DocumentKind;

  @Column({ type: 'text' })
  sha256: string;

  @ManyToOne(() => DocumentBlob, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sha256', foreignKeyConstraintName: 'fk_contract_documents_blob' })
  blob?: DocumentBlob;

  @Column({ type: 'integer' })
  size: number;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName: string | null;

  @Column({ name: 'uploaded_by', type: 'uuid', nullable: true })
  uploadedBy: string | null;

  @CreateDateColumn({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt: Date;
}
