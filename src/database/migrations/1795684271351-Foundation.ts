import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795684271351 implements MigrationInterface {
  name = 'Foundation1795684271351';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The application's queries run as this role (SET by the connection's startup options):
    // full rights on ordinary tables, INSERT and SELECT only on the log tables (docs/contributing.md#database).
    await queryRunner.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'registry_app') THEN CREATE ROLE registry_app NOLOGIN; END IF;
      IF NOT pg_has_role(current_user, 'registry_app', 'MEMBER') THEN EXECUTE format('GRANT registry_app TO %I', current_user); END IF;
    END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO registry_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO registry_app`);
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO registry_app`);
    await queryRunner.query(
      `CREATE TABLE "organisations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "legal_name" text, "legal_name_zh" text, "jurisdiction" text NOT NULL, "city" text NOT NULL, "identifier_type" text NOT NULL, "identifier" text NOT NULL, "sector" text NOT NULL, "verification_status" text NOT NULL DEFAULT 'UNVERIFIED', "verified_at" TIMESTAMP WITH TIME ZONE, "verified_by" uuid, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7bf54cba378d5b2f1d4c10ef4df" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_organisations_jurisdiction" ON "organisations"  ("jurisdiction") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_organisations_identifier" ON "organisations"  ("identifier_type", "identifier") `);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "password_hash" text NOT NULL, "role" text NOT NULL, "organisation_id" uuid, "authority" text, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_users_organisation" ON "users"  ("organisation_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users"  ("email") `);
    await queryRunner.query(
      `CREATE TABLE "service_accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "client_id" text NOT NULL, "secret_hash" text NOT NULL, "name" text, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e2fb216fdc1db94c5e4da7d88fa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_service_accounts_organisation" ON "service_accounts"  ("organisation_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_service_accounts_client_id" ON "service_accounts"  ("client_id") `);
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "fk_users_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_accounts" ADD CONSTRAINT "fk_service_accounts_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "service_accounts" DROP CONSTRAINT "fk_service_accounts_organisation"`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "fk_users_organisation"`);
    await queryRunner.query(`DROP INDEX "public"."uq_service_accounts_client_id"`);
    await queryRunner.query(`DROP INDEX "public"."ix_service_accounts_organisation"`);
    await queryRunner.query(`DROP TABLE "service_accounts"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_users_organisation"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organisations_identifier"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_jurisdiction"`);
    await queryRunner.query(`DROP TABLE "organisations"`);
  }
}
