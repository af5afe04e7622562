import { MigrationInterface, QueryRunner } from 'typeorm';

export class Rollout1795684435550 implements MigrationInterface {
  name = 'Rollout1795684435550';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "calendar_overrides" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "jurisdiction" text NOT NULL, "date" date NOT NULL, "kind" text NOT NULL, "reason" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b23f682172d62c4a5d0a8bec475" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_calendar_overrides_day" ON "calendar_overrides"  ("jurisdiction", "date", "kind") `);
    await queryRunner.query(
      `CREATE TABLE "rollout_regimes" ("code" text NOT NULL, "name" text NOT NULL, "name_zh" text, "sides" text array NOT NULL, "opens_on" date NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c64df070b5dfe6a0029a6522023" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "rollout_sectors" ("code" text NOT NULL, "name_en" text NOT NULL, "name_zh_hant" text NOT NULL, "name_zh_hans" text NOT NULL, "sort_order" integer NOT NULL, CONSTRAINT "PK_785f54faf632bf8970dd0bdbe44" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "rollout_phases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "regime_code" text NOT NULL, "number" integer NOT NULL, "name" text, "opens_on" date NOT NULL, "all_sectors" boolean NOT NULL DEFAULT false, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_411b17a6cf2ccd5c127ed19fbdf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rollout_phases_regime_number" ON "rollout_phases"  ("regime_code", "number") `);
    await queryRunner.query(
      `CREATE TABLE "rollout_phase_sectors" ("phase_id" uuid NOT NULL, "sector_code" text NOT NULL, CONSTRAINT "pk_rollout_phase_sectors" PRIMARY KEY ("phase_id", "sector_code"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_rollout_phase_sectors_sector" ON "rollout_phase_sectors"  ("sector_code") `);
    await queryRunner.query(
      `CREATE TABLE "rollout_enrolments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "regime_code" text NOT NULL, "phase_id" uuid, "sector_code" text NOT NULL, "jurisdiction" text NOT NULL, "status" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e8f4328a9fb38f76f8ad957084b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_rollout_enrolments_live" ON "rollout_enrolments"  ("organisation_id", "regime_code", "sector_code") WHERE "status" IN ('INTERESTED', 'ENROLLED', 'ACTIVE')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_rollout_enrolments_stats" ON "rollout_enrolments"  ("regime_code", "phase_id", "sector_code", "jurisdiction", "status") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_rollout_enrolments_organisation" ON "rollout_enrolments"  ("organisation_id", "regime_code", "status") `);
    await queryRunner.query(
      `CREATE TABLE "rollout_enrolment_history" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "enrolment_id" uuid NOT NULL, "action" text NOT NULL, "from_status" text, "to_status" text NOT NULL, "reason" text, "actor_id" uuid, "actor_role" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_22d7b56a0fddf2f317b957f18e3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_rollout_enrolment_history_enrolment" ON "rollout_enrolment_history"  ("enrolment_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "rollout_sector_counters" ("regime_code" text NOT NULL, "sector_code" text NOT NULL, "jurisdiction" text NOT NULL, "accepted_filings" bigint NOT NULL DEFAULT '0', "transfer_records" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_rollout_sector_counters" PRIMARY KEY ("regime_code", "sector_code", "jurisdiction"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_phases" ADD CONSTRAINT "fk_rollout_phases_regime" FOREIGN KEY ("regime_code") REFERENCES "rollout_regimes"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_phase_sectors" ADD CONSTRAINT "fk_rollout_phase_sectors_phase" FOREIGN KEY ("phase_id") REFERENCES "rollout_phases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_phase_sectors" ADD CONSTRAINT "fk_rollout_phase_sectors_sector" FOREIGN KEY ("sector_code") REFERENCES "rollout_sectors"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_enrolments" ADD CONSTRAINT "fk_rollout_enrolments_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_enrolments" ADD CONSTRAINT "fk_rollout_enrolments_regime" FOREIGN KEY ("regime_code") REFERENCES "rollout_regimes"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_enrolments" ADD CONSTRAINT "fk_rollout_enrolments_phase" FOREIGN KEY ("phase_id") REFERENCES "rollout_phases"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_enrolments" ADD CONSTRAINT "fk_rollout_enrolments_sector" FOREIGN KEY ("sector_code") REFERENCES "rollout_sectors"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rollout_enrolment_history" ADD CONSTRAINT "fk_rollout_enrolment_history_enrolment" FOREIGN KEY ("enrolment_id") REFERENCES "rollout_enrolments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    // Audit evidence (docs/contributing.md#database): the application role may append and read the
    // enrolment history, never rewrite it.
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "rollout_enrolment_history" FROM registry_app`);

    // Seed data (hand-written). Sectors: docs/api.md#code-lists `sector`, labels as in src/organisations/gba.ts.
    await queryRunner.query(`INSERT INTO "rollout_sectors" ("code", "name_en", "name_zh_hant", "name_zh_hans", "sort_order") VALUES
      ('BANKING', 'Banking', '銀行', '银行', 1),
      ('CREDIT_REFERENCING', 'Credit referencing', '徵信', '征信', 2),
      ('HEALTHCARE', 'Healthcare', '醫療', '医疗', 3),
      ('INSURANCE', 'Insurance', '保險', '保险', 4),
      ('SECURITIES', 'Securities', '證券', '证券', 5),
      ('RETAIL', 'Retail', '零售', '零售', 6),
      ('LOGISTICS', 'Logistics', '物流', '物流', 7),
      ('TELECOMMUNICATIONS', 'Telecommunications', '電訊', '电信', 8),
      ('TECHNOLOGY', 'Technology', '科技', '科技', 9),
      ('EDUCATION', 'Education', '教育', '教育', 10),
      ('OTHER', 'Other', '其他', '其他', 11)`);
    // R15: Implementation Guidelines (CAC & ITIB announcement 2023 No. 3), published 2023-12-13.
    await queryRunner.query(`INSERT INTO "rollout_regimes" ("code", "name", "name_zh", "sides", "opens_on") VALUES
      ('GBA_MAINLAND_HK', 'Standard Contract for Cross-boundary Flow of Personal Information Within the Guangdong-Hong Kong-Macao Greater Bay Area (Mainland, Hong Kong)',
       '粵港澳大灣區（內地、香港）個人信息跨境流動標準合同', '{MAINLAND,HONG_KONG}', '2023-12-13')`);
    // R15: phase 1 from 2023-12-13 (banking, credit referencing, healthcare); all sectors from 2024-11-01.
    await queryRunner.query(`INSERT INTO "rollout_phases" ("regime_code", "number", "name", "opens_on", "all_sectors") VALUES
      ('GBA_MAINLAND_HK', 1, 'First phase: banking, credit referencing, healthcare', '2023-12-13', false),
      ('GBA_MAINLAND_HK', 2, 'All sectors', '2024-11-01', true)`);
    await queryRunner.query(`INSERT INTO "rollout_phase_sectors" ("phase_id", "sector_code")
      SELECT p.id, s.code FROM "rollout_phases" p CROSS JOIN (VALUES ('BANKING'), ('CREDIT_REFERENCING'), ('HEALTHCARE')) AS s(code)
      WHERE p.regime_code = 'GBA_MAINLAND_HK' AND p.number = 1`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rollout_enrolment_history" DROP CONSTRAINT "fk_rollout_enrolment_history_enrolment"`);
    await queryRunner.query(`ALTER TABLE "rollout_enrolments" DROP CONSTRAINT "fk_rollout_enrolments_sector"`);
    await queryRunner.query(`ALTER TABLE "rollout_enrolments" DROP CONSTRAINT "fk_rollout_enrolments_phase"`);
    await queryRunner.query(`ALTER TABLE "rollout_enrolments" DROP CONSTRAINT "fk_rollout_enrolments_regime"`);
    await queryRunner.query(`ALTER TABLE "rollout_enrolments" DROP CONSTRAINT "fk_rollout_enrolments_organisation"`);
    await queryRunner.query(`ALTER TABLE "rollout_phase_sectors" DROP CONSTRAINT "fk_rollout_phase_sectors_sector"`);
    await queryRunner.query(`ALTER TABLE "rollout_phase_sectors" DROP CONSTRAINT "fk_rollout_phase_sectors_phase"`);
    await queryRunner.query(`ALTER TABLE "rollout_phases" DROP CONSTRAINT "fk_rollout_phases_regime"`);
    await queryRunner.query(`DROP TABLE "rollout_sector_counters"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollout_enrolment_history_enrolment"`);
    await queryRunner.query(`DROP TABLE "rollout_enrolment_history"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollout_enrolments_organisation"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollout_enrolments_stats"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rollout_enrolments_live"`);
    await queryRunner.query(`DROP TABLE "rollout_enrolments"`);
    await queryRunner.query(`DROP INDEX "public"."ix_rollout_phase_sectors_sector"`);
    await queryRunner.query(`DROP TABLE "rollout_phase_sectors"`);
    await queryRunner.query(`DROP INDEX "public"."uq_rollout_phases_regime_number"`);
    await queryRunner.query(`DROP TABLE "rollout_phases"`);
    await queryRunner.query(`DROP TABLE "rollout_sectors"`);
    await queryRunner.query(`DROP TABLE "rollout_regimes"`);
    await queryRunner.query(`DROP INDEX "public"."uq_calendar_overrides_day"`);
    await queryRunner.query(`DROP TABLE "calendar_overrides"`);
  }
}
