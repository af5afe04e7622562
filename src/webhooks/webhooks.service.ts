import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { namedParameters, ResourceScope } from '../access/access';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/policy';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { DomainError, ErrorCode, validationFailed } from '../common/errors';
import { cursorScope, decodeCursor, encodeCursor, isBigint, isInstantAndUuid, Page, PageQuery } from '../common/pagination';
import { inTransaction } from '../database/transaction';
import { endpointUrlProblem } from './endpoint-url';
import { newSecret } from './signature';
import { WebhookAttempt, WebhookDelivery, WebhookEventRow, WebhookSubscription } from './webhook.entity';
import { CreatedWebhookView, CreateWebhookDto, DeliveryView, ListDeliveriesQuery, WebhookView } from './webhooks.dto';

/** What the access policy reads of a subscription: its owner (webhook.manage). */
function subscriptionScope(s: Pick<WebhookSubscription, 'organisationId' | 'authority'>): ResourceScope {
  return { parties: s.organisationId ? [s.organisationId] : [], authority: s.authority };
}

function view(s: WebhookSubscription): WebhookView {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.eventTypes,
    description: s.description,
    organisationId: s.organisationId,
    authority: s.authority,
    createdAt: s.createdAt.toISOString(),
  };
}

/** POST/GET /webhooks, DELETE /webhooks/:id, GET /webhooks/:id/deliveries (docs/api.md#webhooks). */
@Injectable()
export class WebhooksService {
  private readonly allowLocalHttp: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly access: AccessService,
  ) {
    this.allowLocalHttp = config.webhooks.allowLocalHttp;
  }

  async create(principal: Principal, dto: CreateWebhookDto): Promise<CreatedWebhookView> {
    if (!this.access.holds(principal, 'webhook.manage'))
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: 'webhooks are managed by organisation administrators and regulators' });
    const problem = endpointUrlProblem(dto.url, this.allowLocalHttp);
    if (problem) throw validationFailed([{ field: 'url', rule: 'webhookUrl', message: `url ${problem}` }]);
    // The subscription belongs to whom the caller acts for: its organisation, or its authority.
    const forOrganisation = this.access.actsFor(principal.role) === 'organisation';
    const repo = this.dataSource.getRepository(WebhookSubscription);
    const saved = await repo.save(
      repo.create({
        organisationId: forOrganisation ? principal.organisationId : null,
        authority: forOrganisation ? null : principal.authority,
        url: dto.url,
        eventTypes: dto.eventTypes,
        secret: newSecret(),
        description: dto.description ?? null,
        createdBy: principal.id,
        deletedAt: null,
      }),
    );
    return { ...view(saved), secret: saved.secret };
  }

  async list(principal: Principal, query: PageQuery): Promise<Page<WebhookView>> {
    const limit = query.limit ?? 50;
    const scope = cursorScope('webhooks', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope);
    const qb = this.dataSource.getRepository(WebhookSubscription).createQueryBuilder('s').where('s.deleted_at IS NULL');
    const bind = namedParameters((name, value) => qb.setParameter(name, value));
    qb.andWhere(this.access.sqlWhere(principal, 'webhook.manage', { parties: ['s.organisation_id'], authority: 's.authority' }, bind));
    if (after) qb.andWhere('(s.created_at, s.id) > (:afterAt::timestamptz, :afterId::uuid)', { afterAt: after[0], afterId: after[1] });
    const rows = await qb
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(view), nextCursor: rows.length > limit ? encodeCursor([last.createdAt.toISOString(), last.id], scope) : null };
  }

  /** Stops the subscription: no new deliveries, the pending ones CANCELLED; the row and its deliveries stay as the record. */
  async remove(principal: Principal, id: string): Promise<void> {
    await inTransaction(this.dataSource, async (m) => {
      const found = await m
        .getRepository(WebhookSubscription)
        .createQueryBuilder('s')
        .where('s.id = :id AND s.deleted_at IS NULL', { id })
        .setLock('pessimistic_write')
        .getOne();
      this.access.require(principal, 'webhook.manage', found, subscriptionScope, `Webhook ${id}`);
      await m.query(`UPDATE webhook_subscriptions SET deleted_at = now() WHERE id = $1`, [id]);
      await m.query(`UPDATE webhook_deliveries SET status = 'CANCELLED', next_attempt_at = NULL WHERE subscription_id = $1 AND status = 'PENDING'`, [id]);
    });
  }

  /** The deliveries of a subscription (a deleted one's too: they record what was sent), newest event first, each with its attempts. */
  async deliveries(principal: Principal, id: string, query: ListDeliveriesQuery): Promise<Page<DeliveryView>> {
    const found = await this.dataSource.getRepository(WebhookSubscription).findOneBy({ id });
    this.access.require(principal, 'webhook.manage', found, subscriptionScope, `Webhook ${id}`);
    const limit = query.limit ?? 50;
    const scope = cursorScope(`webhooks/${id}/deliveries`, query);
    const after = decodeCursor(query.cursor, 1, isBigint, scope);
    const qb = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .innerJoinAndMapOne('d.event', WebhookEventRow, 'e', 'e.id = d.event_id')
      .where('d.subscription_id = :id', { id });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    if (after) qb.andWhere('d.event_id < :after', { after: String(after[0]) });
    const rows = await qb
      .orderBy('d.event_id', 'DESC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    const attempts = items.length
      ? await this.dataSource
          .getRepository(WebhookAttempt)
          .createQueryBuilder('a')
          .where('a.delivery_id IN (:...ids)', { ids: items.map((d) => d.id) })
          .orderBy('a.attempt', 'ASC')
          .getMany()
      : [];
    const last = items[items.length - 1];
    return {
      items: items.map((d) => ({
        id: d.id,
        messageId: d.event?.messageId ?? '',
        eventType: d.event?.type ?? '',
        occurredAt: d.event?.occurredAt.toISOString() ?? '',
        status: d.status,
        nextAttemptAt: d.status === 'PENDING' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        attempts: attempts
          .filter((a) => a.deliveryId === d.id)
          .map((a) => ({ attempt: a.attempt, attemptedAt: a.attemptedAt.toISOString(), statusCode: a.statusCode, error: a.error, durationMs: a.durationMs })),
      })),
      nextCursor: rows.length > limit ? encodeCursor([last.eventId], scope) : null,
    };
  }
}
