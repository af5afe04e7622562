import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications (docs/api.md#webhooks): subscriptions, the outbox of events, one delivery per event and subscription,
 * and every attempt. The attempts are insert-only; a subscription is never deleted (DELETE /webhooks/:id marks it),
 * so what was sent, where and with what outcome stays on record.
 */
export class Webhooks1795687300000 implements MigrationInterface {
  name = 'Webhooks1795687300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_subscriptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid, "authority" text, "url" text NOT NULL, "event_types" text array NOT NULL, "secret" text NOT NULL, "description" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_webhook_subscriptions_one_owner" CHECK ((organisation_id IS NULL) <> (authority IS NULL)), CONSTRAINT "PK_bf631ae77d39849d599817fb6f4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_webhook_subscriptions_authority" ON "webhook_subscriptions"  ("authority", "created_at") `);
    await queryRunner.query(`CREATE INDEX "ix_webhook_subscriptions_organisation" ON "webhook_subscriptions"  ("organisation_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "message_id" text NOT NULL, "type" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "data" jsonb NOT NULL, "permission" text NOT NULL, "scope" jsonb NOT NULL, "once_key" text, "fanned_out_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_webhook_events_once" UNIQUE ("once_key"), CONSTRAINT "uq_webhook_events_message" UNIQUE ("message_id"), CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_webhook_events_pending" ON "webhook_events"  ("id") WHERE fanned_out_at IS NULL`);
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" bigint NOT NULL, "subscription_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_webhook_deliveries_event_subscription" UNIQUE ("event_id", "subscription_id"), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries"  ("next_attempt_at") WHERE status = 'PENDING'`);
    await queryRunner.query(`CREATE INDEX "ix_webhook_deliveries_subscription" ON "webhook_deliveries"  ("subscription_id", "event_id") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_attempts" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status_code" integer, "error" text, "duration_ms" integer NOT NULL, CONSTRAINT "uq_webhook_attempts_delivery_attempt" UNIQUE ("delivery_id", "attempt"), CONSTRAINT "PK_2de7e7887ad97de459adab62638" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "fk_webhook_subscriptions_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_event" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "fk_webhook_deliveries_subscription" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_attempts" ADD CONSTRAINT "fk_webhook_attempts_delivery" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // The record of what was sent stays: attempts are insert-only, subscriptions, events and deliveries are never deleted.
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "webhook_attempts" FROM registry_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "webhook_attempts" TO registry_app`);
    for (const table of ['webhook_subscriptions', 'webhook_events', 'webhook_deliveries']) {
      await queryRunner.query(`REVOKE DELETE, TRUNCATE ON "${table}" FROM registry_app`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_attempts" DROP CONSTRAINT "fk_webhook_attempts_delivery"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_subscription"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_event"`);
    await queryRunner.query(`ALTER TABLE "webhook_subscriptions" DROP CONSTRAINT "fk_webhook_subscriptions_organisation"`);
    await queryRunner.query(`DROP TABLE "webhook_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_subscription"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_deliveries_due"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_events_pending"`);
    await queryRunner.query(`DROP TABLE "webhook_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_subscriptions_organisation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_subscriptions_authority"`);
    await queryRunner.query(`DROP TABLE "webhook_subscriptions"`);
  }
}
