import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSigningKey } from '../common/note-keys';
import { isPlaceholder, weakSecretReason } from '../common/secret-strength';
import { StrengthCheck, strengthReasonsInWorker } from '../common/strength-worker';
import {
  ConfigError,
  databaseReadUrls,
  databaseUrl,
  Env,
  httpTimeouts,
  instanceId,
  intVar,
  LedgerWitnessConfig,
  ledgerWitnesses,
  oneOf,
  persistedSecret,
  trustProxy,
  webhooks,
  WebhooksConfig,
} from './env-readers';

export { ConfigError } from './env-readers';
export type { LedgerWitnessConfig, WebhooksConfig } from './env-readers';

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

type StartupStrength = Partial<Record<'jwtSecret' | 'partyIdentifierKey' | 'bootstrapAdminPassword', string>>;

/**
 * Why JWT_SECRET, PARTY_IDENTIFIER_KEY and BOOTSTRAP_ADMIN_PASSWORD are too weak for production, estimated together
 * in one worker thread (src/common/strength-worker.ts).
 */
function startupStrength(env: Env): StartupStrength {
  const known: StartupStrength = {};
  const names: Array<keyof StartupStrength> = [];
  const checks: StrengthCheck[] = [];
  for (const [name, value] of [
    ['jwtSecret', env.JWT_SECRET],
    ['partyIdentifierKey', env.PARTY_IDENTIFIER_KEY],
  ] as const) {
    if (!value) continue;
    // A placeholder is named without the estimator (weakSecretReason looks for one first).
    if (isPlaceholder(value)) known[name] = weakSecretReason(value);
    else {
      names.push(name);
      checks.push({ kind: 'secret', value });
    }
  }
  const password = env.BOOTSTRAP_ADMIN_PASSWORD;
  if (password && !isPlaceholder(password)) {
    names.push('bootstrapAdminPassword');
    checks.push({ kind: 'password', value: password, userInputs: [env.BOOTSTRAP_ADMIN_EMAIL || ''] });
  }
  const reasons = strengthReasonsInWorker(checks);
  names.forEach((name, i) => (known[name] = reasons[i]));
  return known;
}

// eslint-disable-next-line max-lines-per-function -- a checklist: one variable after another, each read and checked where it is documented
export function loadConfig(env: Env = process.env): RegistryConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  // Estimated the first time a production check needs it, for the three values at once.
  let strength: StartupStrength | undefined;
  const weakness = (): StartupStrength => (strength ??= startupStrength(env));
  const dataDir = path.resolve(env.DATA_DIR || '.data');

  const jwtSecret = env.JWT_SECRET;
  if (jwtSecret !== undefined && jwtSecret !== '' && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes');
  }
  if (!jwtSecret && production) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
  const weakSecret = production && jwtSecret ? weakness().jwtSecret : undefined;
  if (weakSecret) throw new ConfigError('JWT_SECRET', weakSecret);

  const partyIdentifierKey = env.PARTY_IDENTIFIER_KEY;
  if (partyIdentifierKey !== undefined && partyIdentifierKey !== '' && Buffer.byteLength(partyIdentifierKey) < 32) {
    throw new ConfigError('PARTY_IDENTIFIER_KEY', 'must be at least 32 bytes');
  }
  if (!partyIdentifierKey && production) throw new ConfigError('PARTY_IDENTIFIER_KEY', 'is required when NODE_ENV=production');
  const weakKey = production && partyIdentifierKey ? weakness().partyIdentifierKey : undefined;
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
        : weakness().bootstrapAdminPassword
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
