import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A regime's sides as data (docs/rules.md#r16): the authorities with their names over time (R8), each regime's
 * side with its filing authority and its filing, review and resubmission windows in working days (R8, R11),
 * and the filing materials per regime, side and party type (R10). Seeded with what the code held before:
 * GBA_MAINLAND_HK and GBA_MAINLAND_MACAO, 10 working days to file (R8) and to resubmit (R11 [A]), no review
 * window (R11: none published), the same three materials on every side (R10: confirmed for Hong Kong only).
 */
export class RegimeSides1795688200000 implements MigrationInterface {
  name = 'RegimeSides1795688200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rollout_authorities" (
      "code" text NOT NULL,
      "jurisdiction" text NOT NULL,
      "read_only" boolean NOT NULL DEFAULT false,
      "filing_number_prefix" text,
      "source" text,
      CONSTRAINT "PK_rollout_authorities" PRIMARY KEY ("code"),
      CONSTRAINT "ck_rollout_authorities_code" CHECK ("code" ~ '^[A-Z][A-Z0-9_]*$'),
      CONSTRAINT "ck_rollout_authorities_prefix" CHECK ("filing_number_prefix" ~ '^[A-Z]+$'),
      CONSTRAINT "ck_rollout_authorities_files" CHECK (NOT ("read_only" AND "filing_number_prefix" IS NOT NULL)))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_rollout_authorities_prefix" ON "rollout_authorities" ("filing_number_prefix")`);
    await queryRunner.query(`CREATE TABLE "rollout_authority_names" (
      "authority" text NOT NULL,
      "valid_from" date NOT NULL DEFAULT '1900-01-01',
      "name_en" text NOT NULL,
      "name_zh_hant" text NOT NULL,
      "name_zh_hans" text NOT NULL,
      "source" text,
      CONSTRAINT "PK_rollout_authority_names" PRIMARY KEY ("authority", "valid_from"),
      CONSTRAINT "fk_rollout_authority_names_authority" FOREIGN KEY ("authority") REFERENCES "rollout_authorities"("code") ON DELETE CASCADE)`);
    await queryRunner.query(`CREATE TABLE "rollout_regime_sides" (
      "regime_code" text NOT NULL,
      "jurisdiction" text NOT NULL,
      "filing_authority" text NOT NULL,
      "filing_working_days" integer NOT NULL,
      "review_working_days" integer,
      "resubmission_working_days" integer NOT NULL,
      "source" text,
      CONSTRAINT "PK_rollout_regime_sides" PRIMARY KEY ("regime_code", "jurisdiction"),
      CONSTRAINT "fk_rollout_regime_sides_regime" FOREIGN KEY ("regime_code") REFERENCES "rollout_regimes"("code") ON DELETE CASCADE,
      CONSTRAINT "fk_rollout_regime_sides_authority" FOREIGN KEY ("filing_authority") REFERENCES "rollout_authorities"("code"),
      CONSTRAINT "ck_rollout_regime_sides_windows" CHECK ("filing_working_days" BETWEEN 1 AND 365 AND "resubmission_working_days" BETWEEN 1 AND 365
        AND ("review_working_days" IS NULL OR "review_working_days" BETWEEN 1 AND 365)))`);
    await queryRunner.query(`CREATE TABLE "rollout_filing_materials" (
      "regime_code" text NOT NULL,
      "jurisdiction" text NOT NULL,
      "party_type" text NOT NULL,
      "kind" text NOT NULL,
      "position" integer NOT NULL,
      "confirmed" boolean NOT NULL DEFAULT false,
      "source" text,
      CONSTRAINT "PK_rollout_filing_materials" PRIMARY KEY ("regime_code", "jurisdiction", "party_type", "kind"),
      CONSTRAINT "fk_rollout_filing_materials_side" FOREIGN KEY ("regime_code", "jurisdiction") REFERENCES "rollout_regime_sides"("regime_code", "jurisdiction") ON DELETE CASCADE,
      CONSTRAINT "ck_rollout_filing_materials_kind" CHECK ("kind" ~ '^[A-Z][A-Z0-9_]*$'))`);

    await queryRunner.query(`INSERT INTO "rollout_authorities" ("code", "jurisdiction", "read_only", "filing_number_prefix", "source") VALUES
      ('GD_CAC', 'MAINLAND', false, 'GDCAC', 'Implementation Guidelines (CAC, ITIB, 13 Dec 2023): the Mainland party files with the Cyberspace Administration of Guangdong Province'),
      ('HK_DPO', 'HONG_KONG', false, 'HKDPO', 'Implementation Guidelines (CAC, ITIB, 13 Dec 2023); HKSAR Government press release of 25 Jul 2024 (the DPO formed from the OGCIO and the Efficiency Office)'),
      ('HK_PCPD', 'HONG_KONG', true, NULL, 'Personal Data (Privacy) Ordinance (Cap. 486): the PCPD audits the Hong Kong side; it receives no filings'),
      ('MO_DSPDP', 'MACAO', false, 'MODSPDP', 'CAC and Macao SAR Government: the Standard Contract (Mainland, Macao) from 10 Sep 2024; the Macao party files with the Personal Data Protection Bureau')
      ON CONFLICT ("code") DO NOTHING`);
    await queryRunner.query(`INSERT INTO "rollout_authority_names" ("authority", "valid_from", "name_en", "name_zh_hant", "name_zh_hans", "source") VALUES
      ('GD_CAC', '1900-01-01', 'Cyberspace Administration of Guangdong Province', '廣東省互聯網信息辦公室', '广东省互联网信息办公室', NULL),
      ('HK_DPO', '1900-01-01', 'Office of the Government Chief Information Officer (OGCIO)', '政府資訊科技總監辦公室', '政府资讯科技总监办公室', 'OGCIO fact sheet, Dec 2023'),
      ('HK_DPO', '2024-07-25', 'Digital Policy Office (DPO)', '數字政策辦公室', '数字政策办公室', 'HKSAR Government press release, 25 Jul 2024'),
      ('HK_PCPD', '1900-01-01', 'Office of the Privacy Commissioner for Personal Data (PCPD)', '個人資料私隱專員公署', '个人资料私隐专员公署', NULL),
      ('MO_DSPDP', '1900-01-01', 'Personal Data Protection Bureau (DSPDP)', '個人資料保護局', '个人资料保护局', NULL)
      ON CONFLICT DO NOTHING`);
    await queryRunner.query(`INSERT INTO "rollout_regime_sides"
      ("regime_code", "jurisdiction", "filing_authority", "filing_working_days", "review_working_days", "resubmission_working_days", "source")
      SELECT r.code, s.jurisdiction, s.authority, 10, NULL, 10,
        'R8 [C]: filed within 10 working days of the effective date; R11 [A]: resubmission within 10 working days (national filing guide, by analogy); no review window published'
      FROM (VALUES ('GBA_MAINLAND_HK', 'MAINLAND', 'GD_CAC'), ('GBA_MAINLAND_HK', 'HONG_KONG', 'HK_DPO'),
                   ('GBA_MAINLAND_MACAO', 'MAINLAND', 'GD_CAC'), ('GBA_MAINLAND_MACAO', 'MACAO', 'MO_DSPDP')) AS s(regime, jurisdiction, authority)
      JOIN "rollout_regimes" r ON r.code = s.regime
      ON CONFLICT DO NOTHING`);
    await queryRunner.query(`INSERT INTO "rollout_filing_materials" ("regime_code", "jurisdiction", "party_type", "kind", "position", "confirmed", "source")
      SELECT s.regime_code, s.jurisdiction, m.party_type, m.kind, m.position,
        s.regime_code = 'GBA_MAINLAND_HK' AND s.jurisdiction = 'HONG_KONG' AND m.party_type = 'ORGANISATION',
        CASE WHEN s.regime_code = 'GBA_MAINLAND_HK' AND s.jurisdiction = 'HONG_KONG' AND m.party_type = 'ORGANISATION'
          THEN 'OGCIO fact sheet, Dec 2023 (CRNTT)'
          ELSE 'assumed the same as Hong Kong''s (no published list); an individual has no legal representative' END
      FROM "rollout_regime_sides" s
      CROSS JOIN (VALUES ('ORGANISATION', 'LEGAL_REPRESENTATIVE_ID', 1), ('ORGANISATION', 'LETTER_OF_UNDERTAKING', 2), ('ORGANISATION', 'SIGNED_CONTRACT', 3),
                         ('INDIVIDUAL', 'LETTER_OF_UNDERTAKING', 1), ('INDIVIDUAL', 'SIGNED_CONTRACT', 2)) AS m(party_type, kind, position)
      ON CONFLICT DO NOTHING`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rollout_filing_materials"`);
    await queryRunner.query(`DROP TABLE "rollout_regime_sides"`);
    await queryRunner.query(`DROP TABLE "rollout_authority_names"`);
    await queryRunner.query(`DROP TABLE "rollout_authorities"`);
  }
}
