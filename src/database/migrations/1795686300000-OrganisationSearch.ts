import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search of organisations by name and identifier (docs/api.md#organisations-and-reference-data): pg_trgm (a contrib extension shipped
 * with PostgreSQL) indexes English and Chinese names for contains-matches of three characters or more; btree
 * text_pattern_ops indexes answer prefixes (identifiers, and one- or two-character Chinese names, which yield no trigram).
 */
export class OrganisationSearch1795686300000 implements MigrationInterface {
  name = 'OrganisationSearch1795686300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`CREATE INDEX "ix_organisations_name_trgm" ON "organisations" USING gin (lower("legal_name") gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX "ix_organisations_name_zh_trgm" ON "organisations" USING gin ("legal_name_zh" gin_trgm_ops)`);
    await queryRunner.query(`CREATE INDEX "ix_organisations_name_prefix" ON "organisations" (lower("legal_name") text_pattern_ops)`);
    await queryRunner.query(`CREATE INDEX "ix_organisations_name_zh_prefix" ON "organisations" ("legal_name_zh" text_pattern_ops)`);
    await queryRunner.query(`CREATE INDEX "ix_organisations_identifier_prefix" ON "organisations" ("identifier" text_pattern_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_identifier_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_name_zh_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_name_prefix"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_name_zh_trgm"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organisations_name_trgm"`);
  }
}
