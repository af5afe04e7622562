import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R9/R11 (docs/rules.md#r9): a resubmission deadline counted through a year with no official
 * calendar in the data is provisional, as a filing deadline is. Null while there is no
 * resubmission deadline; filings returned before this column existed stay null.
 */
export class ResubmissionProvisional1795685700000 implements MigrationInterface {
  name = 'ResubmissionProvisional1795685700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "filings" ADD "resubmission_provisional" boolean`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "filings" DROP COLUMN "resubmission_provisional"`);
  }
}
