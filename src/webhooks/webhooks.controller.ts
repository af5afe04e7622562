import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { Page, PageQuery } from '../common/pagination';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { CreatedWebhookView, CreateWebhookDto, DeliveryPage, DeliveryView, ListDeliveriesQuery, WebhookPage, WebhookView } from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

/** Event notifications for organisations and regulator authorities (docs/api.md#webhooks); who manages which is src/access's webhook.manage. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Roles('REGULATOR', 'ORG_ADMIN')
  @ApiOperation({ summary: 'Register an endpoint for event types; the signing secret is in this answer only' })
  @ApiResponse({ status: 201, type: CreatedWebhookView })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookView> {
    return this.webhooks.create(principal, dto);
  }

  @Get()
  @Roles('REGULATOR', 'ORG_ADMIN')
  @ApiOperation({ summary: "The caller's organisation's or authority's subscriptions (no secrets)" })
  @ApiResponse({ status: 200, type: WebhookPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery): Promise<Page<WebhookView>> {
    return this.webhooks.list(principal, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('REGULATOR', 'ORG_ADMIN')
  @ApiOperation({ summary: 'Stop a subscription; its pending deliveries are cancelled, its record kept' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Webhook')) id: string): Promise<void> {
    return this.webhooks.remove(principal, id);
  }

  @Get(':id/deliveries')
  @Roles('REGULATOR', 'ORG_ADMIN')
  @ApiOperation({ summary: 'Deliveries of a subscription, newest first, each with every attempt (status code, error, time)' })
  @ApiResponse({ status: 200, type: DeliveryPage })
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParam('Webhook')) id: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<Page<DeliveryView>> {
    return this.webhooks.deliveries(principal, id, query);
  }
}
