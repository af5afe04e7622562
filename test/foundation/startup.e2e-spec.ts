/*
 * A bad environment stops the real entry point with exit code 78 (EX_CONFIG) and one stderr line
 * naming the variable (docs/contributing.md#config-logs-and-api-docs), before anything else happens.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function start(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-startup-'));
  try {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: ROOT,
      // A clean environment: nothing from the test run (DATABASE_URL, …) leaks in.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), DATA_DIR: dataDir, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { ...result, leftFiles: fs.readdirSync(dataDir) };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('startup with a bad environment', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ NODE_ENV: 'production', LEDGER_SIGNING_KEY: Buffer.alloc(32, 1).toString('base64') }, 'JWT_SECRET'],
    [{ DATABASE_URL: 'mysql://localhost/registry' }, 'DATABASE_URL'],
  ])('%j exits 78 with one stderr line naming %s', (env, variable) => {
    const result = start(env);
    expect(result.error).toBeUndefined();
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect({ status: result.status, lines }).toEqual({ status: 78, lines: [expect.stringContaining(`${variable}:`)] });
    expect(lines[0]).toMatch(new RegExp(`^configuration error: ${variable}: `));
    expect(result.stdout).toBe('');
    expect(result.leftFiles).toEqual([]); // stopped before touching the data dir
  });
});
