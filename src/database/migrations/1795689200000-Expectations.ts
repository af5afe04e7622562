import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `registry_expect(holds, what)`: raises SQLSTATE GB001 ("an expectation failed: <what>") unless `holds` is true.
 * A statement sent ahead of others in one message (src/database/one-message.ts) checks with it what the writes
 * after it were prepared from; when it raises, the rest of the message is not run and the transaction is left
 * aborted (src/database/expectations.ts). Reads nothing itself: the caller's condition does, with the caller's
 * privileges.
 */
export class Expectations1795689200000 implements MigrationInterface {
  name = 'Expectations1795689200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION "registry_expect"(holds boolean, what text) RETURNS void
      LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
      BEGIN
        IF holds IS NOT TRUE THEN
          RAISE EXCEPTION 'an expectation failed: %', what USING ERRCODE = 'GB001';
        END IF;
      END $$`);
    await queryRunner.query(`REVOKE ALL ON FUNCTION "registry_expect"(boolean, text) FROM PUBLIC`);
    await queryRunner.query(`GRANT EXECUTE ON FUNCTION "registry_expect"(boolean, text) TO registry_app`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "registry_expect"(boolean, text)`);
  }
}
