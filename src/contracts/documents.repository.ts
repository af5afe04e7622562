/*
 * The statements on the filing materials' tables (contract_documents, document_blobs; R10): plain
 * functions on the caller's EntityManager, so an upload joins its transaction.
 */
import type { EntityManager } from 'typeorm';
import { ContractDocument, DocumentBlob } from './document.entity';
import { pageByTimeAndId } from './keyset';

export type NewDocument = Pick<
  ContractDocument,
  'contractId' | 'version' | 'organisationId' | 'party' | 'kind' | 'sha256' | 'size' | 'contentType' | 'fileName' | 'uploadedBy'
>;

/** Stores the bytes once per digest (content-addressed) and the document that names them. */
export async function insertDocument(m: EntityManager, document: NewDocument, content: Buffer): Promise<ContractDocument> {
  await m
    .createQueryBuilder()
    .insert()
    .into(DocumentBlob)
    .values({ sha256: document.sha256, size: content.length, contentType: document.contentType, content })
    .orIgnore()
    .execute();
  return m.getRepository(ContractDocument).save(m.getRepository(ContractDocument).create(document));
}

/** One page of the contract's documents of `parties`, in upload order. */
export function documentsPage(m: EntityManager, contractId: string, parties: string[], query: { limit?: number; cursor?: string }) {
  const qb = m
    .getRepository(ContractDocument)
    .createQueryBuilder('d')
    .where('d.contract_id = :contractId AND d.party IN (:...parties)', { contractId, parties });
  return pageByTimeAndId(qb, 'd', 'uploaded_at', query, `contracts/${contractId}/documents`);
}

export function findDocument(m: EntityManager, contractId: string, documentId: string): Promise<ContractDocument | null> {
  return m.getRepository(ContractDocument).findOneBy({ id: documentId, contractId });
}

export async function documentContent(m: EntityManager, sha256: string): Promise<Buffer> {
  const blob = await m.getRepository(DocumentBlob).createQueryBuilder('b').addSelect('b.content').where('b.sha256 = :sha256', { sha256 }).getOneOrFail();
  return blob.content;
}
