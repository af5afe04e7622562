import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { FreeText } from '../common/text';
import { DELIVERY_STATUSES, type DeliveryStatus } from './delivery-rules';
import { MAX_URL_LENGTH } from './endpoint-url';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './events';

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://compliance.example.hk/registry-events',
    description: 'HTTPS endpoint on a public address; private, loopback and link-local targets are refused (docs/api.md#webhooks)',
  })
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['filing.returned', 'filing.due_soon'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  eventTypes: WebhookEventType[];

  @ApiPropertyOptional({ example: 'Compliance team inbox' })
  @IsOptional()
  @FreeText(200)
  description?: string;
}

export class WebhookView {
  @ApiProperty() id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) eventTypes: string[];
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The owning organisation (its administrators manage the subscription)' })
  organisationId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The owning authority (its regulators manage the subscription)' })
  authority: string | null;
  @ApiProperty() createdAt: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks: whsec_ + base64 of 32 random bytes). Shown here once; never again.',
  })
  secret: string;
}

export class WebhookPage {
  @ApiProperty({ type: [WebhookView] }) items: WebhookView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AttemptView {
  @ApiProperty() attempt: number;
  @ApiProperty() attemptedAt: string;
  @ApiProperty({ type: Number, nullable: true, description: "The receiver's HTTP status; null when it did not answer" }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why there was no answer (timeout, refused connection, address not allowed)' })
  error: string | null;
  @ApiProperty() durationMs: number;
}

export class DeliveryView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The webhook-id header: the same for every attempt' }) messageId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) eventType: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ type: String, nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true }) deliveredAt: string | null;
  @ApiProperty({ type: [AttemptView] }) attempts: AttemptView[];
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryView] }) items: DeliveryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
