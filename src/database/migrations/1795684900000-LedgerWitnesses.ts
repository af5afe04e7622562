import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Witness cosignatures (C2SP tlog-cosignature, cosignature/v1) of the transfer log's checkpoints
 * (docs/architecture.md#trust-model): one signature line per witness key and checkpoint (tree_size, joined to ledger_checkpoints when served),
 * insert-only like the log (the same triggers refuse UPDATE, DELETE and TRUNCATE).
 * GET /ledger/checkpoint serves the latest checkpoint with LEDGER_WITNESS_QUORUM of them.
 */
export class LedgerWitnesses1795684900000 implements MigrationInterface {
  name = 'LedgerWitnesses1795684900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ledger_cosignatures" (
      "witness_key" text NOT NULL,
      "tree_size" bigint NOT NULL,
      "cosigned_at" bigint NOT NULL CHECK ("cosigned_at" >= 0),
      "signature_line" text NOT NULL,
      "received_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_ledger_cosignatures" PRIMARY KEY ("witness_key", "tree_size")
    )`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_cosignatures" FROM registry_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "ledger_cosignatures" TO registry_app`);
    await queryRunner.query(
      `CREATE TRIGGER "ledger_cosignatures_no_update_delete" BEFORE UPDATE OR DELETE ON "ledger_cosignatures" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "ledger_cosignatures_no_truncate" BEFORE TRUNCATE ON "ledger_cosignatures" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ledger_cosignatures"`);
  }
}
