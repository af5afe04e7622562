import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rules as data (docs/rules.md#rules-as-data): the settings of R5 (storage location), R6 (PIPIA before the first
 * transfer) and R15 (whose sector the rollout gate checks), and the R12 re-filing triggers, each with its source
 * (a short name of docs/rules.md#sources, or "assumption") and its confidence, C or A. A SYSTEM_ADMIN changes
 * them through PUT /rules/settings/:code and PUT /rules/refiling-triggers/:code; a later migration may too.
 */
export class DataRules1795688000000 implements MigrationInterface {
  name = 'DataRules1795688000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rule_settings" (
      "code" text NOT NULL,
      "regime" text NOT NULL DEFAULT '*',
      "value" text NOT NULL,
      "source" text NOT NULL,
      "confidence" text NOT NULL,
      "label_en" text NOT NULL,
      "label_zh_hant" text NOT NULL,
      "label_zh_hans" text NOT NULL,
      "updated_by" uuid,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_rule_settings" PRIMARY KEY ("code", "regime")
    )`);
    await queryRunner.query(`CREATE TABLE "refiling_triggers" (
      "code" text NOT NULL,
      "field" text NOT NULL,
      "change" text NOT NULL,
      "active" boolean NOT NULL DEFAULT true,
      "source" text NOT NULL,
      "confidence" text NOT NULL,
      "label_en" text NOT NULL,
      "label_zh_hant" text NOT NULL,
      "label_zh_hans" text NOT NULL,
      "updated_by" uuid,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "pk_refiling_triggers" PRIMARY KEY ("code")
    )`);
    await queryRunner.query(`INSERT INTO "rule_settings" ("code", "regime", "value", "source", "confidence", "label_en", "label_zh_hant", "label_zh_hans") VALUES
      ('STORAGE_LOCATION', '*', 'REFUSE', 'assumption', 'A',
       'Storage location inside the GBA', '存儲地點須在大灣區內', '存储地点须在大湾区内'),
      ('PIPIA_BEFORE', '*', 'FIRST_TRANSFER', 'Law-firm summaries: Bird & Bird; longangz.com', 'C',
       'PIPIA completed before the first transfer', '首次傳輸前完成個人信息保護影響評估', '首次传输前完成个人信息保护影响评估'),
      ('SECTOR_GATE_PARTY', '*', 'PROCESSOR', 'assumption', 'A',
       'Whose sector must be open (rollout gate)', '須已開放的行業所屬一方', '须已开放的行业所属一方')
      ON CONFLICT DO NOTHING`);
    const clyde = 'Law-firm summaries: Clyde & Co (May 2024)';
    await queryRunner.query(
      `INSERT INTO "refiling_triggers" ("code", "field", "change", "source", "confidence", "label_en", "label_zh_hant", "label_zh_hans") VALUES
      ('PURPOSE_ADDED', 'annex.purposes', 'ADDED', $1, 'C', 'Purpose added', '新增處理目的', '新增处理目的'),
      ('PROCESSING_METHOD_ADDED', 'annex.processingMethods', 'ADDED', $1, 'C', 'Processing method added', '新增處理方式', '新增处理方式'),
      ('DATA_SUBJECT_CATEGORY_ADDED', 'annex.dataSubjectCategories', 'ADDED', 'assumption', 'A', 'Data-subject category added', '新增個人信息主體類別', '新增个人信息主体类别'),
      ('PERSONAL_INFORMATION_CATEGORY_ADDED', 'annex.personalInformationCategories', 'ADDED', $1, 'C', 'Personal-information category added', '新增個人信息種類', '新增个人信息种类'),
      ('SENSITIVE_CATEGORY_ADDED', 'annex.sensitiveCategories', 'ADDED', 'assumption', 'A', 'Sensitive category added', '新增敏感個人信息種類', '新增敏感个人信息种类'),
      ('ONWARD_RECIPIENT_ADDED', 'annex.onwardRecipients', 'ADDED', 'assumption', 'A', 'Onward recipient added', '新增再提供的接收方', '新增再提供的接收方'),
      ('RETENTION_EXTENDED', 'annex.retentionPeriod.to', 'EXTENDED', 'assumption', 'A', 'Retention period extended', '延長保存期限', '延长保存期限'),
      ('STORAGE_LOCATION_CHANGED', 'annex.storageLocation.city', 'CHANGED', 'assumption', 'A', 'Storage location changed', '變更存儲地點', '变更存储地点'),
      ('TRANSFER_METHOD_CHANGED', 'annex.transferMethod', 'CHANGED', 'assumption', 'A', 'Transfer method changed', '變更傳輸方式', '变更传输方式')
      ON CONFLICT DO NOTHING`,
      [clyde],
    );
    // Each amendment keeps the verdict it was given: the triggers it met and why (the triggers may change later).
    await queryRunner.query(`ALTER TABLE "contract_versions" ADD "refiling_reason" text, ADD "refiling_triggers" jsonb`);
    // Amendments recorded before: the verdict of the time (any change to a listed field triggered), approximated by the
    // changed fields of that list.
    await queryRunner.query(`UPDATE "contract_versions" v SET
        "refiling_reason" = 'Recorded before the re-filing triggers were data: re-filing was '
          || CASE WHEN v.refiling_required THEN 'required' ELSE 'not required' END || ' under the rule of the time (R12).',
        "refiling_triggers" = (
          SELECT coalesce(jsonb_agg(jsonb_build_object('code', 'BEFORE_DATA_RULES', 'field', f.field, 'change', 'CHANGED',
                                                       'source', 'assumption', 'confidence', 'A') ORDER BY f.ord), '[]'::jsonb)
            FROM jsonb_array_elements_text(v.changed_fields) WITH ORDINALITY AS f(field, ord)
           WHERE v.refiling_required AND f.field IN ('annex.purposes', 'annex.processingMethods', 'annex.dataSubjectCategories',
             'annex.personalInformationCategories', 'annex.sensitiveCategories', 'annex.onwardRecipients', 'annex.transferMethod',
             'annex.retentionPeriod.to', 'annex.storageLocation.city'))
      WHERE v.version > 1`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contract_versions" DROP COLUMN "refiling_triggers", DROP COLUMN "refiling_reason"`);
    await queryRunner.query(`DROP TABLE "refiling_triggers"`);
    await queryRunner.query(`DROP TABLE "rule_settings"`);
  }
}
