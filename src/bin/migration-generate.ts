/**
 * `npm run migration:generate -- <Name>`: writes the SQL that brings the
 * database in line with the entities, as a new migration (what
 * `typeorm migration:generate` does, without ts-node). Review it before committing.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDataSource } from '../database/data-source';
import { runMigrations } from '../database/migrate';

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name) || !url) {
    process.stderr.write('usage: DATABASE_URL=<scratch database> npm run migration:generate -- <PascalCaseName>\n');
    process.exit(2);
  }
  await runMigrations(url);
  const dataSource = createDataSource(url);
  await dataSource.initialize();
  const sql = await dataSource.driver.createSchemaBuilder().log();
  await dataSource.destroy();
  if (!sql.upQueries.length) {
    process.stdout.write('no changes: entities and migrations agree\n');
    return;
  }
  const stamp = Date.now();
  const quote = (q: string) => '`' + q.replace(/`/g, '\\`') + '`';
  const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${stamp} implements MigrationInterface {
  name = '${name}${stamp}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((q) => `    await queryRunner.query(${quote(q.query)});`).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${sql.downQueries
  .reverse()
  .map((q) => `    await queryRunner.query(${quote(q.query)});`)
  .join('\n')}
  }
}
`;
  const file = path.join(__dirname, '..', 'database', 'migrations', `${stamp}-${name}.ts`);
  fs.writeFileSync(file, body);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
