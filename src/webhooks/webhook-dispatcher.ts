import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { ResourceScope } from '../access/access';
import type { Audience, Permission } from '../access/policy';
import { LeaderLoop } from '../cluster/leader-loop';
import { Leadership } from '../cluster/leadership';
import { REGISTRY_CONFIG, RegistryConfig, WebhooksConfig } from '../config/config';
import { afterAttempt, AttemptOutcome } from './delivery-rules';
import { payloadOf } from './events';
import { post } from './http-post';
import { signedHeaders } from './signature';

/** Events fanned out, and deliveries attempted, per round. */
const BATCH = 50;

interface PendingEvent {
  id: string;
  type: string;
  occurred_at: Date;
  permission: Permission;
  scope: ResourceScope;
}

interface ClaimedDelivery {
  id: string;
  attempts: number;
  message_id: string;
  type: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  url: string;
  secret: string;
}

/**
 * Sends the outbox's events (docs/api.md#delivery-and-retries). On the instance that leads the background jobs
 * (docs/scaling.md#several-instances), every WEBHOOK_POLL_MS: (1) fan out new events to the live subscriptions
 * asking for their type whose owner may read them (the access policy, per audience), each a PENDING delivery;
 * (2) claim the deliveries that are due with FOR UPDATE SKIP LOCKED and a lease (the next attempt time moved past
 * the timeout), post them signed, and record each attempt with its outcome and the next attempt or the end. A
 * claim is a row lock and a lease, so two instances that both believed they led never send one attempt twice;
 * an instance that dies mid-attempt leaves the delivery to be retried when the lease ends.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly settings: WebhooksConfig;
  private loop: LeaderLoop | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly access: AccessService,
    private readonly leadership: Leadership,
  ) {
    this.settings = config.webhooks;
  }

  onApplicationBootstrap(): void {
    this.loop = new LeaderLoop(
      this.leadership,
      this.logger,
      { firstDelayMs: 0, everyMs: this.settings.pollMs, failure: 'webhook round failed; trying again' },
      () => this.round(),
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** True once shutdown began: a long round stops between its batches. */
  private get stopped(): boolean {
    return this.loop?.stopping ?? false;
  }

  private async round(): Promise<void> {
    while (!this.stopped && (await this.fanOut()) === BATCH);
    if (!this.stopped) await this.deliverDue();
  }

  /** One batch of new events to deliveries, in one transaction; answers how many events it took. */
  private async fanOut(): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const events: PendingEvent[] = await m.query(
        `SELECT id, type, occurred_at, permission, scope FROM webhook_events WHERE fanned_out_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (!events.length) return 0;
      const subscriptions: Array<{ id: string; organisation_id: string | null; authority: string | null; event_types: string[]; created_at: Date }> =
        await m.query(
          `SELECT id, organisation_id, authority, event_types, created_at FROM webhook_subscriptions WHERE deleted_at IS NULL AND event_types && $1::text[]`,
          [[...new Set(events.map((e) => e.type))]],
        );
      const deliveries: Array<{ event_id: string; subscription_id: string }> = [];
      for (const event of events)
        for (const s of subscriptions) {
          // A subscription receives what happens after it was registered, and only what its owner may read.
          if (!s.event_types.includes(event.type) || s.created_at > event.occurred_at) continue;
          const audience: Audience = s.organisation_id
            ? { actsFor: 'organisation', organisationId: s.organisation_id }
            : { actsFor: 'authority', authority: s.authority ?? '' };
          if (this.access.audienceMay(audience, event.permission, event.scope)) deliveries.push({ event_id: event.id, subscription_id: s.id });
        }
      if (deliveries.length)
        await m.query(
          `INSERT INTO webhook_deliveries (event_id, subscription_id, status, attempts, next_attempt_at)
           SELECT d.event_id, d.subscription_id, 'PENDING', 0, now() FROM jsonb_to_recordset($1::jsonb) AS d(event_id bigint, subscription_id uuid)
           ON CONFLICT (event_id, subscription_id) DO NOTHING`,
          [JSON.stringify(deliveries)],
        );
      await m.query(`UPDATE webhook_events SET fanned_out_at = now() WHERE id = ANY($1::bigint[])`, [events.map((e) => e.id)]);
      return events.length;
    });
  }

  /** Claims the due deliveries (a lease past the timeout), posts them at once, and records each attempt. */
  private async deliverDue(): Promise<void> {
    const leaseMs = this.settings.timeoutMs + 30_000;
    const claimed: ClaimedDelivery[] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM webhook_deliveries WHERE status = 'PENDING' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
           FROM due WHERE d.id = due.id RETURNING d.id, d.attempts, d.event_id, d.subscription_id)
       SELECT c.id, c.attempts, e.message_id, e.type, e.occurred_at, e.data, s.url, s.secret
         FROM claimed c JOIN webhook_events e ON e.id = c.event_id JOIN webhook_subscriptions s ON s.id = c.subscription_id`,
      [BATCH, leaseMs],
    );
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const body = payloadOf({ type: delivery.type, occurredAt: delivery.occurred_at, data: delivery.data });
    const at = new Date();
    const headers = signedHeaders(delivery.secret, delivery.message_id, at, body);
    const started = process.hrtime.bigint();
    const outcome: AttemptOutcome = await post(delivery.url, headers, body, this.settings.timeoutMs, this.settings.allowLocalHttp);
    const durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const next = afterAttempt(delivery.attempts, outcome, this.settings, Math.random());
    await this.dataSource.transaction((m) => this.recordAttempt(m, delivery, at, outcome, durationMs, next));
  }

  private async recordAttempt(
    m: EntityManager,
    delivery: ClaimedDelivery,
    at: Date,
    outcome: AttemptOutcome,
    durationMs: number,
    next: ReturnType<typeof afterAttempt>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (delivery_id, attempt) DO NOTHING`,
      [delivery.id, delivery.attempts, at, outcome.statusCode, outcome.error?.slice(0, 500) ?? null, durationMs],
    );
    // Only while the delivery is still this attempt's (a deletion may have cancelled it meanwhile).
    await m.query(
      `UPDATE webhook_deliveries SET status = $3,
              next_attempt_at = CASE WHEN $3 = 'PENDING' THEN now() + make_interval(secs => $4::float8 / 1000) END,
              delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() END
        WHERE id = $1 AND attempts = $2 AND status = 'PENDING'`,
      [delivery.id, delivery.attempts, next.status, next.retryInMs ?? 0],
    );
    if (next.status === 'FAILED')
      this.logger.warn(
        { delivery: delivery.id, attempts: delivery.attempts },
        `webhook delivery ${delivery.id} given up after ${delivery.attempts} attempt(s)`,
      );
  }
}
