import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode, notFound, validationFailed } from '../common/errors';
import { Principal } from '../common/roles';
import { Page, PageQuery } from '../common/pagination';
import { inTransaction } from '../database/transaction';
import { partyOf } from './contract-views';
import { appendHistory, historyEntry } from './contract-history.repository';
import { RolloutService } from '../rollout/rollout.service';
import { ContractsService } from './contracts.service';
import { ContractDocument, DOCUMENT_KINDS, DocumentKind } from './document.entity';
import { documentContent, documentsPage, findDocument, insertDocument } from './documents.repository';
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

/** The upload's `kind` field and its one `file` part, in any order; 400 or 415 naming what is wrong. */
async function readUpload(request: FastifyRequest): Promise<{ kind: DocumentKind; file: { bytes: Buffer; fileName: string; declaredType: string } }> {
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
  if (!kind || !/^[A-Z][A-Z0-9_]{1,63}$/.test(kind)) {
    throw validationFailed([{ field: 'kind', rule: 'isIn', message: `kind must be one of ${DOCUMENT_KINDS.join(', ')} or another material of the regime` }]);
  }
  if (!file || file.bytes.length === 0) {
    throw validationFailed([{ field: 'file', rule: 'required', message: 'a non-empty `file` part is required' }]);
  }
  return { kind, file };
}

@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contracts: ContractsService,
    private readonly rollout: RolloutService,
  ) {}

  /** R10: the kinds a party on `jurisdiction`'s side of `regime` may upload: its side's materials (data) and the PIPIA report. */
  private async uploadableKinds(regime: string, jurisdiction: string): Promise<string[]> {
    const side = await this.rollout.regimeSide(regime, jurisdiction);
    const listed = side ? Object.values(side.materials).flatMap((materials) => materials.map((m) => m.kind)) : [];
    return [...new Set<string>([...DOCUMENT_KINDS, ...listed])];
  }

  async upload(principal: Principal, contractId: string, request: FastifyRequest, limitBytes: number): Promise<DocumentView> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const party = partyOf(principal, contract);
    if (!party) throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: 'filing materials are uploaded by the parties' });
    const { kind, file } = await readUpload(request);
    const kinds = await this.uploadableKinds(contract.regime, party === 'processor' ? contract.processorJurisdiction : contract.recipientJurisdiction);
    if (!kinds.includes(kind)) throw validationFailed([{ field: 'kind', rule: 'isIn', message: `kind must be one of ${kinds.join(', ')}` }]);
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
      const document = await insertDocument(
        m,
        {
          contractId,
          version: locked.latestVersion,
          organisationId: principal.organisationId!,
          party,
          kind,
          sha256,
          size: file.bytes.length,
          contentType,
          fileName,
          uploadedBy: principal.id,
        },
        file.bytes,
      );
      const details = { documentId: document.id, kind, sha256, size: document.size };
      await appendHistory(m, [historyEntry(principal, contractId, 'DOCUMENT_UPLOADED', { version: locked.latestVersion, party, details })]);
      return document;
    });
    return toView(stored);
  }

  /** One page in upload order (at most CONTRACT_LIST_LIMIT documents); `nextCursor` is null on the last. */
  async list(principal: Principal, contractId: string, query: PageQuery = {}): Promise<Page<DocumentView>> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const parties = this.contracts.documentParties(principal, contract);
    if (!parties.length) throw notFound('Contract');
    const page = await documentsPage(this.dataSource.manager, contractId, parties, query);
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  async download(principal: Principal, contractId: string, documentId: string): Promise<{ document: DocumentView; content: Buffer }> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const parties = this.contracts.documentParties(principal, contract);
    const document = await findDocument(this.dataSource.manager, contractId, documentId);
    if (!document || !parties.includes(document.party)) throw notFound('Document');
    return { document: toView(document), content: await documentContent(this.dataSource.manager, document.sha256) };
  }
}
