import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSigningKey, parseCosignerVerifierKey } from '../common/note-keys';
import { isPlaceholder, weakPasswordReason, weakSecretReason } from '../common/secret-strength';

/**
 * Environment validated at boot into one typed object (docs/contributing.md#config-logs-and-api-docs).
 * A bad or missing value stops the process with one line naming the variable.
 */
export interface RegistryConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Unset: an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  /** Database role the application's queries run as (INSERT/SELECT only on the log tables). */
  databaseAppRole: string;
  databasePoolSize: number;
  /**
   * Streaming replicas for regulators' reads (docs/scaling.md#read-replicas): lists, exports, summaries,
   * entries and proofs; never a read that must see the caller's own write. Empty: every read from DATABASE_URL.
   */
  databaseReadUrls: string[];
  /** Names this process in logs, metrics and the checkpoints it signs (docs/scaling.md#several-instances). */
  instanceId: string;
  dataDir: string;
  embeddedPostgresPort: number;
  jwtSecret: string;
  /**
   * The key of the HMAC-SHA256 digest that recognises an individual party's identity document again
   * without storing its number (docs/rules.md#r17). Changing it makes every stored digest unmatchable.
   */
  partyIdentifierKey: string;
  jwtIssuer: string;
  jwtAudience: string;
  jwtTtlSeconds: number;
  /** A console session renews its access token with a refresh token until this many hours after sign-in (docs/api.md#sessions). */
  sessionMaxHours: number;
  /** base64 PKCS#8 DER or base64 raw 32-byte Ed25519 seed; generated into dataDir outside production. */
  ledgerSigningKey: string | undefined;
  ledgerOrigin: string;
  /** The log's self-audit (docs/architecture.md#trust-model, part 2): rows checked per batch, and the pause after each batch. */
  ledgerAuditBatchSize: number;
  ledgerAuditPauseMs: number;
  /**
   * Witnesses that cosign the log's checkpoints (C2SP tlog-witness): each a submission URL prefix
   * (POST <prefix>/add-checkpoint) and its cosignature/v1 verifier key. Empty: no witnesses.
   */
  ledgerWitnesses: LedgerWitnessConfig[];
  /** Cosignatures a checkpoint needs before GET /ledger/checkpoint serves it (default: every witness). */
  ledgerWitnessQuorum: number;
  bootstrapAdminEmail: string | undefined;
  bootstrapAdminPassword: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  uploadLimitBytes: number;
  /**
   * Time limits on a client connection, so a client that trickles its headers or body cannot hold
   * a socket indefinitely: the whole request (headers and body) must arrive within
   * `httpRequestTimeoutMs` and its headers within `httpHeadersTimeoutMs` (then 408); a socket with
   * no traffic for `httpConnectionTimeoutMs` is closed, and an idle keep-alive connection after
   * `httpKeepAliveTimeoutMs`.
   */
  httpRequestTimeoutMs: number;
  httpHeadersTimeoutMs: number;
  httpConnectionTimeoutMs: number;
  httpKeepAliveTimeoutMs: number;
  corsOrigins: string[];
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (sign-in throttling per
   * address, logs): false, a hop count, or proxy addresses/CIDRs. Never "all": a client could
   * then pick its own address and escape the per-address limit.
   */
  trustProxy: false | number | string[];
  loginMaxAttempts: number;
  loginWindowSeconds: number;
  /** R18: a monthly partition of transfer records older than this is archived, verified, then detached (docs/scaling.md#retention). */
  transferRetentionYears: number;
  /** Where retention writes its archives (docs/scaling.md#retention); default `<DATA_DIR>/archives`. */
  archiveDir: string;
  /** R13: working days a regulator has to acknowledge a notice of a contract's end, in its side's calendar (R9). */
  noticeAcknowledgeWorkingDays: number;
  /** Notifications (docs/api.md#webhooks). */
  webhooks: WebhooksConfig;
}

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

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

