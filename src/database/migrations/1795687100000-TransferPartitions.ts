import { MigrationInterface, QueryRunner } from 'typeorm';

/** Months created ahead of the current one when the table is converted (the maintainer keeps this many ahead). */
const MONTHS_AHEAD = 3;

/**
 * Transfer records partitioned by month (docs/scaling.md#partitions) and retention by verified archive
 * (docs/rules.md#r18, docs/scaling.md#retention).
 *
 * - transfer_records becomes a declarative RANGE partitioning on recorded_at, the instant the registry
 *   logged the record (a member of the leaf), with one partition per calendar month in UTC+8 (the GBA's
 *   civil time, as the compliance flags' dates) and a DEFAULT partition, so an insert never fails for lack
 *   of a partition. The existing table is copied into it row for row and then dropped; columns, CHECKs,
 *   indexes, grants and the append-only triggers are the same.
 * - A unique constraint on a partitioned table must contain the partition key, so the primary key becomes
 *   (leaf_index, recorded_at). Leaf indexes stay unique and gapless because they are assigned by the one
 *   appender under LEDGER_APPEND_LOCK from the tree size, and the self-audit reports any index missing or
 *   repeated (docs/scaling.md#partitions says why that is enough).
 * - transfer_records_ensure_partition(month) creates a month's partition with its own TRUNCATE guard: the
 *   application role may call it (SECURITY DEFINER) but not create tables itself.
 * - ledger_archives: one row per archived partition (file, SHA-256, leaf range, the checkpoint covering it).
 *   ledger_archived_leaves: the leaf hashes and parties of archived records, so the Merkle tree stays whole
 *   and every inclusion and consistency proof still resolves after the partition is detached.
 * - ledger_detach_archived_partition(name) detaches a partition only when ledger_archives records its
 *   archive and ledger_archived_leaves holds every one of its leaves: nothing is detached without an archive (R18).
 *   Both tables are insert-only, like the log.
 */
