import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R16 (docs/rules.md#r16): the Mainland–Macao Standard Contract, GBA_MAINLAND_MACAO, between the
 * MAINLAND and MACAO sides, open to contracts effective from 2024-09-10 (the CAC and the Macao
 * SAR Government's announcement of the Standard Contract for the Cross-boundary Flow of Personal
 * Information within the Greater Bay Area (Mainland, Macao)). No sector phases are published for
 * it, so its one phase opens every sector (R15 applies to the Mainland–Hong Kong regime only).
 */
export class MacaoRegime1795686100000 implements MigrationInterface {
  name = 'MacaoRegime1795686100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "rollout_regimes" ("code", "name", "name_zh", "sides", "opens_on") VALUES
      ('GBA_MAINLAND_MACAO', 'Standard Contract for Cross-boundary Flow of Personal Information Within the Guangdong-Hong Kong-Macao Greater Bay Area (Mainland, Macao)',
       '粵港澳大灣區（內地、澳門）個人信息跨境流動標準合同', '{MAINLAND,MACAO}', '2024-09-10')
      ON CONFLICT ("code") DO NOTHING`);
    await queryRunner.query(`INSERT INTO "rollout_phases" ("regime_code", "number", "name", "opens_on", "all_sectors")
      SELECT 'GBA_MAINLAND_MACAO', 1, 'All sectors', '2024-09-10', true
      WHERE NOT EXISTS (SELECT 1 FROM "rollout_phases" WHERE "regime_code" = 'GBA_MAINLAND_MACAO')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "rollout_phases" WHERE "regime_code" = 'GBA_MAINLAND_MACAO'`);
    await queryRunner.query(`DELETE FROM "rollout_regimes" WHERE "code" = 'GBA_MAINLAND_MACAO'`);
  }
}