function trustProxy(env: Env): false | number | string[] {
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

function httpTimeouts(env: Env): Pick<RegistryConfig, 'httpRequestTimeoutMs' | 'httpHeadersTimeoutMs' | 'httpConnectionTimeoutMs' | 'httpKeepAliveTimeoutMs'> {
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
function ledgerWitnesses(env: Env): Pick<RegistryConfig, 'ledgerWitnesses' | 'ledgerWitnessQuorum'> {
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

function webhooks(env: Env, production: boolean): WebhooksConfig {
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

function databaseUrl(env: Env): string | undefined {
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

function databaseReadUrls(env: Env): string[] {
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

function instanceId(env: Env): string {
  const raw = env.INSTANCE_ID;
  if (raw === undefined || raw === '') return `${os.hostname()}:${process.pid}`;
  if (!/^[\x21-\x7e]{1,63}$/.test(raw)) throw new ConfigError('INSTANCE_ID', 'must be 1 to 63 printable ASCII characters without spaces');
  return raw;
}

/**
 * Keeps a development secret stable across restarts: generated once, stored in the data dir.
 * Two processes starting together on one data dir agree on the first one written.
 */
function persistedSecret(dataDir: string, file: string, variable: string, make: () => string): string {
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

export function loadConfig(env: Env = process.env): RegistryConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const dataDir = path.resolve(env.DATA_DIR || '.data');

  const jwtSecret = env.JWT_SECRET;
  if (jwtSecret !== undefined && jwtSecret !== '' && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes');
  }
  if (!jwtSecret && production) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
  const weakSecret = production && jwtSecret ? weakSecretReason(jwtSecret) : undefined;
  if (weakSecret) throw new ConfigError('JWT_SECRET', weakSecret);

  const partyIdentifierKey = env.PARTY_IDENTIFIER_KEY;
  if (partyIdentifierKey !== undefined && partyIdentifierKey !== '' && Buffer.byteLength(partyIdentifierKey) < 32) {
    throw new ConfigError('PARTY_IDENTIFIER_KEY', 'must be at least 32 bytes');
  }
  if (!partyIdentifierKey && production) throw new ConfigError('PARTY_IDENTIFIER_KEY', 'is required when NODE_ENV=production');
  const weakKey = production && partyIdentifierKey ? weakSecretReason(partyIdentifierKey) : undefined;
  if (weakKey) throw new ConfigError('PARTY_IDENTIFIER_KEY', weakKey);
  if (production && partyIdentifierKey && partyIdentifierKey === jwtSecret) {
    throw new ConfigError('PARTY_IDENTIFIER_KEY', 'must differ from JWT_SECRET');
  }

  const ledgerSigningKey = env.LEDGER_SIGNING_KEY || undefined;
  if (!ledgerSigningKey && production) {
    throw new ConfigError('LEDGER_SIGNING_KEY', 'is required when NODE_ENV=production');
  }
  if (ledgerSigningKey) {
    // Parsed here, not first when the ledger module starts, so a bad key stops the boot with this one line.
    try {
      loadSigningKey(ledgerSigningKey);
    } catch (error) {
      throw new ConfigError('LEDGER_SIGNING_KEY', `is not a usable Ed25519 key (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  const bootstrapAdminEmail = env.BOOTSTRAP_ADMIN_EMAIL || undefined;
  const bootstrapAdminPassword = env.BOOTSTRAP_ADMIN_PASSWORD || undefined;
  if (bootstrapAdminEmail && !/^[^@\s]+@[^@\s]+$/.test(bootstrapAdminEmail)) {
    throw new ConfigError('BOOTSTRAP_ADMIN_EMAIL', 'must be an email address');
  }
  if (bootstrapAdminEmail && (!bootstrapAdminPassword || bootstrapAdminPassword.length < 12)) {
    throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', 'must be at least 12 characters when BOOTSTRAP_ADMIN_EMAIL is set');
  }
  // In production the first administrator's password must not be a sample or guessable one.
  const weakPassword =
    production && bootstrapAdminPassword
      ? isPlaceholder(bootstrapAdminPassword)
        ? 'is a placeholder from documentation or a sample file'
        : weakPasswordReason(bootstrapAdminPassword, [bootstrapAdminEmail ?? ''])
      : undefined;
  if (weakPassword) throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', weakPassword);

  const appRole = env.DATABASE_APP_ROLE ?? 'registry_app';
  if (appRole !== '' && !/^[a-z_][a-z0-9_]{0,62}$/.test(appRole)) {
    throw new ConfigError('DATABASE_APP_ROLE', 'must be a lower-case PostgreSQL role name, or empty to disable');
  }

  const config: RegistryConfig = {
    nodeEnv,
    host: env.HOST || '127.0.0.1',
    port: intVar(env, 'PORT', 3000, 0, 65535),
    databaseUrl: databaseUrl(env),
    databaseAppRole: appRole,
    databasePoolSize: intVar(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    databaseReadUrls: databaseReadUrls(env),
    instanceId: instanceId(env),
    dataDir,
    embeddedPostgresPort: intVar(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
    jwtSecret: jwtSecret ?? '',
    partyIdentifierKey: partyIdentifierKey ?? '',
    jwtIssuer: env.JWT_ISSUER || 'gba-registry',
    jwtAudience: env.JWT_AUDIENCE || 'gba-registry-api',
    jwtTtlSeconds: intVar(env, 'JWT_TTL_SECONDS', 900, 30, 86400),
    sessionMaxHours: intVar(env, 'SESSION_MAX_HOURS', 12, 1, 720),
    ledgerSigningKey,
    ledgerOrigin: env.LEDGER_ORIGIN || 'gba-registry.example/transfers',
    ledgerAuditBatchSize: intVar(env, 'LEDGER_AUDIT_BATCH_SIZE', 1000, 16, 100_000),
    ledgerAuditPauseMs: intVar(env, 'LEDGER_AUDIT_PAUSE_MS', 1000, 0, 3_600_000),
    ...ledgerWitnesses(env),
    bootstrapAdminEmail,
    bootstrapAdminPassword,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimitBytes: intVar(env, 'BODY_LIMIT_BYTES', 16 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    uploadLimitBytes: intVar(env, 'UPLOAD_LIMIT_BYTES', 20 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    ...httpTimeouts(env),
    corsOrigins: (env.CORS_ORIGINS || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: trustProxy(env),
    loginMaxAttempts: intVar(env, 'LOGIN_MAX_ATTEMPTS', 5, 1, 1000),
    loginWindowSeconds: intVar(env, 'LOGIN_WINDOW_SECONDS', 300, 1, 86400),
    transferRetentionYears: intVar(env, 'TRANSFER_RETENTION_YEARS', 3, 3, 100),
    archiveDir: archiveDir(env, dataDir),
    noticeAcknowledgeWorkingDays: intVar(env, 'NOTICE_ACKNOWLEDGE_WORKING_DAYS', 10, 1, 365),
    webhooks: webhooks(env, production),
  };
  // Only once every variable is valid: a bad value must not leave files behind.
  if (!config.jwtSecret) {
    config.jwtSecret = persistedSecret(dataDir, 'jwt-secret', 'JWT_SECRET', () => randomBytes(48).toString('base64url'));
  }
  if (!config.partyIdentifierKey) {
    config.partyIdentifierKey = persistedSecret(dataDir, 'party-identifier-key', 'PARTY_IDENTIFIER_KEY', () => randomBytes(48).toString('base64url'));
  }
  return config;
}

/** ARCHIVE_DIR: an absolute path, or relative to the working directory; never a file. Created when the first archive is written. */
function archiveDir(env: Env, dataDir: string): string {
  const value = env.ARCHIVE_DIR;
  if (value === undefined || value === '') return path.join(dataDir, 'archives');
  if (value.includes('\0')) throw new ConfigError('ARCHIVE_DIR', 'must be a directory path');
  const resolved = path.resolve(value);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(resolved);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) throw new ConfigError('ARCHIVE_DIR', `${resolved} exists and is not a directory`);
  return resolved;
}

export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
