import { Client } from 'pg';
import { databaseUrlFor } from './database';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL;
  const template = process.env.TEST_DATABASE_TEMPLATE;
  const child = globalThis.__EMBEDDED_PG__;
  if (child) {
    // Closing stdin makes the child stop its cluster and delete the data directory.
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin?.end();
      setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 30_000).unref();
    });
    return;
  }
  if (serverUrl && template) {
    const admin = new Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
    await admin.connect();
    try {
      const leftovers = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [
        `gba_t_${process.env.TEST_RUN_ID}_%`,
        template,
      ]);
      for (const { datname } of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
