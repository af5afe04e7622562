import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ledger_checkpoints.signed_by: the instance (INSTANCE_ID) that signed and stored each checkpoint, so an
 * operator sees which instance led the signing when (docs/scaling.md#several-instances). Null for checkpoints
 * stored before this migration. Not part of the signed note: the note and its compare-and-swap are unchanged.
 */
export class CheckpointSigner1795685800000 implements MigrationInterface {
  name = 'CheckpointSigner1795685800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ledger_checkpoints" ADD COLUMN "signed_by" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ledger_checkpoints" DROP COLUMN "signed_by"`);
  }
}
