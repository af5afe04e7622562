import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owned by the auth module (src/auth/).
 *
 * `tokens_valid_from` on users and service accounts: a token whose `iat` is before it is refused
 * (set when a service account's secret is rotated or a user changes their password), so a leaked
 * token stops working before it expires.
 *
 * `login_throttle`: failed sign-in counts per (account, client address) pair and per address, shared
 * by every instance (src/auth/login-throttle.ts). Hand-written, no entity: rows are upserted with raw
 * SQL under a row lock. A row is purged once `expires_at` has passed.
 */
export class AuthTokensAndThrottle1795684700000 implements MigrationInterface {
  name = 'AuthTokensAndThrottle1795684700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "tokens_valid_from" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "service_accounts" ADD "tokens_valid_from" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE TABLE "login_throttle" (
      "key" text NOT NULL,
      "failures" integer NOT NULL DEFAULT 0,
      "locks" integer NOT NULL DEFAULT 0,
      "blocked_until" timestamptz,
      "expires_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_login_throttle" PRIMARY KEY ("key")
    )`);
    await queryRunner.query(`CREATE INDEX "ix_login_throttle_expires_at" ON "login_throttle" ("expires_at")`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "login_throttle" TO registry_app`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_throttle"`);
    await queryRunner.query(`ALTER TABLE "service_accounts" DROP COLUMN "tokens_valid_from"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "tokens_valid_from"`);
  }
}
