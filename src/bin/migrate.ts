/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the URL given as argument). */
import 'reflect-metadata';
import { runMigrations } from '../database/migrate';

const url = process.argv[2] || process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('usage: npm run migrate -- <postgres url>   (or set DATABASE_URL)\n');
  process.exit(2);
}
runMigrations(url)
  .then((applied) => {
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  })
  .catch((error) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
