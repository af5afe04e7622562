import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The three facts a transfer group is written expected from (src/transfers/transfer-ingestion.ts, writeExpected), each
 * as a function, so that the group's check statement is three calls rather than three subqueries:
 *
 *  - `ledger_tree_size()`: the number of committed leaves, as `SELECT COALESCE(max(leaf_index) + 1, 0) FROM
 *    transfer_records` (src/ledger/ledger-nodes.ts, TREE_SIZE_SQL);
 *  - `contracts_revisions_unchanged(ids, revisions)`: every contract `ids[i]` (distinct) has revision `revisions[i]`;
 *  - `transfer_keys_none_stored(organisation_ids, idempotency_keys)`: no (organisation, key) pair is stored.
 *
 * Why functions: the check is sent as SQL text in a simple Query message (src/database/one-message.ts), so PostgreSQL
 * parsed and planned it for every group, and planning the maximum over the partitioned log opened every index of every
 * partition: 0.56 ms of planning for 0.21 ms of execution per group, the most expensive statement of a one-record
 * request's group after the COPY (pg_stat_statements, 2 December 2026; README, Performance). PL/pgSQL plans a
 * function's queries once per session and keeps them. The lookups are one primary-key probe per contract and per key,
 * so a plan made without the arrays' lengths cannot turn into a scan of the keys table.
 *
 * STABLE: their queries see the snapshot of the statement that calls them, as the subqueries did (the check is a
 * statement after the ledger lock's, so it sees everything committed before the lock was granted). SECURITY INVOKER
 * (the default), with the caller's privileges, and a fixed search_path, as registry_expect.
 */
export class ExpectationFunctions1795689300000 implements MigrationInterface {
  name = 'ExpectationFunctions1795689300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION "ledger_tree_size"() RETURNS bigint
      LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
      BEGIN
        RETURN (SELECT COALESCE(max(leaf_index) + 1, 0) FROM transfer_records);
      END $$`);
    await queryRunner.query(`CREATE FUNCTION "contracts_revisions_unchanged"(ids uuid[], revisions integer[]) RETURNS boolean
      LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
      BEGIN
        IF cardinality(ids) IS DISTINCT FROM cardinality(revisions) THEN
          RAISE EXCEPTION 'contracts_revisions_unchanged: % ids and % revisions', cardinality(ids), cardinality(revisions);
        END IF;
        FOR i IN 1 .. coalesce(cardinality(ids), 0) LOOP
          PERFORM FROM contracts WHERE id = ids[i] AND revision = revisions[i];
          IF NOT FOUND THEN
            RETURN false;
          END IF;
        END LOOP;
        RETURN true;
      END $$`);
    await queryRunner.query(`CREATE FUNCTION "transfer_keys_none_stored"(organisation_ids uuid[], idempotency_keys text[]) RETURNS boolean
      LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
      BEGIN
        IF cardinality(organisation_ids) IS DISTINCT FROM cardinality(idempotency_keys) THEN
          RAISE EXCEPTION 'transfer_keys_none_stored: % organisations and % keys', cardinality(organisation_ids), cardinality(idempotency_keys);
        END IF;
        FOR i IN 1 .. coalesce(cardinality(organisation_ids), 0) LOOP
          PERFORM FROM transfer_idempotency_keys WHERE organisation_id = organisation_ids[i] AND idempotency_key = idempotency_keys[i];
          IF FOUND THEN
            RETURN false;
          END IF;
        END LOOP;
        RETURN true;
      END $$`);
    for (const signature of FUNCTIONS) {
      await queryRunner.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`);
      await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${signature} TO registry_app`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const signature of FUNCTIONS) await queryRunner.query(`DROP FUNCTION ${signature}`);
  }
}

const FUNCTIONS = ['"ledger_tree_size"()', '"contracts_revisions_unchanged"(uuid[], integer[])', '"transfer_keys_none_stored"(uuid[], text[])'];
