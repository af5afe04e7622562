/*
 * One data directory, one owner, and a first start that tells the newcomer how to sign in: the real
 * entry point (`src/main.ts`) started as separate processes on an embedded PostgreSQL.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { INITIAL_ADMIN_EMAIL, INITIAL_ADMIN_PASSWORD_FILE } from '../../src/auth/initial-administrator';
import { LOCK_FILE } from '../../src/database/data-dir-lock';
import { freePort } from '../support/free-port';

const ROOT = path.join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function launch(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    // A clean environment: nothing from the test run (DATABASE_URL, BOOTSTRAP_*, …) leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function listening(started: Started): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!/GBA registry listening on/.test(started.stdout())) {
    if (started.child.exitCode !== null) throw new Error(`exited ${started.child.exitCode}: ${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`did not start within 90 s: ${started.stdout()} ${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function exitWithin(started: Started, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const result = await Promise.race([started.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    started.child.kill('SIGKILL');
    throw new Error(`still running after ${ms} ms: ${started.stdout()} ${started.stderr()}`);
  }
  return result;
}

const nonEmptyLines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');

/** One request on its own connection (no keep-alive socket outlives the test). */
function request(port: number, method: string, url: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path: url, agent: false, headers: payload ? { 'content-type': 'application/json' } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const signIn = (port: number, password: string): Promise<number> =>
  request(port, 'POST', '/auth/token', { grantType: 'password', email: INITIAL_ADMIN_EMAIL, password });

const ready = (port: number): Promise<number> => request(port, 'GET', '/health/ready');

function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

describe('one data directory, one owner', () => {
  const dirs: string[] = [];
  const running: Started[] = [];
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-datadir-'));
    dirs.push(dir);
    return dir;
  };
  const start = (env: Record<string, string>): Started => {
    const started = launch(env);
    running.push(started);
    return started;
  };
  let dataDir: string;
  let httpPort: number;
  let pgPort: number;
  let first: Started;
  let password: string;

  beforeAll(async () => {
    dataDir = tempDir();
    [httpPort, pgPort] = [await freePort(), await freePort()];
    first = start({ DATA_DIR: dataDir, PORT: String(httpPort), EMBEDDED_PG_PORT: String(pgPort) });
    await listening(first);
  }, 120_000);

  afterAll(async () => {
    for (const started of running) {
      if (started.child.exitCode === null && started.child.signalCode === null) {
        started.child.kill('SIGINT');
        await exitWithin(started, 30_000).catch(() => undefined);
      }
    }
    for (const dir of dirs) {
      const pid = postmasterPid(dir);
      if (pid) {
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          // already gone
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('creates the administrator on a first start, with its password in a 0600 file, and says how to sign in', async () => {
    const file = path.join(dataDir, INITIAL_ADMIN_PASSWORD_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    password = fs.readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(first.stdout()).toContain(`created the administrator ${INITIAL_ADMIN_EMAIL}; its password is in ${file}`);
    expect(first.stdout()).toContain(`/console`);
    expect(first.stdout()).not.toContain(password); // the password itself is never printed
    expect(await signIn(httpPort, password)).toBe(200);
    expect(await signIn(httpPort, password + 'x')).toBe(401);
  });

  it('refuses a second instance on the same DATA_DIR with one line, and leaves the first untouched', async () => {
    const postmaster = postmasterPid(dataDir);
    const second = start({ DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(pgPort) });
    const code = await exitWithin(second, 60_000);
    expect(code).not.toBe(0);
    const lines = nonEmptyLines(second.stderr());
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^startup failed: data directory .* is in use by another registry \\(pid ${first.child.pid},`))]);
    expect(postmasterPid(dataDir)).toBe(postmaster);
    expect(await ready(httpPort)).toBe(200);
    expect(await signIn(httpPort, password)).toBe(200);
  }, 90_000);

  it('refuses another data directory on the same embedded port, and leaves the first untouched', async () => {
    const other = tempDir();
    const third = start({ DATA_DIR: other, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(pgPort) });
    const code = await exitWithin(third, 60_000);
    expect(code).not.toBe(0);
    expect(nonEmptyLines(third.stderr())).toEqual([
      `startup failed: EMBEDDED_PG_PORT ${pgPort} is already in use by another process (another registry or PostgreSQL?); choose a free port`,
    ]);
    expect(fs.existsSync(path.join(other, LOCK_FILE))).toBe(false); // released on the way out
    expect(await ready(httpPort)).toBe(200);
  }, 90_000);

  it('an instance that cannot listen stops its own embedded PostgreSQL and releases its lock', async () => {
    const other = tempDir();
    const fourth = start({ DATA_DIR: other, PORT: String(httpPort), EMBEDDED_PG_PORT: String(await freePort()) });
    const code = await exitWithin(fourth, 90_000);
    expect(code).not.toBe(0);
    expect(nonEmptyLines(fourth.stderr())).toEqual([expect.stringMatching(/^startup failed: .*EADDRINUSE/)]);
    expect(postmasterPid(other)).toBeUndefined(); // its postmaster stopped cleanly (postmaster.pid removed)
    expect(fs.existsSync(path.join(other, LOCK_FILE))).toBe(false);
    expect(await ready(httpPort)).toBe(200);
  }, 120_000);

  it('recovers the stale lock of a killed instance: the next start owns the directory and keeps the data', async () => {
    first.child.kill('SIGKILL');
    await first.exited;
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(true); // left behind by the killed process
    const next = start({ DATA_DIR: dataDir, PORT: String(httpPort), EMBEDDED_PG_PORT: String(pgPort) });
    await listening(next);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: next.child.pid });
    expect(await ready(httpPort)).toBe(200);
    expect(await signIn(httpPort, password)).toBe(200); // same database, same administrator
    expect(next.stdout()).not.toContain('created the administrator'); // not a first start any more
    next.child.kill('SIGINT');
    expect(await exitWithin(next, 30_000)).toBe(0);
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  }, 150_000);
});
