import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monthly transfer figures (docs/api.md#transfer-figures): transfer_figures rolls the transfer log up per month in
 * Hong Kong time (UTC+8), processor's sector, direction and the parties' sides. The ingest adds to it in the
 * transaction that appends the records; this migration fills it from the records already logged, holding off
 * appends meanwhile (SHARE lock on transfer_records) so no record is counted twice or missed.
 */
export class TransferFigures1795687500000 implements MigrationInterface {
  name = 'TransferFigures1795687500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "transfer_figures" (
      "month" date NOT NULL,
      "sector" text NOT NULL,
      "direction" text NOT NULL,
      "processor_jurisdiction" text NOT NULL,
      "recipient_jurisdiction" text NOT NULL,
      "transfers" bigint NOT NULL DEFAULT 0,
      "records" bigint NOT NULL DEFAULT 0,
      "data_subjects" bigint NOT NULL DEFAULT 0,
      "flagged_transfers" bigint NOT NULL DEFAULT 0,
      CONSTRAINT "pk_transfer_figures" PRIMARY KEY ("month", "sector", "direction", "processor_jurisdiction", "recipient_jurisdiction")
    )`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON "transfer_figures" TO registry_app`);
    await queryRunner.query(`REVOKE DELETE, TRUNCATE ON "transfer_figures" FROM registry_app`);
    await queryRunner.query(`LOCK TABLE "transfer_records" IN SHARE MODE`);
    // The month in Hong Kong: UTC+8 all year, as hongKongMonthOf in src/transfers/figures.ts.
    await queryRunner.query(`INSERT INTO "transfer_figures"
      SELECT date_trunc('month', (occurred_at AT TIME ZONE 'UTC') + interval '8 hours')::date, sector, direction,
             processor_jurisdiction, recipient_jurisdiction,
             count(*), sum(record_count), sum(data_subject_count), count(*) FILTER (WHERE flags <> '{}')
        FROM "transfer_records"
       GROUP BY 1, 2, 3, 4, 5`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "transfer_figures"`);
  }
}
