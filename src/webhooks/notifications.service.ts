import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NotificationEvent } from './events';
import { recordEvents } from './outbox';

/**
 * What other modules call to notify (docs/api.md#webhooks): `record` stores events in the outbox inside the
 * caller's transaction; the leader fans them out to the subscriptions that may read them and delivers them.
 */
@Injectable()
export class NotificationsService {
  record(manager: EntityManager, ...events: NotificationEvent[]): Promise<number> {
    return recordEvents(manager, events);
  }
}
