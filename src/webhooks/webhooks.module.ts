import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ClusterModule } from '../cluster/cluster.module';
import { NotificationsService } from './notifications.service';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Notifications (docs/api.md#webhooks): subscriptions, the outbox, fan-out and signed delivery. Other modules record
 * events through the exported NotificationsService in their own transaction; this module imports no feature module,
 * so the events carry what it needs to choose receivers (the parties and sides of a contract).
 */
@Module({
  imports: [AccessModule, ClusterModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, NotificationsService, WebhookDispatcher],
  exports: [NotificationsService],
})
export class WebhooksModule {}
