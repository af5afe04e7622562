import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Organisation } from '../organisations/organisation.entity';
import type { DeliveryStatus } from './delivery-rules';

/**
 * An endpoint that an organisation or an authority registered for some event types (docs/api.md#webhooks).
 * Exactly one owner: the organisation (its administrators manage it) or the authority (its regulators do).
 * Deleting one stops its deliveries and keeps the row and its deliveries as the record of what was sent.
 */
@Entity({ name: 'webhook_subscriptions' })
@Index('ix_webhook_subscriptions_organisation', ['organisationId', 'createdAt'])
@Index('ix_webhook_subscriptions_authority', ['authority', 'createdAt'])
@Check('ck_webhook_subscriptions_one_owner', '(organisation_id IS NULL) <> (authority IS NULL)')
export class WebhookSubscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'fk_webhook_subscriptions_organisation' })
  organisation?: Organisation;

  @Column({ type: 'text', nullable: true })
  authority: string | null;

  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes: string[];

  /** `whsec_` + base64: kept to sign each delivery, shown to the caller once (POST /webhooks). */
  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

/**
 * The outbox: one row per event, inserted in the transaction of the change it reports (docs/contributing.md#database),
 * fanned out to the subscriptions that may read it by the leader (`fanned_out_at`). `once_key` makes an event that a
 * scan finds again (a filing still overdue) one row.
 */
@Entity({ name: 'webhook_events' })
@Index('ix_webhook_events_pending', ['id'], { where: 'fanned_out_at IS NULL' })
@Unique('uq_webhook_events_message', ['messageId'])
@Unique('uq_webhook_events_once', ['onceKey'])
export class WebhookEventRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** The `webhook-id` header: the same for every attempt and every receiver of this event. */
  @Column({ name: 'message_id', type: 'text' })
  messageId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  /** The access permission a receiver needs for `scope` (src/access/policy.ts). */
  @Column({ type: 'text' })
  permission: string;

  @Column({ type: 'jsonb' })
  scope: Record<string, unknown>;

  @Column({ name: 'once_key', type: 'text', nullable: true })
  onceKey: string | null;

  @Column({ name: 'fanned_out_at', type: 'timestamptz', nullable: true })
  fannedOutAt: Date | null;
}

/** One event for one subscription: its state, the attempts made and when the next is due. */
@Entity({ name: 'webhook_deliveries' })
@Unique('uq_webhook_deliveries_event_subscription', ['eventId', 'subscriptionId'])
@Index('ix_webhook_deliveries_subscription', ['subscriptionId', 'eventId'])
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `status = 'PENDING'` })
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @ManyToOne(() => WebhookEventRow, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'fk_webhook_deliveries_event' })
  event?: WebhookEventRow;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  @ManyToOne(() => WebhookSubscription, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'subscription_id', foreignKeyConstraintName: 'fk_webhook_deliveries_subscription' })
  subscription?: WebhookSubscription;

  @Column({ type: 'text', default: 'PENDING' })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** Each attempt of a delivery, as it ended: the receiver's status or the error, when, how long. Insert-only. */
@Entity({ name: 'webhook_attempts' })
@Unique('uq_webhook_attempts_delivery_attempt', ['deliveryId', 'attempt'])
export class WebhookAttempt {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId: string;

  @ManyToOne(() => WebhookDelivery, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'fk_webhook_attempts_delivery' })
  delivery?: WebhookDelivery;

  @Column({ type: 'integer' })
  attempt: number;

  @Column({ name: 'attempted_at', type: 'timestamptz' })
  attemptedAt: Date;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;
}
