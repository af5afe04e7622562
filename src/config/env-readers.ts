// Readers of the environment's variables, each validating one variable or one group of them (./config.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCosignerVerifierKey } from '../common/note-keys';

export interface WebhooksConfig {
  /** Also admit http://localhost, http://127.0.0.1 and http://[::1] endpoints (development and tests only). */
  allowLocalHttp: boolean;
  /** `filing.due_soon` fires this many working days before a filing's deadline, in the filing party's calendar (R9). */
  dueSoonWorkingDays: number;
  /** Attempts per delivery, the first included, before it is given up as FAILED. */
  maxAttempts: number;
  /** How long one attempt may take (connecting, sending, the answer's status). */
  timeoutMs: number;
  /** The wait after the first failed attempt; each further failure doubles it, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often the leader looks for events to fan out and deliveries due. */
  pollMs: number;
  /** How often the leader scans filings for due-soon and overdue, and contracts for expiry. */
  scanIntervalMs: number;
}

export interface LedgerWitnessConfig {
  url: string;
  verifierKey: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly rule: string,
  ) {
    super(`${variable}: ${rule}`);
  }
}

export type Env = Record<string, string | undefined>;

export function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

export function trustProxy(env: Env): false | number | string[] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError('TRUST_PROXY', `hop count must be between 1 and 10, got ${hops}`);
    return hops;
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(\/\d{1,3})?$/;
  const bad = entries.find((entry) => !address.test(entry));
  if (bad !== undefined) {
    throw new ConfigError('TRUST_PROXY', `must be a hop count or comma-separated proxy addresses/CIDRs, got ${JSON.stringify(bad)}`);
  }
  return entries;
}

export function httpTimeouts(env: Env): {
  httpRequestTimeoutMs: number;
  httpHeadersTimeoutMs: number;
  httpConnectionTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
} {
  const httpRequestTimeoutMs = intVar(env, 'HTTP_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000);
  const httpHeadersTimeoutMs = intVar(env, 'HTTP_HEADERS_TIMEOUT_MS', 20_000, 100, 3_600_000);
  // Node refuses a headers timeout longer than the request timeout (the headers are part of the request).
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs}), got ${httpHeadersTimeoutMs}`);
  }
  return {
    httpRequestTimeoutMs,
    httpHeadersTimeoutMs,
    httpConnectionTimeoutMs: intVar(env, 'HTTP_CONNECTION_TIMEOUT_MS', 60_000, 100, 3_600_000),
    httpKeepAliveTimeoutMs: intVar(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
  };
}

/** LEDGER_WITNESSES: comma-separated "<submission URL prefix> <cosigner verifier key>"; LEDGER_WITNESS_QUORUM: 1 to their number. */
export function ledgerWitnesses(env: Env): { ledgerWitnesses: LedgerWitnessConfig[]; ledgerWitnessQuorum: number } {
  const witnesses: LedgerWitnessConfig[] = [];
  for (const entry of (env.LEDGER_WITNESSES || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [url, verifierKey, ...rest] = entry.split(/\s+/);
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !verifierKey || rest.length > 0) {
      throw new ConfigError('LEDGER_WITNESSES', `entries must be "<http(s) URL prefix> <cosigner verifier key>", got ${JSON.stringify(entry)}`);
    }
    try {
      parseCosignerVerifierKey(verifierKey);
    } catch (error) {
      throw new ConfigError(
        'LEDGER_WITNESSES',
        `has a key that is not a cosignature/v1 verifier key (${error instanceof Error ? error.message : String(error)}): ${JSON.stringify(verifierKey)}`,
      );
    }
    if (witnesses.some((w) => w.verifierKey === verifierKey))
      throw new ConfigError('LEDGER_WITNESSES', `names the witness key ${JSON.stringify(verifierKey)} twice`);
    witnesses.push({ url: url.replace(/\/+$/, ''), verifierKey });
  }
  if (witnesses.length === 0) {
    if (env.LEDGER_WITNESS_QUORUM) throw new ConfigError('LEDGER_WITNESS_QUORUM', 'needs LEDGER_WITNESSES');
    return { ledgerWitnesses: [], ledgerWitnessQuorum: 0 };
  }
  return { ledgerWitnesses: witnesses, ledgerWitnessQuorum: intVar(env, 'LEDGER_WITNESS_QUORUM', witnesses.length, 1, witnesses.length) };
}

export function webhooks(env: Env, production: boolean): WebhooksConfig {
  const allow = oneOf(env, 'WEBHOOKS_ALLOW_LOCAL_HTTP', ['true', 'false'] as const, 'false') === 'true';
  if (allow && production) throw new ConfigError('WEBHOOKS_ALLOW_LOCAL_HTTP', 'must not be true when NODE_ENV=production');
  const retryBaseMs = intVar(env, 'WEBHOOK_RETRY_BASE_MS', 5_000, 10, 3_600_000);
  const retryMaxMs = intVar(env, 'WEBHOOK_RETRY_MAX_MS', 86_400_000, 10, 7 * 86_400_000);
  if (retryMaxMs < retryBaseMs) throw new ConfigError('WEBHOOK_RETRY_MAX_MS', `must not be below WEBHOOK_RETRY_BASE_MS (${retryBaseMs}), got ${retryMaxMs}`);
  return {
    allowLocalHttp: allow,
    dueSoonWorkingDays: intVar(env, 'WEBHOOK_DUE_SOON_WORKING_DAYS', 3, 1, 60),
    maxAttempts: intVar(env, 'WEBHOOK_MAX_ATTEMPTS', 10, 1, 50),
    timeoutMs: intVar(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 100, 120_000),
    retryBaseMs,
    retryMaxMs,
    pollMs: intVar(env, 'WEBHOOK_POLL_MS', 1_000, 10, 600_000),
    scanIntervalMs: intVar(env, 'WEBHOOK_SCAN_INTERVAL_MS', 900_000, 100, 86_400_000),
  };
}

export function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  }
  return raw;
}

export function databaseReadUrls(env: Env): string[] {
  const urls = (env.DATABASE_READ_URLS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const raw of urls) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
      throw new ConfigError('DATABASE_READ_URLS', 'must be comma-separated postgres:// URLs');
    }
  }
  return urls;
}

export function instanceId(env: Env): string {
  const raw = env.INSTANCE_ID;
  if (raw === undefined || raw === '') return `${os.hostname()}:${process.pid}`;
  if (!/^[\x21-\x7e]{1,63}$/.test(raw)) throw new ConfigError('INSTANCE_ID', 'must be 1 to 63 printable ASCII characters without spaces');
  return raw;
}

/**
 * Keeps a development secret stable across restarts: generated once, stored in the data dir.
 * Two processes starting together on one data dir agree on the first one written.
 */
export function persistedSecret(dataDir: string, file: string, variable: string, make: () => string): string {
  const target = path.join(dataDir, file);
  const read = (): string | null => {
    try {
      return fs.readFileSync(target, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ConfigError(variable, `is unset and ${target} cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
  };
  let value = read();
  if (value === null) {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(target, make() + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new ConfigError(variable, `is unset and ${target} cannot be written (${code})`);
    }
    value = read() ?? '';
  }
  if (Buffer.byteLength(value) < 32) throw new ConfigError(variable, `is unset and ${target} holds fewer than 32 bytes; delete the file or set ${variable}`);
  return value;
}
