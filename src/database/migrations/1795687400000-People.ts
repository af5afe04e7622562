import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owned by the auth module (src/auth/): users' display names, and console sessions' refresh tokens, stored as
 * SHA-256 digests, rotated on use (docs/api.md#sessions).
 */
export class People1795687400000 implements MigrationInterface {
  name = 'People1795687400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "display_name" text`);
    await queryRunner.query(
      `CREATE TABLE "auth_refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "family_id" uuid NOT NULL, "user_id" uuid NOT NULL, "token_hash" bytea NOT NULL, "session_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_auth_refresh_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_auth_refresh_tokens_hash" ON "auth_refresh_tokens" ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "ix_auth_refresh_tokens_family" ON "auth_refresh_tokens" ("family_id") `);
    await queryRunner.query(`CREATE INDEX "ix_auth_refresh_tokens_user" ON "auth_refresh_tokens" ("user_id") `);
    await queryRunner.query(
      `ALTER TABLE "auth_refresh_tokens" ADD CONSTRAINT "fk_auth_refresh_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth_refresh_tokens"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "display_name"`);
  }
}
