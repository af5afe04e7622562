import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transfer log (docs/architecture.md#the-transfer-log, issue 5). Hand-written, no TypeORM
 * entities: rows are written with COPY and read with raw SQL.
 *
 * transfer_records is insert-only evidence, like the ledger tables: the
 * application role may INSERT and SELECT only, and a trigger refuses UPDATE,
 * DELETE and TRUNCATE even for the owner. Its primary key is the leaf index
 * the ledger assigned; contract_id is on every row (docs/architecture.md#beyond-one-machine: the
 * distribution key for Citus). Each row is also the ledger's leaf: `leaf` is
 * the exact bytes hashed (RFC 8785 canonical JSON) and `leaf_hash` =
 * SHA-256(0x00 ‖ leaf), the level-0 node of the Merkle tree; the parties
 * (processor_id, recipient_id) are who may read it besides regulators.
 *
 * Indexes serve the regulator queries (GET /transfers, export, summary):
 * keyset pages ordered by (occurred_at, leaf_index) per contract, per
 * processor, per recipient, overall and flagged only (partial); flags
 * (partial, only flagged rows) and categories by GIN.
 */
export class Transfers1795684500001 implements MigrationInterface {
  name = 'Transfers1795684500001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "transfer_records" (
      "leaf_index" bigint NOT NULL,
      "contract_id" uuid NOT NULL,
      "contract_version" integer NOT NULL,
      "processor_id" uuid NOT NULL,
      "recipient_id" uuid NOT NULL,
      "processor_jurisdiction" text NOT NULL,
      "recipient_jurisdiction" text NOT NULL,
      "sector" text NOT NULL,
      "submitted_by_organisation_id" uuid NOT NULL,
      "submitted_by" uuid NOT NULL,
      "occurred_at" timestamptz NOT NULL,
      "recorded_at" timestamptz NOT NULL,
      "direction" text NOT NULL,
      "data_subject_count" bigint NOT NULL,
      "record_count" bigint NOT NULL,
      "personal_information_categories" text[] NOT NULL,
      "sensitive_categories" text[] NOT NULL,
      "purposes" text[] NOT NULL,
      "transfer_method" text NOT NULL,
      "separate_consent_obtained" boolean NOT NULL,
      "onward_recipient_name" text,
      "onward_recipient_city" text,
      "payload_digest" text NOT NULL,
      "external_reference" text NOT NULL,
      "flags" text[] NOT NULL,
      "leaf_hash" bytea NOT NULL CHECK (octet_length("leaf_hash") = 32),
      "leaf" bytea NOT NULL,
      CONSTRAINT "pk_transfer_records" PRIMARY KEY ("leaf_index")
    )`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_contract_time" ON "transfer_records" ("contract_id", "occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_processor_time" ON "transfer_records" ("processor_id", "occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_recipient_time" ON "transfer_records" ("recipient_id", "occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_time" ON "transfer_records" ("occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_flags" ON "transfer_records" USING gin ("flags") WHERE "flags" <> '{}'`);
    // flagged=true pages in (occurred_at, leaf_index) order without reading clean rows; only flagged rows are indexed.
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_flagged_time" ON "transfer_records" ("occurred_at", "leaf_index") WHERE "flags" <> '{}'`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_categories" ON "transfer_records" USING gin ("personal_information_categories")`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "transfer_records" FROM registry_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "transfer_records" TO registry_app`);
    // ledger_refuse_change() is defined by the Ledger migration.
    await queryRunner.query(
      `CREATE TRIGGER "transfer_records_no_update_delete" BEFORE UPDATE OR DELETE ON "transfer_records" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "transfer_records_no_truncate" BEFORE TRUNCATE ON "transfer_records" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"()`,
    );

    // Idempotency-Key (issue 5): the first response, kept at least 24 hours, keyed by the caller's organisation.
    // The response is stored compactly: the batch's leaf indexes are contiguous from first_leaf_index.
    await queryRunner.query(`CREATE TABLE "transfer_idempotency_keys" (
      "organisation_id" uuid NOT NULL,
      "idempotency_key" text NOT NULL,
      "request_hash" bytea NOT NULL,
      "first_leaf_index" bigint NOT NULL,
      "flags" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "pk_transfer_idempotency_keys" PRIMARY KEY ("organisation_id", "idempotency_key")
    )`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_idempotency_keys_created" ON "transfer_idempotency_keys" ("created_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "transfer_idempotency_keys"`);
    await queryRunner.query(`DROP TABLE "transfer_records"`);
  }
}
