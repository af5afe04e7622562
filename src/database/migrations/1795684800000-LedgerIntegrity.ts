import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The log's self-audit and its compare-and-swap signer (docs/architecture.md#trust-model, parts 1 and 2).
 *
 * - ledger_checkpoints.extends_size: the size of the checkpoint each new one was proven to extend (-1 for
 *   the first). Unique, so two signers that both extend the same checkpoint cannot both store theirs: a
 *   second, diverging checkpoint is refused by the database, whichever instance or restored backup signs it.
 *   Checkpoints signed before this migration have none.
 * - ledger_integrity_failures: what the audit or the signer found wrong, insert-only like the log, so every
 *   instance stops signing and a restart does not forget. Only an operator with more rights than the
 *   application can clear it, after repairing the log.
 * - ledger_audit_progress: one row, the audit's cursor, so the audit resumes where it stopped and two
 *   instances share it (a batch holds the row with FOR UPDATE SKIP LOCKED).
 */
export class LedgerIntegrity1795684800000 implements MigrationInterface {
  name = 'LedgerIntegrity1795684800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ledger_checkpoints" ADD COLUMN "extends_size" bigint CHECK ("extends_size" >= -1 AND "extends_size" < "tree_size")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "ux_ledger_checkpoints_extends_size" ON "ledger_checkpoints" ("extends_size")`);
    await queryRunner.query(`CREATE TABLE "ledger_integrity_failures" (
      "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      "kind" text NOT NULL,
      "level" smallint,
      "idx" bigint,
      "detail" text NOT NULL,
      "detected_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_ledger_integrity_failures_where" ON "ledger_integrity_failures" ("kind", COALESCE("level", -1), COALESCE("idx", -1))`,
    );
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_integrity_failures" FROM registry_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "ledger_integrity_failures" TO registry_app`);
    await queryRunner.query(`CREATE TABLE "ledger_audit_progress" (
      "id" smallint PRIMARY KEY CHECK ("id" = 1),
      "phase" text NOT NULL CHECK ("phase" IN ('leaves', 'nodes', 'checkpoints')),
      "level" smallint NOT NULL,
      "position" bigint NOT NULL,
      "passes" bigint NOT NULL,
      "pass_started_at" timestamptz NOT NULL DEFAULT now(),
      "last_pass_completed_at" timestamptz,
      "updated_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`INSERT INTO "ledger_audit_progress" ("id", "phase", "level", "position", "passes") VALUES (1, 'leaves', 0, 0, 0)`);
    await queryRunner.query(`GRANT SELECT, UPDATE ON "ledger_audit_progress" TO registry_app`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ledger_audit_progress"`);
    await queryRunner.query(`DROP TABLE "ledger_integrity_failures"`);
    await queryRunner.query(`DROP INDEX "ux_ledger_checkpoints_extends_size"`);
    await queryRunner.query(`ALTER TABLE "ledger_checkpoints" DROP COLUMN "extends_size"`);
  }
}
