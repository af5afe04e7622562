import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owned by the auth module (src/auth/); the channel is the database layer's (src/database/cache-invalidation.ts).
 *
 * Every change to a user or a service account (disabled, re-roled, password or secret changed, tokens_valid_from
 * moved, deleted), made by the registry or by hand in SQL, notifies the channel `registry_cache` with
 * `principal:<id>` when its transaction commits, so every instance drops the account from its principal cache
 * (docs/architecture.md#caches).
 */
export class CacheInvalidation1795685400000 implements MigrationInterface {
  name = 'CacheInvalidation1795685400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "registry_notify_principal"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('registry_cache', 'principal:' || OLD.id::text);
        RETURN NULL;
      END $$`);
    for (const table of ['users', 'service_accounts']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_notify_principal" AFTER UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "registry_notify_principal"()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['users', 'service_accounts']) await queryRunner.query(`DROP TRIGGER "${table}_notify_principal" ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION "registry_notify_principal"()`);
  }
}