export class TransferPartitions1795687100000 implements MigrationInterface {
  name = 'TransferPartitions1795687100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const indexes = (await queryRunner.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'transfer_records' AND indexname <> 'pk_transfer_records'`,
    )) as Array<{ indexname: string }>;
    for (const { indexname } of indexes) await queryRunner.query(`DROP INDEX "${indexname}"`);
    await queryRunner.query(`ALTER TABLE "transfer_records" RENAME TO "transfer_records_unpartitioned"`);
    await queryRunner.query(`ALTER TABLE "transfer_records_unpartitioned" RENAME CONSTRAINT "pk_transfer_records" TO "pk_transfer_records_unpartitioned"`);
    await queryRunner.query(
      `CREATE TABLE "transfer_records" (LIKE "transfer_records_unpartitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ("recorded_at")`,
    );
    await queryRunner.query(`ALTER TABLE "transfer_records" ADD CONSTRAINT "pk_transfer_records" PRIMARY KEY ("leaf_index", "recorded_at")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_contract_time" ON "transfer_records" ("contract_id", "occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_processor_time" ON "transfer_records" ("processor_id", "occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_recipient_time" ON "transfer_records" ("recipient_id", "occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_time" ON "transfer_records" ("occurred_at", "leaf_index")`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_flags" ON "transfer_records" USING gin ("flags") WHERE "flags" <> '{}'`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_flagged_time" ON "transfer_records" ("occurred_at", "leaf_index") WHERE "flags" <> '{}'`);
    await queryRunner.query(`CREATE INDEX "ix_transfer_records_categories" ON "transfer_records" USING gin ("personal_information_categories")`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "transfer_records" FROM registry_app`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "transfer_records" TO registry_app`);
    // Row triggers on the parent are cloned to every partition; a TRUNCATE guard is per table (the function adds it).
    await queryRunner.query(
      `CREATE TRIGGER "transfer_records_no_update_delete" BEFORE UPDATE OR DELETE ON "transfer_records" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "transfer_records_no_truncate" BEFORE TRUNCATE ON "transfer_records" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"()`,
    );
    await queryRunner.query(`CREATE FUNCTION "transfer_records_guard_partition"(partition_name text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM registry_app', partition_name);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()', partition_name || '_no_truncate', partition_name);
      END $$`);
    // A month in UTC+8: [first day 00:00+08, first day of the next month 00:00+08). Returns the name when created.
    await queryRunner.query(`CREATE FUNCTION "transfer_records_ensure_partition"(month date) RETURNS text
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        first_day date := date_trunc('month', month)::date;
        partition_name text := 'transfer_records_y' || to_char(first_day, 'YYYY') || 'm' || to_char(first_day, 'MM');
      BEGIN
        IF to_regclass(partition_name) IS NOT NULL THEN RETURN NULL; END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF transfer_records FOR VALUES FROM (%L) TO (%L)', partition_name,
          (first_day::text || ' 00:00:00+08')::timestamptz, ((first_day + interval '1 month')::date::text || ' 00:00:00+08')::timestamptz);
        PERFORM transfer_records_guard_partition(partition_name);
        RETURN partition_name;
      END $$`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION "transfer_records_ensure_partition"(date) FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION "transfer_records_ensure_partition"(date) TO registry_app`);
    await queryRunner.query(`CREATE TABLE "transfer_records_default" PARTITION OF "transfer_records" DEFAULT`);
    await queryRunner.query(`SELECT "transfer_records_guard_partition"('transfer_records_default')`);
    // A partition for every month the existing records span, and for this month and the next ones.
    await queryRunner.query(
      `SELECT "transfer_records_ensure_partition"(m::date) FROM generate_series(
         date_trunc('month', COALESCE((SELECT min("recorded_at") AT TIME ZONE 'Asia/Hong_Kong' FROM "transfer_records_unpartitioned"), now() AT TIME ZONE 'Asia/Hong_Kong')),
         date_trunc('month', now() AT TIME ZONE 'Asia/Hong_Kong') + interval '${MONTHS_AHEAD} months', interval '1 month') AS m`,
    );
    await queryRunner.query(`INSERT INTO "transfer_records" SELECT * FROM "transfer_records_unpartitioned" ORDER BY "leaf_index"`);
    await queryRunner.query(`DROP TABLE "transfer_records_unpartitioned"`);

    await this.archives(queryRunner);
  }

  private async archives(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ledger_archives" (
      "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      "partition_name" text NOT NULL UNIQUE,
      "month" date NOT NULL,
      "file_path" text NOT NULL,
      "sha256" text NOT NULL CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
      "size_bytes" bigint NOT NULL,
      "first_leaf_index" bigint NOT NULL,
      "last_leaf_index" bigint NOT NULL,
      "leaf_count" bigint NOT NULL CHECK ("leaf_count" > 0),
      "checkpoint_size" bigint NOT NULL,
      "checkpoint_note" text NOT NULL,
      "archived_at" timestamptz NOT NULL DEFAULT now(),
      CHECK ("first_leaf_index" <= "last_leaf_index" AND "last_leaf_index" < "checkpoint_size")
    )`);
    await queryRunner.query(`CREATE TABLE "ledger_archived_leaves" (
      "leaf_index" bigint NOT NULL,
      "leaf_hash" bytea NOT NULL CHECK (octet_length("leaf_hash") = 32),
      "processor_id" uuid NOT NULL,
      "recipient_id" uuid NOT NULL,
      "archive_id" bigint NOT NULL REFERENCES "ledger_archives" ("id"),
      CONSTRAINT "pk_ledger_archived_leaves" PRIMARY KEY ("leaf_index")
    )`);
    for (const table of ['ledger_archives', 'ledger_archived_leaves']) {
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "${table}" FROM registry_app`);
      await queryRunner.query(`GRANT SELECT, INSERT ON "${table}" TO registry_app`);
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_update_delete" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"()`,
      );
    }
    // R18: a partition is detached only once its archive is recorded and its leaf hashes kept, in the same transaction.
    await queryRunner.query(`CREATE FUNCTION "ledger_detach_archived_partition"(name text) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        archive ledger_archives%ROWTYPE;
        missing bigint;
      BEGIN
        IF name = 'transfer_records_default' OR NOT EXISTS (
          SELECT FROM pg_inherits WHERE inhparent = 'transfer_records'::regclass AND inhrelid = to_regclass(name)) THEN
          RAISE EXCEPTION '% is not a monthly partition of transfer_records', name USING ERRCODE = '42501';
        END IF;
        SELECT * INTO archive FROM ledger_archives WHERE partition_name = name;
        IF NOT FOUND THEN RAISE EXCEPTION 'partition % has no recorded archive', name USING ERRCODE = '42501'; END IF;
        EXECUTE format('SELECT count(*) FROM %I t WHERE NOT EXISTS (SELECT FROM ledger_archived_leaves a WHERE a.leaf_index = t.leaf_index AND a.archive_id = $1)', name)
          INTO missing USING archive.id;
        IF missing > 0 THEN RAISE EXCEPTION 'partition % has % records whose leaf hashes are not kept', name, missing USING ERRCODE = '42501'; END IF;
        EXECUTE format('ALTER TABLE transfer_records DETACH PARTITION %I', name);
      END $$`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION "ledger_detach_archived_partition"(text) FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION "ledger_detach_archived_partition"(text) TO registry_app`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "ledger_detach_archived_partition"(text)`);
    await queryRunner.query(`DROP TABLE "ledger_archived_leaves"`);
    await queryRunner.query(`DROP TABLE "ledger_archives"`);
    await queryRunner.query(`CREATE TABLE "transfer_records_unpartitioned" (LIKE "transfer_records" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await queryRunner.query(`INSERT INTO "transfer_records_unpartitioned" SELECT * FROM "transfer_records" ORDER BY "leaf_index"`);
    await queryRunner.query(`DROP TABLE "transfer_records"`);
    await queryRunner.query(`DROP FUNCTION "transfer_records_ensure_partition"(date)`);
    await queryRunner.query(`DROP FUNCTION "transfer_records_guard_partition"(text)`);
    await queryRunner.query(`ALTER TABLE "transfer_records_unpartitioned" RENAME TO "transfer_records"`);
    await queryRunner.query(`ALTER TABLE "transfer_records" ADD CONSTRAINT "pk_transfer_records" PRIMARY KEY ("leaf_index")`);
  }
}
