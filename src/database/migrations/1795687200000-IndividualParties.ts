import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Individuals as parties (docs/rules.md#r1, docs/rules.md#r17) and parties' contact details. An individual's document
 * number is never stored: `identifier` holds its masked form and `identifier_digest` a keyed HMAC that recognises the
 * same person again, unique per identifier type. Masked forms may repeat, so the identifier's uniqueness is now for
 * organisations only. Existing rows are organisations.
 */
export class IndividualParties1795687200000 implements MigrationInterface {
  name = 'IndividualParties1795687200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "organisations" ADD "party_type" text NOT NULL DEFAULT 'ORGANISATION'`);
    await queryRunner.query(`ALTER TABLE "organisations" ADD "identifier_digest" text`);
    await queryRunner.query(`ALTER TABLE "organisations" ADD "address" text`);
    await queryRunner.query(`ALTER TABLE "organisations" ADD "contact_person" text`);
    await queryRunner.query(`ALTER TABLE "organisations" ADD "telephone" text`);
    await queryRunner.query(`ALTER TABLE "organisations" ADD "email" text`);
    await queryRunner.query(`DROP INDEX "public"."uq_organisations_identifier"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_organisations_identifier" ON "organisations" ("identifier_type", "identifier") WHERE "party_type" = 'ORGANISATION'`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_organisations_identifier_digest" ON "organisations" ("identifier_type", "identifier_digest") `);
    await queryRunner.query(
      `ALTER TABLE "organisations" ADD CONSTRAINT "ck_organisations_individual_digest" CHECK ("party_type" = 'ORGANISATION' OR "identifier_digest" IS NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Individuals cannot be kept without these columns, and parties are never dropped silently.
    const [{ individuals }] = (await queryRunner.query(
      `SELECT count(*)::int AS individuals FROM "organisations" WHERE "party_type" <> 'ORGANISATION'`,
    )) as Array<{ individuals: number }>;
    if (individuals > 0) throw new Error(`IndividualParties cannot be reverted: ${individuals} individual parties are registered`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP CONSTRAINT "ck_organisations_individual_digest"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organisations_identifier_digest"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organisations_identifier"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_organisations_identifier" ON "organisations" ("identifier_type", "identifier") `);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "email"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "telephone"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "contact_person"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "address"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "identifier_digest"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "party_type"`);
  }
}
