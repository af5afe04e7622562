import { Body, Controller, Get, HttpCode, Inject, Param, ParseIntPipe, PipeTransform, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { notFound } from '../common/errors';
import { Page, PageQuery } from '../common/pagination';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { registryValidationPipe } from '../common/validation';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { certainlyValidCreateContract } from './contract-body';
import { ContractSummary, ContractView, FilingView, VersionView } from './contract-views';
import {
  ContractTermsDto,
  ContractItemsQuery,
  ContractVersionsQuery,
  CreateContractDto,
  FilingVersionQuery,
  ListContractsQuery,
  ReportIncidentDto,
  ReviewFilingDto,
  TerminateContractDto,
} from './contract.dto';
import { AmendmentPreview, AmendmentView, ContractAmendmentService } from './contract-amendment.service';
import { ContractFilingService } from './contract-filing.service';
import { ContractIncidentsService, IncidentView } from './contract-incidents.service';
import { ContractQueriesService, HistoryView } from './contract-queries.service';
import { ContractTerminationService } from './contract-termination.service';
import { FilingReviewService } from './filing-review.service';
import { FilingSubmissionService } from './filing-submission.service';
import { DocumentsService, DocumentView } from './documents.service';
import type { FilingParty } from './filing.entity';

/** `processor` or `recipient`; anything else names no filing (404). */
class FilingPartyParam implements PipeTransform<string, FilingParty> {
  transform(value: string): FilingParty {
    if (value !== 'processor' && value !== 'recipient') throw notFound('Filing');
    return value;
  }
}

const ContractId = () => new UuidParam('Contract');

/*
 * A contract's incidents and documents answer a JSON array (their shape since the first release, which
 * the console reads), one page of at most 1000 at a time; the cursor of the next page, when there is
 * one, travels in this header (pass it back as `?cursor=`).
 */
const NEXT_CURSOR = 'x-next-cursor';
const PAGED_ARRAY = {
  description: 'one page (at most `limit`, default and maximum 1000), oldest first',
  headers: { 'X-Next-Cursor': { description: 'the cursor of the next page (`?cursor=`); absent on the last page', schema: { type: 'string' } } },
} as const;

function withNextCursor<T>(reply: FastifyReply, page: Page<T>): T[] {
  if (page.nextCursor) reply.header(NEXT_CURSOR, page.nextCursor);
  return page.items;
}
const PARTY_ROLES = ['ORG_ADMIN', 'ORG_FILER'] as const;
const READ_ROLES = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER'] as const;

@ApiTags('contracts')
@ApiBearerAuth()
@Controller('contracts')
export class ContractsController {
  constructor(
    private readonly filing: ContractFilingService,
    private readonly queries: ContractQueriesService,
    private readonly amendments: ContractAmendmentService,
    private readonly termination: ContractTerminationService,
    private readonly incidentReports: ContractIncidentsService,
    private readonly submission: FilingSubmissionService,
    private readonly reviews: FilingReviewService,
    private readonly documents: DocumentsService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  private readonly validation = registryValidationPipe();

  @Post()
  @Roles(...PARTY_ROLES)
  @ApiBody({ type: CreateContractDto })
  async create(
    @CurrentPrincipal() principal: Principal,
    // Typed `unknown` so the global pipe leaves it: a certainly valid body skips class-validator, any other gets exactly its answer.
    @Body() body: unknown,
  ): Promise<ContractView> {
    const dto =
      certainlyValidCreateContract(body) ??
      ((await this.validation.transform(body, { type: 'body', metatype: CreateContractDto, data: undefined })) as CreateContractDto);
    return this.filing.create(principal, dto);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOkResponse({
    description:
      'One page of contract summaries: parties, dates, status and the filings in force (without the return reason). The terms (annex, PIPIA) and the termination reason are in `GET /contracts/{id}`.',
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListContractsQuery): Promise<Page<ContractSummary>> {
    return this.queries.list(principal, query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string): Promise<ContractView> {
    return this.queries.get(principal, id);
  }

  @Get(':id/versions')
  @Roles(...READ_ROLES)
  @ApiOkResponse({
    description: 'one page of versions (at most `limit`, default and maximum 20), oldest first, each with its whole terms',
    headers: PAGED_ARRAY.headers,
  })
  async versions(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Query() query: ContractVersionsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<VersionView[]> {
    return withNextCursor(reply, await this.queries.versions(principal, id, query));
  }

  @Get(':id/versions/:n')
  @Roles(...READ_ROLES)
  version(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Param('n', new ParseIntPipe({ exceptionFactory: () => notFound('Contract version') })) n: number,
  ): Promise<VersionView> {
    return this.queries.version(principal, id, n);
  }

  @Get(':id/history')
  @Roles(...READ_ROLES)
  history(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string, @Query() query: PageQuery): Promise<Page<HistoryView>> {
    return this.queries.history(principal, id, query);
  }

  @Post(':id/amendments')
  @Roles(...PARTY_ROLES)
  amend(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string, @Body() dto: ContractTermsDto): Promise<AmendmentView> {
    return this.amendments.amend(principal, id, dto);
  }

  @Post(':id/amendments/preview')
  @HttpCode(200)
  @Roles(...PARTY_ROLES)
  @ApiOkResponse({
    description:
      'What `POST /contracts/{id}/amendments` would decide for the same body, nothing written: the same refusals, the changed fields, the re-filing verdict (R12) and the filings it would open with their deadlines',
  })
  previewAmendment(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string, @Body() dto: ContractTermsDto): Promise<AmendmentPreview> {
    return this.amendments.preview(principal, id, dto);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @Roles(...PARTY_ROLES)
  terminate(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string, @Body() dto: TerminateContractDto): Promise<ContractView> {
    return this.termination.terminate(principal, id, dto);
  }

  @Post(':id/incidents')
  @Roles(...PARTY_ROLES)
  reportIncident(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string, @Body() dto: ReportIncidentDto): Promise<IncidentView> {
    return this.incidentReports.reportIncident(principal, id, dto);
  }

  @Get(':id/incidents')
  @Roles(...READ_ROLES)
  @ApiOkResponse(PAGED_ARRAY)
  async incidents(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Query() query: ContractItemsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IncidentView[]> {
    return withNextCursor(reply, await this.incidentReports.incidents(principal, id, query));
  }

  @Post(':id/filings/:party/submit')
  @HttpCode(200)
  @Roles(...PARTY_ROLES)
  submit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Param('party', new FilingPartyParam()) party: FilingParty,
    @Query() query: FilingVersionQuery,
  ): Promise<FilingView> {
    return this.submission.submitFiling(principal, id, party, query.version);
  }

  @Post(':id/filings/:party/review')
  @HttpCode(200)
  @Roles('REGULATOR')
  review(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Param('party', new FilingPartyParam()) party: FilingParty,
    @Body() dto: ReviewFilingDto,
    @Query() query: FilingVersionQuery,
  ): Promise<FilingView> {
    return this.reviews.reviewFiling(principal, id, party, dto, query.version);
  }

  @Post(':id/documents')
  @ApiConsumes('multipart/form-data')
  @Roles(...PARTY_ROLES)
  upload(@CurrentPrincipal() principal: Principal, @Param('id', ContractId()) id: string, @Req() request: FastifyRequest): Promise<DocumentView> {
    return this.documents.upload(principal, id, request, this.config.uploadLimitBytes);
  }

  @Get(':id/documents')
  @Roles('REGULATOR', ...PARTY_ROLES)
  @ApiOkResponse(PAGED_ARRAY)
  async listDocuments(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Query() query: ContractItemsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DocumentView[]> {
    return withNextCursor(reply, await this.documents.list(principal, id, query));
  }

  @Get(':id/documents/:documentId')
  @Roles('REGULATOR', ...PARTY_ROLES)
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ContractId()) id: string,
    @Param('documentId', new UuidParam('Document')) documentId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { document, content } = await this.documents.download(principal, id, documentId);
    const name = `${document.kind.toLowerCase()}-${document.sha256.slice(0, 12)}.${EXTENSIONS[document.contentType] ?? 'bin'}`;
    await reply
      .header('content-type', document.contentType)
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('x-content-sha256', document.sha256)
      .header('cache-control', 'private, no-store')
      .send(content);
  }
}

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };
