import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { databaseUrlFor } from './database';
import { freePort } from './free-port';

declare global {
  var __EMBEDDED_PG__: ChildProcess | undefined;
}

async function startEmbedded(): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-registry-test-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'embedded-pg-child.ts'), dataDir, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: path.join(__dirname, '..', '..'),
  });
  globalThis.__EMBEDDED_PG__ = child;
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('embedded PostgreSQL did not start within 120 s')), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /READY (\S+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
  });
}

/**
 * Migrates once into a template database; each test file then gets its own
 * `CREATE DATABASE … TEMPLATE` copy (immich server/test/medium/globalSetup.ts).
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL || (await startEmbedded());
  const template = `gba_test_template_${process.pid}`;
  const admin = new Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  // Migrations run in a plain Node process: TypeORM loads migration files by glob, outside jest's transform.
  const migrate = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, '..', '..', 'src', 'bin', 'migrate.ts'), databaseUrlFor(serverUrl, template)],
    {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
    },
  );
  if (migrate.status !== 0) throw new Error(`migrating the test template failed: ${migrate.stderr || migrate.stdout}`);
  process.env.TEST_RUN_ID = String(process.pid);
  process.env.TEST_DATABASE_SERVER_URL = serverUrl;
  process.env.TEST_DATABASE_TEMPLATE = template;
}
