import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rest of a contract's life (docs/rules.md#r13, docs/rules.md#r14): notices of a contract's end in the queue of
 * each side's authority (`contract_notices`, acknowledged once); an incident's severity, remedial actions, the
 * authorities notified and when, and when it was discovered (existing reports keep none); a version's Appendix II
 * ("other terms agreed by the parties"). Incident reports stay insert-only for the application.
 */
export class ContractLife1795688100000 implements MigrationInterface {
  name = 'ContractLife1795688100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contract_notices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contract_id" uuid NOT NULL, "kind" text NOT NULL, "party" text NOT NULL, "authority" text NOT NULL, "side" text NOT NULL, "ended_on" date NOT NULL, "due_on" date NOT NULL, "provisional" boolean NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "acknowledged_at" TIMESTAMP WITH TIME ZONE, "acknowledged_by" uuid, CONSTRAINT "uq_contract_notices_contract_kind_party" UNIQUE ("contract_id", "kind", "party"), CONSTRAINT "pk_contract_notices" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contract_notices_created" ON "contract_notices"  ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_contract_notices_authority" ON "contract_notices"  ("authority", "created_at") `);
    await queryRunner.query(
      `ALTER TABLE "contract_notices" ADD CONSTRAINT "fk_contract_notices_contract" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Acknowledged once, never deleted.
    await queryRunner.query(`REVOKE DELETE, TRUNCATE ON "contract_notices" FROM registry_app`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" ADD "severity" text`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" ADD "remedial_actions" text`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" ADD "notified_authorities" jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" ADD "discovered_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "ix_contract_incidents_reported" ON "contract_incidents"  ("reported_at", "id") `);
    await queryRunner.query(`ALTER TABLE "contract_versions" ADD "appendix_ii" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contract_versions" DROP COLUMN "appendix_ii"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_incidents_reported"`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" DROP COLUMN "discovered_at"`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" DROP COLUMN "notified_authorities"`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" DROP COLUMN "remedial_actions"`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" DROP COLUMN "severity"`);
    await queryRunner.query(`ALTER TABLE "contract_notices" DROP CONSTRAINT "fk_contract_notices_contract"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_notices_authority"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_notices_created"`);
    await queryRunner.query(`DROP TABLE "contract_notices"`);
  }
}
