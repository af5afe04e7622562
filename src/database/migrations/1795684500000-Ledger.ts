import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Merkle ledger (docs/architecture.md#the-transfer-log; RFC 9162 §2.1): stored complete subtrees
 * and signed checkpoints. The leaves themselves (exact bytes and leaf hash)
 * are columns of their transfer_records row (Transfers migration): one row
 * written per record instead of two (issue 6). Hand-written (no TypeORM
 * entities: the service reads and writes them with raw SQL and COPY), so the
 * drift check never sees them. Both are insert-only: the application role may
 * only INSERT and SELECT them, and a trigger refuses UPDATE, DELETE and
 * TRUNCATE even for the owner (README "Database-role protection").
 */
export class Ledger1795684500000 implements MigrationInterface {
  name = 'Ledger1795684500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Complete subtrees of level ≥ 4 (16-leaf tiles and up) covering leaves [idx·2^level, (idx+1)·2^level);
    // level 0 is transfer_records.leaf_hash and levels 1–3 are folded from it when read (LedgerService.STORED_MIN_LEVEL).
    await queryRunner.query(`CREATE TABLE "ledger_nodes" (
      "level" smallint NOT NULL CHECK ("level" BETWEEN 4 AND 62),
      "idx" bigint NOT NULL CHECK ("idx" >= 0),
      "hash" bytea NOT NULL CHECK (octet_length("hash") = 32),
      CONSTRAINT "pk_ledger_nodes" PRIMARY KEY ("level", "idx")
    )`);
    await queryRunner.query(`CREATE TABLE "ledger_checkpoints" (
      "tree_size" bigint NOT NULL CHECK ("tree_size" >= 0),
      "root_hash" bytea NOT NULL CHECK (octet_length("root_hash") = 32),
      "note" text NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_ledger_checkpoints" PRIMARY KEY ("tree_size")
    )`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "ledger_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
      END $$`);
    for (const table of ['ledger_nodes', 'ledger_checkpoints']) {
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "${table}" FROM registry_app`);
      await queryRunner.query(`GRANT SELECT, INSERT ON "${table}" TO registry_app`);
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_update_delete" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ledger_checkpoints"`);
    await queryRunner.query(`DROP TABLE "ledger_nodes"`);
    await queryRunner.query(`DROP FUNCTION "ledger_refuse_change"()`);
  }
}
