import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { Page } from '../common/pagination';
import type { Principal } from '../common/roles';
import {
  CreateTransfersDto,
  CreateTransfersResponse,
  ExportTransfersQuery,
  ListTransfersQuery,
  TransferSummary,
  TransferSummaryQuery,
  TransferView,
} from './transfer.dto';
import { TransferFiguresQuery, TransferFiguresView } from './figures.dto';
import { CreateTransfersView } from './transfer-responses.dto';
import { TransferFiguresService } from './figures.service';
import { TransferExport } from './transfer-export';
import { TransferIngestion, TransferRecordsOnce, TransferRecordsPipe } from './transfer-ingestion';
import { TransferQueries } from './transfer-queries';

const READERS = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER', 'ORG_SYSTEM'] as const;

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly ingestion: TransferIngestion,
    private readonly queries: TransferQueries,
    private readonly exports: TransferExport,
    private readonly figures: TransferFiguresService,
  ) {}

  /**
   * Logs up to 10,000 transfer records in one transaction. Idempotency-Key is
   * optional but recommended: a retry with the same key and body gets the
   * first response (header Idempotent-Replayed: true); the same key with
   * another body gets 409 IDEMPOTENCY_KEY_REUSED.
   */
  @Post()
  @HttpCode(201)
  @Roles('ORG_ADMIN', 'ORG_FILER', 'ORG_SYSTEM')
  @ApiBody({ type: CreateTransfersDto })
  @ApiCreatedResponse({ type: CreateTransfersView, description: 'Idempotent-Replayed: true when answered from a stored Idempotency-Key' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '1–255 printable ASCII characters, e.g. a UUID; kept at least 24 hours' })
  async create(
    @CurrentPrincipal() principal: Principal,
    // Validated by parseTransferBody: the rules of CreateTransfersDto, faster (README, Performance; docs/architecture.md#request-validation).
    @Body(TransferRecordsPipe) records: TransferRecordsOnce,
    @Req() request: FastifyRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreateTransfersResponse> {
    // The parsed JSON and then the records are garbage once prepared, rather than kept by the request (and copied by
    // every collection) while it waits for its group's commit (README, Performance).
    request.body = undefined;
    const outcome = await this.ingestion.ingest(principal, records, idempotencyKey);
    if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
    return outcome.response;
  }

  @Get()
  @Roles(...READERS)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListTransfersQuery): Promise<Page<TransferView>> {
    return this.queries.list(principal, query);
  }

  /** Streams every matching record in leaf order; ndjson rows include the exact leaf bytes (base64). */
  @Get('export')
  @Roles(...READERS)
  @ApiProduces('application/x-ndjson', 'text/csv')
  async export(@CurrentPrincipal() principal: Principal, @Query() query: ExportTransfersQuery, @Res() reply: FastifyReply): Promise<void> {
    const stream = await this.exports.export(principal, query);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    void reply
      .header('content-type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="transfers-${stamp}.${query.format}"`)
      .header('cache-control', 'no-store')
      .send(stream);
  }

  /** Monthly figures by sector and direction, kept with the log (docs/api.md#transfer-figures); regulators see their side's. */
  @Get('figures')
  @Roles('SYSTEM_ADMIN', 'REGULATOR')
  @ApiOkResponse({ type: TransferFiguresView })
  figuresOf(@CurrentPrincipal() principal: Principal, @Query() query: TransferFiguresQuery): Promise<TransferFiguresView> {
    return this.figures.read(principal, query);
  }

  @Get('summary')
  @Roles(...READERS)
  summary(@CurrentPrincipal() principal: Principal, @Query() query: TransferSummaryQuery): Promise<TransferSummary> {
    return this.queries.summary(principal, query.contractId);
  }
}
