import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE } from './data-dir-lock';

describe('data directory lock', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const plant = (holder: object): void => fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(holder));
  const holderOnFile = (): { pid: number } => JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number };

  it('is held by one owner at a time and released by it', () => {
    const lock = acquireDataDirLock(dir);
    expect(holderOnFile().pid).toBe(process.pid);
    expect(fs.statSync(lock.file).mode & 0o777).toBe(0o600);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError); // this very process is alive
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    acquireDataDirLock(dir).release();
  });

  it('names the live holder', () => {
    plant({ pid: process.ppid, startedAt: '2026-11-30T00:00:00.000Z', hostname: os.hostname() });
    expect(() => acquireDataDirLock(dir)).toThrow(`is in use by another registry (pid ${process.ppid}, started 2026-11-30T00:00:00.000Z)`);
  });

  it('takes over the lock of a process that is gone', () => {
    plant({ pid: 2 ** 22 + 17, startedAt: '2026-01-01T00:00:00.000Z', hostname: os.hostname() }); // above pid_max
    const lock = acquireDataDirLock(dir);
    expect(holderOnFile().pid).toBe(process.pid);
    expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]); // the stale copy moved aside is gone too
    lock.release();
  });

  // The holder's start time is read from /proc: the registry runs on Linux, and this test says so rather than passing vacuously elsewhere.
  it('takes over a lock whose pid now belongs to another process (recycled pid)', () => {
    expect(fs.existsSync('/proc/self/stat')).toBe(true);
    plant({ pid: process.ppid, processStart: '1', startedAt: '2026-01-01T00:00:00.000Z', hostname: os.hostname() });
    const lock = acquireDataDirLock(dir);
    expect(holderOnFile().pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });

  it('treats a half-written lock as stale', () => {
    fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
    const lock = acquireDataDirLock(dir);
    expect(holderOnFile().pid).toBe(process.pid);
    lock.release();
  });

  it('never releases a lock that another owner took over', () => {
    const lock = acquireDataDirLock(dir);
    plant({ pid: process.ppid, startedAt: 'later', hostname: os.hostname() });
    lock.release();
    expect(holderOnFile().pid).toBe(process.ppid);
  });
});
