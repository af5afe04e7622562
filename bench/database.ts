/**
 * The bench's database: an embedded PostgreSQL, or a fresh database on DATABASE_URL's server, migrated
 * (bench/run.ts, bench/small.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from './common';
import { PrimaryServer } from './phases/replica';
import { databaseUrlFor } from './registry';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';

export interface BenchDatabase extends PrimaryServer {
  ownerUrl: string;
  postgresVersion: string;
  /** Stops the embedded server, or drops the bench database from DATABASE_URL's server. */
  close(): Promise<void>;
}

/** An embedded PostgreSQL (or DATABASE_URL's server) with a fresh, migrated bench database. */
export async function openDatabase(): Promise<BenchDatabase> {
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let serverUrl = process.env.DATABASE_URL;
  let clusterDir: string | undefined;
  if (!serverUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-bench-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', ephemeral: true });
    serverUrl = embedded.url;
    // Where startEmbeddedPostgres keeps its cluster (src/database/embedded-postgres.ts).
    clusterDir = path.join(dataDir, 'pg');
  }
  const database = `gba_bench_${Date.now()}`;
  const superuserUrl = databaseUrlFor(serverUrl, 'postgres');
  const admin = new Client({ connectionString: superuserUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const postgresVersion = (await admin.query('SHOW server_version')).rows[0].server_version as string;
  await admin.end();
  const ownerUrl = databaseUrlFor(serverUrl, database);
  await runMigrations(ownerUrl);
  const close = async (): Promise<void> => {
    if (embedded) return embedded.stop();
    const cleanup = new Client({ connectionString: superuserUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await cleanup.end();
  };
  return { serverUrl: superuserUrl, database, clusterDir, ownerUrl, postgresVersion, close };
}
