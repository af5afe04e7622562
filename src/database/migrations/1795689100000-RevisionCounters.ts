import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The revisions POST /contracts plans a filing with and checks again in its insert (docs/architecture.md,
 * "Filing a contract"), as one counter per owning module instead of a digest of whole tables read on every
 * filing: `rollout_revision` (owned by the rollout module), `calendar_revision` (the calendar module) and
 * `rules_revision` (the rules module), one row each. A statement-level trigger on each table the module's
 * rules are read from bumps its counter in the writing transaction, so a change counts however it is made:
 * through the API, by a later migration or by hand in SQL. The application's role reads the counters and
 * never writes them; the trigger functions run as their owner.
 *
 * No trigger is on rollout_sector_counters or any table the transfer log writes while ingesting: one counter
 * row would then serialise ingestion, and no filing rule reads them.
 */
const COUNTERS: Record<string, string[]> = {
  rollout_revision: [
    'rollout_regimes',
    'rollout_phases',
    'rollout_phase_sectors',
    'rollout_authorities',
    'rollout_authority_names',
    'rollout_regime_sides',
    'rollout_filing_materials',
  ],
  calendar_revision: ['calendar_overrides', 'calendar_jurisdictions'],
  rules_revision: ['rule_settings'],
};

export class RevisionCounters1795689100000 implements MigrationInterface {
  name = 'RevisionCounters1795689100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [counter, tables] of Object.entries(COUNTERS)) {
      await queryRunner.query(`CREATE TABLE "${counter}" (
        "one" boolean NOT NULL DEFAULT true,
        "revision" bigint NOT NULL,
        CONSTRAINT "pk_${counter}" PRIMARY KEY ("one"),
        CONSTRAINT "ck_${counter}_one_row" CHECK ("one"))`);
      await queryRunner.query(`INSERT INTO "${counter}" ("revision") VALUES (1)`);
      await queryRunner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "${counter}" FROM registry_app`);
      await queryRunner.query(`GRANT SELECT ON "${counter}" TO registry_app`);
      await queryRunner.query(`CREATE FUNCTION "${counter}_bump"() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
          UPDATE ${counter} SET revision = revision + 1;
          RETURN NULL;
        END $$`);
      await queryRunner.query(`REVOKE ALL ON FUNCTION "${counter}_bump"() FROM PUBLIC`);
      for (const table of tables) {
        await queryRunner.query(
          `CREATE TRIGGER "${table}_bump_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "${counter}_bump"()`,
        );
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [counter, tables] of Object.entries(COUNTERS).reverse()) {
      for (const table of tables) await queryRunner.query(`DROP TRIGGER "${table}_bump_revision" ON "${table}"`);
      await queryRunner.query(`DROP FUNCTION "${counter}_bump"()`);
      await queryRunner.query(`DROP TABLE "${counter}"`);
    }
  }
}
