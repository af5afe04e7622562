import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * One data directory, one owner. The embedded PostgreSQL cluster under DATA_DIR belongs to the
 * registry process that started it; a second process on the same directory must neither start a
 * second postmaster nor stop the first one's. The lock is a file, created atomically, that names its
 * holder (pid and, on Linux, the process's start time, so a recycled pid is not mistaken for it).
 * A lock whose holder is gone is stale and is taken over.
 */
export const LOCK_FILE = 'registry.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data directory ${dataDir} is in use by another registry (pid ${holder.pid}, started ${holder.startedAt}); ` +
        `stop it first, or give this one its own DATA_DIR and EMBEDDED_PG_PORT`,
    );
  }
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`EMBEDDED_PG_PORT ${port} is already in use by another process (another registry or PostgreSQL?); choose a free port`);
  }
}

export interface LockHolder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent off Linux. */
  processStart?: string;
  startedAt: string;
  hostname: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote this lock is still the one running under its pid. */
export function holderIsAlive(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return true; // another machine's process: cannot tell, assume alive
  if (!Number.isInteger(holder.pid) || holder.pid <= 0 || !isRunning(holder.pid)) return false;
  if (holder.processStart === undefined) return true;
  const current = processStart(holder.pid);
  return current === undefined || current === holder.processStart;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return { pid: parsed.pid, processStart: parsed.processStart, startedAt: String(parsed.startedAt), hostname: parsed.hostname };
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

/**
 * Takes DATA_DIR's lock or throws DataDirLockedError naming the live holder. A stale lock is moved
 * aside with rename (atomic: of two processes recovering it at once, one wins) and the takeover is
 * retried with an exclusive link, so two starters never both own the directory.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, processStart: processStart(process.pid), startedAt: new Date().toISOString(), hostname: os.hostname() };
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written whole to a private file, then linked into place: link fails if the lock exists, so
    // the lock appears atomically with its content and no reader ever sees it half-written.
    const own = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(own, JSON.stringify(me), { mode: 0o600 });
    try {
      fs.linkSync(own, file);
      return {
        file,
        release() {
          // Only our own lock: never remove one that a later owner took over.
          if (readHolder(file)?.pid === me.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(own, { force: true });
    }
    const holder = readHolder(file);
    if (holder && holderIsAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    const aside = `${file}.stale-${process.pid}-${attempt}`;
    try {
      fs.renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another starter moved it first
      throw error;
    }
    // Between our read and our rename a live starter may have replaced the stale lock with its own:
    // if what we moved is live, put it back (link fails rather than overwrite) and give way.
    const moved = readHolder(aside);
    if (moved && holderIsAlive(moved)) {
      try {
        fs.linkSync(aside, file);
      } finally {
        fs.rmSync(aside, { force: true });
      }
      throw new DataDirLockedError(dataDir, moved);
    }
    fs.rmSync(aside, { force: true });
  }
  throw new Error(`could not take the lock ${file}: it keeps changing hands`);
}

/** Refuses a port that something already listens on, before PostgreSQL is asked to bind it. */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
