import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode, notFound, validationFailed } from '../common/errors';
import { Principal } from '../common/roles';
import { Page, PageQuery } from '../common/pagination';
import { inTransaction } from '../database/transaction';
import { pageByTimeAndId } from './keyset';
import { partyOf } from './contract-views';
import { ContractsService } from './contracts.service';
import { ContractDocument, DOCUMENT_KINDS, DocumentBlob, DocumentKind } from './document.entity';
import { sniffDocumentType } from './domain/materials';
import type { FilingParty } from './filing.entity';

export interface DocumentView {
  id: string;
  kind: DocumentKind;
  sha256: string;
  size: number;
  contentType: string;
  fileName: string | null;
  party: FilingParty;
  organisationId: string;
  version: number;
  uploadedAt: string;
}

const toView = (d: ContractDocument): DocumentView => ({
  id: d.id,
  kind: d.kind,
  sha256: d.sha256,
  size: d.size,
  contentType: d.contentType,
  fileName: d.fileName,
  party: d.party,
  organisationId: d.organisationId,
  version: d.version,
  uploadedAt: d.uploadedAt.toISOString(),
});

@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contracts: ContractsService,
  ) {}

  async upload(principal: Principal, contractId: string, request: FastifyRequest, limitBytes: number): Promise<DocumentView> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const party = partyOf(principal, contract);
    if (!party) throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: 'filing materials are uploaded by the parties' });
    if (!request.isMultipart()) {
      throw new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported media type', {
        detail: 'send multipart/form-data with a `kind` field and a `file` part',
      });
    }
    let kind: string | undefined;
    let file: { bytes: Buffer; fileName: string; declaredType: string } | undefined;
    // Any part order: a `kind` field before or after the file.
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || file) {
            await part.toBuffer().catch(() => undefined);
            throw validationFailed([{ field: part.fieldname, rule: 'multipart', message: 'send exactly one file part named `file`' }]);
          }
          // Throws FST_REQ_FILE_TOO_LARGE (413) past UPLOAD_LIMIT_BYTES (registered in app.factory.ts).
          const bytes = await part.toBuffer();
          file = { bytes, fileName: part.filename, declaredType: part.mimetype };
        } else if (part.fieldname === 'kind') {
          kind = String(part.value);
        }
      }
    } catch (error) {
      // A body that is not well-formed multipart ("Unexpected end of form", no boundary) is the caller's error, not a 500.
      if (error instanceof DomainError || typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
      throw validationFailed([{ field: 'body', rule: 'multipart', message: 'the body is not well-formed multipart/form-data' }]);
    }
    if (!kind || !(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
      throw validationFailed([{ field: 'kind', rule: 'isIn', message: `kind must be one of ${DOCUMENT_KINDS.join(', ')}` }]);
    }
    if (!file || file.bytes.length === 0) {
      throw validationFailed([{ field: 'file', rule: 'required', message: 'a non-empty `file` part is required' }]);
    }
    if (file.bytes.length > limitBytes) {
      throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, 'Payload too large', { detail: `documents are limited to ${limitBytes} bytes` });
    }
    const contentType = sniffDocumentType(file.bytes);
    if (!contentType) {
      throw new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported media type', {
        detail: 'filing materials must be PDF, PNG or JPEG (checked from the file content)',
      });
    }
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const fileName = file.fileName ? file.fileName.slice(0, 255) : null;
    const stored = await inTransaction(this.dataSource, async (m) => {
      const locked = await this.contracts.assertVisible(principal, contractId, m, true);
      // Content-addressed: the same bytes are stored once, however many times they are uploaded.
      await m
        .createQueryBuilder()
        .insert()
        .into(DocumentBlob)
        .values({ sha256, size: file.bytes.length, contentType, content: file.bytes })
        .orIgnore()
        .execute();
      const document = await m.getRepository(ContractDocument).save(
        m.getRepository(ContractDocument).create({
          contractId,
          version: locked.latestVersion,
          organisationId: principal.organisationId!,
          party,
          kind: kind as DocumentKind,
          sha256,
          size: file.bytes.length,
          contentType,
          fileName,
          uploadedBy: principal.id,
        }),
      );
      await this.contracts.record(m, principal, contractId, 'DOCUMENT_UPLOADED', {
        version: locked.latestVersion,
        party,
        details: { documentId: document.id, kind, sha256, size: document.size },
      });
      return document;
    });
    return toView(stored);
  }

  /** One page in upload order (at most CONTRACT_LIST_LIMIT documents); `nextCursor` is null on the last. */
  async list(principal: Principal, contractId: string, query: PageQuery = {}): Promise<Page<DocumentView>> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const parties = this.contracts.documentParties(principal, contract);
    if (!parties.length) throw notFound('Contract');
    const qb = this.dataSource
      .getRepository(ContractDocument)
      .createQueryBuilder('d')
      .where('d.contract_id = :contractId AND d.party IN (:...parties)', { contractId, parties });
    const page = await pageByTimeAndId(qb, 'd', 'uploaded_at', query, `contracts/${contractId}/documents`);
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  async download(principal: Principal, contractId: string, documentId: string): Promise<{ document: DocumentView; content: Buffer }> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const parties = this.contracts.documentParties(principal, contract);
    const document = await this.dataSource.getRepository(ContractDocument).findOneBy({ id: documentId, contractId });
    if (!document || !parties.includes(document.party)) throw notFound('Document');
    const blob = await this.dataSource
      .getRepository(DocumentBlob)
      .createQueryBuilder('b')
      .addSelect('b.content')
      .where('b.sha256 = :sha256', { sha256: document.sha256 })
      .getOneOrFail();
    return { document: toView(document), content: blob.content };
  }
}
