import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sides of the boundary as data (docs/rules.md#r16): jurisdictions with their direction codes (R2), their
 * cities (R1) and the identifier schemes of their parties (R17), owned by the organisations module; and, owned by
 * the calendar module, the working-day calendar of a jurisdiction that has no calendar in code (R9): its weekly
 * rest days and the years whose public holidays are in calendar_overrides as CLOSURE days. Seeded with what
 * src/organisations/gba.ts held: MAINLAND (the nine cities, USCC), HONG_KONG (BRN), MACAO (commercial registration
 * number), and the identity documents of individuals on any side. A scheme with a `format` is checked against it;
 * one without is checked by code (src/organisations/identifiers.ts: check characters no pattern expresses).
 */
export class Jurisdictions1795688200001 implements MigrationInterface {
  name = 'Jurisdictions1795688200001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "organisation_jurisdictions" (
      "code" text NOT NULL,
      "direction_code" text NOT NULL,
      "name_en" text NOT NULL,
      "name_zh_hant" text NOT NULL,
      "name_zh_hans" text NOT NULL,
      "position" integer NOT NULL DEFAULT 100,
      "source" text,
      CONSTRAINT "PK_organisation_jurisdictions" PRIMARY KEY ("code"),
      CONSTRAINT "uq_organisation_jurisdictions_direction" UNIQUE ("direction_code"),
      CONSTRAINT "ck_organisation_jurisdictions_code" CHECK ("code" ~ '^[A-Z][A-Z0-9_]*$' AND "direction_code" ~ '^[A-Z][A-Z0-9]*$'))`);
    await queryRunner.query(`CREATE TABLE "organisation_cities" (
      "code" text NOT NULL,
      "jurisdiction" text NOT NULL,
      "name_en" text NOT NULL,
      "name_zh_hant" text NOT NULL,
      "name_zh_hans" text NOT NULL,
      "position" integer NOT NULL DEFAULT 100,
      CONSTRAINT "PK_organisation_cities" PRIMARY KEY ("code"),
      CONSTRAINT "fk_organisation_cities_jurisdiction" FOREIGN KEY ("jurisdiction") REFERENCES "organisation_jurisdictions"("code"),
      CONSTRAINT "ck_organisation_cities_code" CHECK ("code" ~ '^[A-Z][A-Z0-9_]*$'))`);
    await queryRunner.query(`CREATE TABLE "organisation_identifier_schemes" (
      "code" text NOT NULL,
      "party_type" text NOT NULL,
      "jurisdiction" text,
      "format" text,
      "name_en" text NOT NULL,
      "name_zh_hant" text NOT NULL,
      "name_zh_hans" text NOT NULL,
      "position" integer NOT NULL DEFAULT 100,
      "source" text,
      CONSTRAINT "PK_organisation_identifier_schemes" PRIMARY KEY ("code"),
      CONSTRAINT "fk_organisation_identifier_schemes_jurisdiction" FOREIGN KEY ("jurisdiction") REFERENCES "organisation_jurisdictions"("code"),
      CONSTRAINT "ck_organisation_identifier_schemes_party" CHECK ("party_type" IN ('ORGANISATION', 'INDIVIDUAL')),
      CONSTRAINT "ck_organisation_identifier_schemes_side" CHECK ("party_type" = 'INDIVIDUAL' OR "jurisdiction" IS NOT NULL))`);
    await queryRunner.query(`CREATE TABLE "calendar_jurisdictions" (
      "jurisdiction" text NOT NULL,
      "rest_days" integer array NOT NULL DEFAULT '{0,6}',
      "published_years" integer array NOT NULL DEFAULT '{}',
      "source" text,
      CONSTRAINT "PK_calendar_jurisdictions" PRIMARY KEY ("jurisdiction"),
      CONSTRAINT "ck_calendar_jurisdictions_rest_days" CHECK ("rest_days" <@ '{0,1,2,3,4,5,6}'::integer[]))`);

    await queryRunner.query(`INSERT INTO "organisation_jurisdictions" ("code", "direction_code", "name_en", "name_zh_hant", "name_zh_hans", "position", "source") VALUES
      ('MAINLAND', 'MAINLAND', 'Mainland', '內地', '内地', 1, 'Outline Development Plan for the GBA (State Council, 2019), ch. 1'),
      ('HONG_KONG', 'HK', 'Hong Kong', '香港', '香港', 2, 'Outline Development Plan for the GBA (State Council, 2019), ch. 1'),
      ('MACAO', 'MACAO', 'Macao', '澳門', '澳门', 3, 'Outline Development Plan for the GBA (State Council, 2019), ch. 1')
      ON CONFLICT DO NOTHING`);
    await queryRunner.query(`INSERT INTO "organisation_cities" ("code", "jurisdiction", "name_en", "name_zh_hant", "name_zh_hans", "position") VALUES
      ('GUANGZHOU', 'MAINLAND', 'Guangzhou', '廣州', '广州', 1), ('SHENZHEN', 'MAINLAND', 'Shenzhen', '深圳', '深圳', 2),
      ('ZHUHAI', 'MAINLAND', 'Zhuhai', '珠海', '珠海', 3), ('FOSHAN', 'MAINLAND', 'Foshan', '佛山', '佛山', 4),
      ('HUIZHOU', 'MAINLAND', 'Huizhou', '惠州', '惠州', 5), ('DONGGUAN', 'MAINLAND', 'Dongguan', '東莞', '东莞', 6),
      ('ZHONGSHAN', 'MAINLAND', 'Zhongshan', '中山', '中山', 7), ('JIANGMEN', 'MAINLAND', 'Jiangmen', '江門', '江门', 8),
      ('ZHAOQING', 'MAINLAND', 'Zhaoqing', '肇慶', '肇庆', 9), ('HONG_KONG', 'HONG_KONG', 'Hong Kong', '香港', '香港', 10),
      ('MACAO', 'MACAO', 'Macao', '澳門', '澳门', 11)
      ON CONFLICT DO NOTHING`);
    await queryRunner.query(`INSERT INTO "organisation_identifier_schemes" ("code", "party_type", "jurisdiction", "format", "name_en", "name_zh_hant", "name_zh_hans", "position", "source") VALUES
      ('USCC', 'ORGANISATION', 'MAINLAND', NULL, 'Unified Social Credit Code', '統一社會信用代碼', '统一社会信用代码', 1, 'GB 32100-2015; GB 11714-1997'),
      ('HK_BRN', 'ORGANISATION', 'HONG_KONG', NULL, 'Business Registration Number', '商業登記號碼', '商业登记号码', 2, 'Business Registration Ordinance (Cap. 310)'),
      ('MO_CRN', 'ORGANISATION', 'MACAO', NULL, 'Commercial registration number (Macao)', '商業登記編號', '商业登记编号', 3, 'Commercial Registration Code (Decree-Law 56/99/M)'),
      ('HKID', 'INDIVIDUAL', NULL, NULL, 'Hong Kong Identity Card', '香港身份證', '香港身份证', 4, 'Registration of Persons Regulations (Cap. 177A)'),
      ('PRC_RESIDENT_ID', 'INDIVIDUAL', NULL, NULL, 'Resident Identity Card (PRC)', '居民身份證', '居民身份证', 5, 'GB 11643-1999'),
      ('PASSPORT', 'INDIVIDUAL', NULL, NULL, 'Passport', '護照', '护照', 6, 'ICAO Doc 9303 Part 3')
      ON CONFLICT DO NOTHING`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "calendar_jurisdictions"`);
    await queryRunner.query(`DROP TABLE "organisation_identifier_schemes"`);
    await queryRunner.query(`DROP TABLE "organisation_cities"`);
    await queryRunner.query(`DROP TABLE "organisation_jurisdictions"`);
  }
}
