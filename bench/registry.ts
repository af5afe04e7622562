/**
 * The registry as the bench runs it: its settings, a small HTTP client, and the registry as a child
 * process (the built dist/main.js) with the secrets every process of one run shares.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { send } from './http';

export const ROOT = path.join(__dirname, '..');
export const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
export const INGEST_CLIENTS = 4;
export const CONTRACTS = 50;
export const QUERY_SAMPLES = 1000;
export const PROOF_SAMPLES = 1000;
export const FILING_CONNECTIONS = 32;
export const SMALL_CLIENTS = 32;
export const FILING_SECONDS = Number(process.env.BENCH_FILING_SECONDS || 10);
export const ADMIN = { email: 'bench-admin@registry.example', password: 'bench-admin-password-0001' };

export interface AutocannonResult {
  duration: number;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  non2xx: number;
  '2xx': number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types; the assertion says what the bench uses of it
export const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

export const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Peak resident set of a process since the last reset (Linux /proc). */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export class Api {
  constructor(readonly base: string) {}

  async call(
    method: string,
    url: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> {
    const answer = await send(
      this.base,
      method,
      url,
      {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      // A Buffer is a body already encoded as JSON (bench/rows.ts, TransferBodies).
      body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    );
    let json: unknown = answer.text;
    try {
      json = JSON.parse(answer.text);
    } catch {
      // text body
    }
    return { status: answer.status, json };
  }

  /** The parsed body of a 2xx answer, of the type the caller names. */
  async ok<T = unknown>(method: string, url: string, token: string | null, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const { status, json } = await this.call(method, url, token, body, headers);
    if (status < 200 || status >= 300) throw new Error(`${method} ${url} → ${status} ${JSON.stringify(json).slice(0, 500)}`);
    return json as T;
  }
}

/** Secrets shared by every registry process of one run, so tokens stay valid across a restart. */
export const SECRETS = {
  jwt: randomBytes(48).toString('base64url'),
  partyIdentifierKey: randomBytes(48).toString('base64url'),
  signingSeed: randomBytes(32).toString('base64'),
};

export const LEDGER_ORIGIN = 'bench.gba-registry.example/transfers';

/** The node flags the registry runs with, as `npm run start:prod` (and the Dockerfile) start it (docs/scaling.md). */
export function registryNodeFlags(): string[] {
  const script = String(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts['start:prod']);
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js$/.exec(script);
  if (!match) throw new Error(`bench: package.json's start:prod is not "node [flags] dist/main.js": ${script}`);
  return match[1].split(' ').filter(Boolean);
}

/** The node arguments of a registry process: the flags of `start:prod`, then BENCH_NODE_ARGS. */
export function registryNodeArgs(): string[] {
  return [...registryNodeFlags(), ...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
}

/** The environment of a registry process of the bench: production mode, the run's shared secrets, a fresh data directory. */
export function registryEnv(databaseUrl: string, port: number, dataDirPrefix: string, extraEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: SECRETS.jwt,
    PARTY_IDENTIFIER_KEY: SECRETS.partyIdentifierKey,
    LEDGER_SIGNING_KEY: SECRETS.signingSeed,
    LEDGER_ORIGIN,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), dataDirPrefix)),
    ...extraEnv,
  };
}

export async function startRegistry(databaseUrl: string, port: number, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...registryNodeArgs(), path.join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: registryEnv(databaseUrl, port, 'gba-bench-app-', extraEnv),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('registry did not become ready in 60 s');
}

export async function stopRegistry(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
