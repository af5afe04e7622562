import { MigrationInterface, QueryRunner } from 'typeorm';

export class Contracts1795684449553 implements MigrationInterface {
  name = 'Contracts1795684449553';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "contracts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "regime" text NOT NULL, "processor_id" uuid NOT NULL, "recipient_id" uuid NOT NULL, "processor_jurisdiction" text NOT NULL, "recipient_jurisdiction" text NOT NULL, "processor_sector" text NOT NULL, "direction" text NOT NULL, "latest_version" integer NOT NULL, "filing_version" integer NOT NULL, "revision" integer NOT NULL DEFAULT '1', "terminated_on" date, "termination_reason" text, "terminated_by_organisation_id" uuid, "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2c7b8f3a7b1acdd49497d83d0fb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contracts_created" ON "contracts"  ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_contracts_recipient" ON "contracts"  ("recipient_id") `);
    await queryRunner.query(`CREATE INDEX "ix_contracts_processor" ON "contracts"  ("processor_id") `);
    await queryRunner.query(
      `CREATE TABLE "contract_history" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "contract_id" uuid NOT NULL, "action" text NOT NULL, "version" integer, "party" text, "from_status" text, "to_status" text, "actor_id" uuid, "actor_kind" text NOT NULL, "actor_role" text NOT NULL, "actor_organisation_id" uuid, "actor_authority" text, "details" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_237093a8ac0e3a8c7b1ea04651e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contract_history_contract" ON "contract_history"  ("contract_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "contract_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contract_id" uuid NOT NULL, "version" integer NOT NULL, "regime" text NOT NULL, "effective_date" date NOT NULL, "expiry_date" date, "important_data_included" boolean NOT NULL, "annex" jsonb NOT NULL, "pipia" jsonb NOT NULL, "changed_fields" jsonb NOT NULL, "refiling_required" boolean NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d975932f14e4d73be73188e295f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_contract_versions_contract_version" ON "contract_versions"  ("contract_id", "version") `);
    await queryRunner.query(
      `CREATE TABLE "contract_incidents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contract_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "party" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "description" text NOT NULL, "affected_data_subjects" integer NOT NULL, "reported_by" uuid, "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_111c3224c4b092efd938557d2cf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contract_incidents_contract" ON "contract_incidents"  ("contract_id", "reported_at") `);
    await queryRunner.query(
      `CREATE TABLE "document_blobs" ("sha256" text NOT NULL, "size" integer NOT NULL, "content_type" text NOT NULL, "content" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_document_blobs" PRIMARY KEY ("sha256"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "contract_documents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contract_id" uuid NOT NULL, "version" integer NOT NULL, "organisation_id" uuid NOT NULL, "party" text NOT NULL, "kind" text NOT NULL, "sha256" text NOT NULL, "size" integer NOT NULL, "content_type" text NOT NULL, "file_name" text, "uploaded_by" uuid, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f1bdb3e2d088dfbaea8229b6d91" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_contract_documents_sha256" ON "contract_documents"  ("sha256") `);
    await queryRunner.query(`CREATE INDEX "ix_contract_documents_contract" ON "contract_documents"  ("contract_id", "organisation_id", "kind") `);
    await queryRunner.query(
      `CREATE TABLE "filings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contract_id" uuid NOT NULL, "contract_version_id" uuid NOT NULL, "version" integer NOT NULL, "party" text NOT NULL, "organisation_id" uuid NOT NULL, "authority" text NOT NULL, "deadline" date NOT NULL, "provisional" boolean NOT NULL, "status" text NOT NULL DEFAULT 'NOT_SUBMITTED', "first_submitted_on" date, "submitted_at" TIMESTAMP WITH TIME ZONE, "reviewed_at" TIMESTAMP WITH TIME ZONE, "reviewed_by" uuid, "return_reason" text, "resubmission_deadline" date, "filing_number" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_48cb6370a96594b0b3c61df98be" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_filings_filing_number" ON "filings"  ("filing_number") `);
    await queryRunner.query(`CREATE INDEX "ix_filings_organisation" ON "filings"  ("organisation_id") `);
    await queryRunner.query(`CREATE INDEX "ix_filings_authority_status" ON "filings"  ("authority", "status") `);
    await queryRunner.query(`CREATE INDEX "ix_filings_contract" ON "filings"  ("contract_id", "version") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_filings_version_party" ON "filings"  ("contract_version_id", "party") `);
    await queryRunner.query(
      `CREATE TABLE "filing_number_counters" ("authority" text NOT NULL, "year" integer NOT NULL, "last_sequence" integer NOT NULL, CONSTRAINT "pk_filing_number_counters" PRIMARY KEY ("authority", "year"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "contracts" ADD CONSTRAINT "fk_contracts_processor" FOREIGN KEY ("processor_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contracts" ADD CONSTRAINT "fk_contracts_recipient" FOREIGN KEY ("recipient_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_history" ADD CONSTRAINT "fk_contract_history_contract" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_versions" ADD CONSTRAINT "fk_contract_versions_contract" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_incidents" ADD CONSTRAINT "fk_contract_incidents_contract" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_incidents" ADD CONSTRAINT "fk_contract_incidents_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_documents" ADD CONSTRAINT "fk_contract_documents_contract" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_documents" ADD CONSTRAINT "fk_contract_documents_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contract_documents" ADD CONSTRAINT "fk_contract_documents_blob" FOREIGN KEY ("sha256") REFERENCES "document_blobs"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "filings" ADD CONSTRAINT "fk_filings_contract" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "filings" ADD CONSTRAINT "fk_filings_contract_version" FOREIGN KEY ("contract_version_id") REFERENCES "contract_versions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "filings" ADD CONSTRAINT "fk_filings_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    // Audit evidence and filing materials are append-only for the application role (docs/contributing.md#database).
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "contract_history" FROM registry_app`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "document_blobs" FROM registry_app`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "filings" DROP CONSTRAINT "fk_filings_organisation"`);
    await queryRunner.query(`ALTER TABLE "filings" DROP CONSTRAINT "fk_filings_contract_version"`);
    await queryRunner.query(`ALTER TABLE "filings" DROP CONSTRAINT "fk_filings_contract"`);
    await queryRunner.query(`ALTER TABLE "contract_documents" DROP CONSTRAINT "fk_contract_documents_blob"`);
    await queryRunner.query(`ALTER TABLE "contract_documents" DROP CONSTRAINT "fk_contract_documents_organisation"`);
    await queryRunner.query(`ALTER TABLE "contract_documents" DROP CONSTRAINT "fk_contract_documents_contract"`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" DROP CONSTRAINT "fk_contract_incidents_organisation"`);
    await queryRunner.query(`ALTER TABLE "contract_incidents" DROP CONSTRAINT "fk_contract_incidents_contract"`);
    await queryRunner.query(`ALTER TABLE "contract_versions" DROP CONSTRAINT "fk_contract_versions_contract"`);
    await queryRunner.query(`ALTER TABLE "contract_history" DROP CONSTRAINT "fk_contract_history_contract"`);
    await queryRunner.query(`ALTER TABLE "contracts" DROP CONSTRAINT "fk_contracts_recipient"`);
    await queryRunner.query(`ALTER TABLE "contracts" DROP CONSTRAINT "fk_contracts_processor"`);
    await queryRunner.query(`DROP TABLE "filing_number_counters"`);
    await queryRunner.query(`DROP INDEX "public"."uq_filings_version_party"`);
    await queryRunner.query(`DROP INDEX "public"."ix_filings_contract"`);
    await queryRunner.query(`DROP INDEX "public"."ix_filings_authority_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_filings_organisation"`);
    await queryRunner.query(`DROP INDEX "public"."uq_filings_filing_number"`);
    await queryRunner.query(`DROP TABLE "filings"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_documents_contract"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_documents_sha256"`);
    await queryRunner.query(`DROP TABLE "contract_documents"`);
    await queryRunner.query(`DROP TABLE "document_blobs"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_incidents_contract"`);
    await queryRunner.query(`DROP TABLE "contract_incidents"`);
    await queryRunner.query(`DROP INDEX "public"."uq_contract_versions_contract_version"`);
    await queryRunner.query(`DROP TABLE "contract_versions"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contract_history_contract"`);
    await queryRunner.query(`DROP TABLE "contract_history"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contracts_processor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contracts_recipient"`);
    await queryRunner.query(`DROP INDEX "public"."ix_contracts_created"`);
    await queryRunner.query(`DROP TABLE "contracts"`);
  }
}
