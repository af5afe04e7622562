import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contract versions, filing materials' records and incident reports are written once and never
 * changed by the registry (a change is a new version, a new upload, a new report), so the
 * application role may INSERT and SELECT them only, like contract_history and document_blobs
 * (docs/contributing.md#database). Filings and contracts stay writable: their status and revision change.
 */
export class ContractsAppendOnly1795684600000 implements MigrationInterface {
  name = 'ContractsAppendOnly1795684600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['contract_versions', 'contract_documents', 'contract_incidents']) {
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "${table}" FROM registry_app`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['contract_versions', 'contract_documents', 'contract_incidents']) {
      await queryRunner.query(`GRANT UPDATE, DELETE ON "${table}" TO registry_app`);
    }
  }
}
