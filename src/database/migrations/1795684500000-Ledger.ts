import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Merkle ledger (DESIGN.md §3; RFC 9162 §2.1): leaves, stored complete
 * subtrees and signed checkpoints. Hand-written (no TypeORM entities: the
 * service reads and writes them with raw SQL and COPY), so the drift check
 * never sees them. All three are insert-only: the application role may only
 * INSERT and SELECT them, and a trigger refuses UPDATE, DELETE and TRUNCATE
 * even for the owner (README "Database-role protection").
 */
export class Ledger1795684500000 implements MigrationInterface {
  name = 'Ledger1795684500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // One row per leaf. leaf = the exact bytes hashed; leaf_hash = SHA-256(0x00 ‖ leaf), the level-0 node.
    // contract_id and organisation_ids: who may read the leaf (parties), and the distribution key (DESIGN.md §6).
    await queryRunner.query(`CREATE TABLE "ledger_leaves" (
      "leaf_index" bigint NOT NULL,
      "contract_id" uuid NOT NULL,
      "organisation_ids" uuid[] NOT NULL,
      "leaf_hash" bytea NOT NULL CHECK (octet_length("leaf_hash") = 32),
      "leaf" bytea NOT NULL,
      CONSTRAINT "pk_ledger_leaves" PRIMARY KEY ("leaf_index")
    )`);
    // Complete subtrees of level ≥ 1 covering leaves [idx·2^level, (idx+1)·2^level); level 0 lives in ledger_leaves.
    await queryRunner.query(`CREATE TABLE "ledger_nodes" (
      "level" smallint NOT NULL CHECK ("level" BETWEEN 1 AND 62),
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
    for (const table of ['ledger_leaves', 'ledger_nodes', 'ledger_checkpoints']) {
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "${table}" FROM registry_app`);
      await queryRunner.query(`GRANT SELECT, INSERT ON "${table}" TO registry_app`);
      await queryRunner.query(`CREATE TRIGGER "${table}_no_update_delete" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"()`);
      await queryRunner.query(`CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"()`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ledger_checkpoints"`);
    await queryRunner.query(`DROP TABLE "ledger_nodes"`);
    await queryRunner.query(`DROP TABLE "ledger_leaves"`);
    await queryRunner.query(`DROP FUNCTION "ledger_refuse_change"()`);
  }
}
