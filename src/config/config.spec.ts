import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from './config';

const SECRET = 'a-jwt-secret-that-is-at-least-32-bytes-long';
const PARTY_KEY = 'kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXp-party';
// base64 of a 32-byte Ed25519 seed, and the PKCS #8 DER form of another key.
const SEED = Buffer.alloc(32, 7).toString('base64');
const PKCS8 = 'MC4CAQAwBQYDK2VwBCIEINq/FGH4XrS3NDFD6sVyNVV2j3I6IJQsZveG1I26lnKB';

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-config-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env });
  const failure = (env: Record<string, string>): ConfigError => {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
  };

  it('has working defaults for development', () => {
    const config = load({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      databaseAppRole: 'registry_app',
      dataDir,
      jwtIssuer: 'gba-registry',
      jwtAudience: 'gba-registry-api',
      jwtTtlSeconds: 900,
      logLevel: 'info',
      loginMaxAttempts: 5,
      loginWindowSeconds: 300,
      transferRetentionYears: 3,
      archiveDir: path.join(dataDir, 'archives'),
    });
  });

  it.each([
    ['PORT', 'abc', /PORT: must be a whole number, got "abc"/],
    ['PORT', '70000', /PORT: must be between 0 and 65535/],
    ['PORT', '-1', /PORT: must be a whole number/],
    ['PORT', '80.5', /PORT: must be a whole number/],
    ['DATABASE_POOL_SIZE', '0', /DATABASE_POOL_SIZE: must be between 1 and 200/],
    ['JWT_TTL_SECONDS', '5', /JWT_TTL_SECONDS: must be between 30/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL: must be one of/],
    ['NODE_ENV', 'staging', /NODE_ENV: must be one of development, production, test/],
    ['TRANSFER_RETENTION_YEARS', '2', /TRANSFER_RETENTION_YEARS: must be between 3/], // R18: at least 3 years
    ['DATABASE_APP_ROLE', 'Robert"); DROP', /DATABASE_APP_ROLE/],
    ['ARCHIVE_DIR', __filename, /ARCHIVE_DIR: .* is not a directory/],
    ['BOOTSTRAP_ADMIN_EMAIL', 'not-an-email', /BOOTSTRAP_ADMIN_EMAIL/],
  ])('refuses %s=%j naming the variable', (variable, value, message) => {
    const error = failure({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('keeps the message on one line even when the value holds a newline', () => {
    const error = failure({ PORT: '80\n81' });
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^PORT: /);
  });

  it('refuses a PARTY_IDENTIFIER_KEY shorter than 32 bytes, and in production a weak one or the JWT secret again', () => {
    expect(failure({ PARTY_IDENTIFIER_KEY: 'too-short' }).message).toBe('PARTY_IDENTIFIER_KEY: must be at least 32 bytes');
    const production = { NODE_ENV: 'production', LEDGER_SIGNING_KEY: SEED, JWT_SECRET: 'kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXo' };
    expect(failure({ ...production, PARTY_IDENTIFIER_KEY: 'a'.repeat(48) }).message).toMatch(/^PARTY_IDENTIFIER_KEY: has too little entropy/);
    expect(failure({ ...production, PARTY_IDENTIFIER_KEY: production.JWT_SECRET }).message).toBe('PARTY_IDENTIFIER_KEY: must differ from JWT_SECRET');
  });

  it('generates a PARTY_IDENTIFIER_KEY into the data dir outside production and keeps it across restarts', () => {
    const first = load({}).partyIdentifierKey;
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect(load({}).partyIdentifierKey).toBe(first);
    expect(fs.readFileSync(path.join(dataDir, 'party-identifier-key'), 'utf8').trim()).toBe(first);
  });

  it('refuses a JWT_SECRET shorter than 32 bytes', () => {
    const error = failure({ JWT_SECRET: 'too-short' });
    expect(error.variable).toBe('JWT_SECRET');
    expect(error.message).toBe('JWT_SECRET: must be at least 32 bytes');
  });

  it('refuses in production a JWT_SECRET that is a known placeholder or easy to guess, naming the variable', () => {
    const production = { NODE_ENV: 'production', LEDGER_SIGNING_KEY: SEED, PARTY_IDENTIFIER_KEY: PARTY_KEY };
    for (const placeholder of [
      'change-me-to-a-long-random-secret-of-32-bytes-or-more',
      'replace_me_with_your_jwt_secret_0123456789',
      'test-secret-that-is-long-enough-for-hs256-0123456789',
    ]) {
      expect(failure({ ...production, JWT_SECRET: placeholder }).message).toMatch(/^JWT_SECRET: is a placeholder from documentation or a sample file/);
    }
    expect(failure({ ...production, JWT_SECRET: 'a'.repeat(48) }).message).toMatch(
      /^JWT_SECRET: has too little entropy \(about 10\^\d+ guesses, at least 10\^30 needed\)/,
    );
    expect(failure({ ...production, JWT_SECRET: 'abcdefghijklmnopqrstuvwxyz0123456789' }).message).toMatch(/^JWT_SECRET: has too little entropy/);
    // The estimator reads the first 40 characters: random ones after a weak start do not make the secret fit.
    expect(failure({ ...production, JWT_SECRET: `${'a'.repeat(40)}kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXo` }).message).toMatch(
      /^JWT_SECRET: has too little entropy/,
    );
    expect(load({ ...production, JWT_SECRET: 'kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXo' }).jwtSecret).toBe('kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXo');
    // Outside production a developer's secret is not judged.
    expect(load({ JWT_SECRET: 'a'.repeat(48) }).jwtSecret).toBe('a'.repeat(48));
  });

  it('refuses in production a bootstrap administrator password that is a placeholder or weak, saying why', () => {
    const production = {
      NODE_ENV: 'production',
      LEDGER_SIGNING_KEY: SEED,
      PARTY_IDENTIFIER_KEY: PARTY_KEY,
      JWT_SECRET: 'kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXo',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@registry.gov.hk',
    };
    expect(failure({ ...production, BOOTSTRAP_ADMIN_PASSWORD: 'change-me-please-now' }).message).toBe(
      'BOOTSTRAP_ADMIN_PASSWORD: is a placeholder from documentation or a sample file',
    );
    expect(failure({ ...production, BOOTSTRAP_ADMIN_PASSWORD: 'password1234' }).message).toMatch(
      /^BOOTSTRAP_ADMIN_PASSWORD: is too easy to guess \(strength [0-2] of 4, at least 3 needed\)/,
    );
    expect(failure({ ...production, BOOTSTRAP_ADMIN_PASSWORD: 'aaaaaaaaaaaa' }).message).toMatch(/^BOOTSTRAP_ADMIN_PASSWORD: is too easy to guess/);
    expect(load({ ...production, BOOTSTRAP_ADMIN_PASSWORD: 'Tidal-Lantern-Quorum-81' }).bootstrapAdminPassword).toBe('Tidal-Lantern-Quorum-81');
  });

  it('requires JWT_SECRET, PARTY_IDENTIFIER_KEY and LEDGER_SIGNING_KEY in production', () => {
    expect(failure({ NODE_ENV: 'production', LEDGER_SIGNING_KEY: SEED, PARTY_IDENTIFIER_KEY: PARTY_KEY }).message).toBe(
      'JWT_SECRET: is required when NODE_ENV=production',
    );
    expect(failure({ NODE_ENV: 'production', JWT_SECRET: SECRET, LEDGER_SIGNING_KEY: SEED }).message).toBe(
      'PARTY_IDENTIFIER_KEY: is required when NODE_ENV=production',
    );
    expect(failure({ NODE_ENV: 'production', JWT_SECRET: SECRET, PARTY_IDENTIFIER_KEY: PARTY_KEY }).message).toBe(
      'LEDGER_SIGNING_KEY: is required when NODE_ENV=production',
    );
    const config = load({ NODE_ENV: 'production', JWT_SECRET: SECRET, LEDGER_SIGNING_KEY: SEED, PARTY_IDENTIFIER_KEY: PARTY_KEY });
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.partyIdentifierKey).toBe(PARTY_KEY);
    expect(fs.readdirSync(dataDir)).toEqual([]); // nothing generated in production
  });

  it('accepts a seed or PKCS #8 signing key and refuses anything else', () => {
    expect(load({ LEDGER_SIGNING_KEY: SEED }).ledgerSigningKey).toBe(SEED);
    expect(load({ LEDGER_SIGNING_KEY: PKCS8 }).ledgerSigningKey).toBe(PKCS8);
    for (const bad of ['not base64!', Buffer.alloc(16).toString('base64')]) {
      expect(failure({ LEDGER_SIGNING_KEY: bad }).variable).toBe('LEDGER_SIGNING_KEY');
    }
  });

  it.each(['not a url', 'mysql://user@localhost/db', 'http://localhost:5432/db'])('refuses DATABASE_URL=%j', (url) => {
    const error = failure({ DATABASE_URL: url });
    expect(error.message).toBe('DATABASE_URL: must be a postgres:// URL');
  });

  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(load({ DATABASE_URL: 'postgres://u:p@db:5432/registry' }).databaseUrl).toBe('postgres://u:p@db:5432/registry');
    expect(load({ DATABASE_URL: 'postgresql://db/registry' }).databaseUrl).toBe('postgresql://db/registry');
  });

  it('generates a development JWT secret once, keeps it in the data dir, and reuses it', () => {
    const first = load({}).jwtSecret;
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, 'jwt-secret');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(first);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(load({}).jwtSecret).toBe(first);
  });

  it('writes nothing when another variable is invalid', () => {
    failure({ PORT: 'abc' });
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('refuses a truncated persisted secret instead of signing with it', () => {
    fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'short\n');
    expect(failure({}).message).toMatch(/^JWT_SECRET: is unset and .*jwt-secret holds fewer than 32 bytes/);
  });

  it('requires a 12-character bootstrap password with a bootstrap e-mail', () => {
    expect(failure({ BOOTSTRAP_ADMIN_EMAIL: 'admin@example.test', BOOTSTRAP_ADMIN_PASSWORD: 'short' }).variable).toBe('BOOTSTRAP_ADMIN_PASSWORD');
    expect(load({ BOOTSTRAP_ADMIN_EMAIL: 'admin@example.test', BOOTSTRAP_ADMIN_PASSWORD: 'long enough password' }).bootstrapAdminEmail).toBe(
      'admin@example.test',
    );
  });

  it('reads TRUST_PROXY as off, a hop count, or proxy addresses, never "trust everyone"', () => {
    expect(load({}).trustProxy).toBe(false);
    expect(load({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(load({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', '::1']);
    for (const bad of ['true', '0', 'load-balancer.internal', '10.0.0.0/8,*']) expect(failure({ TRUST_PROXY: bad }).variable).toBe('TRUST_PROXY');
  });

  it('has HTTP time limits with defaults, in milliseconds, the headers limit within the request limit', () => {
    expect(load({})).toMatchObject({
      httpRequestTimeoutMs: 120_000,
      httpHeadersTimeoutMs: 20_000,
      httpConnectionTimeoutMs: 60_000,
      httpKeepAliveTimeoutMs: 72_000,
    });
    expect(load({ HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_HEADERS_TIMEOUT_MS: '1000' })).toMatchObject({
      httpRequestTimeoutMs: 1500,
      httpHeadersTimeoutMs: 1000,
    });
    expect(failure({ HTTP_REQUEST_TIMEOUT_MS: '0' }).variable).toBe('HTTP_REQUEST_TIMEOUT_MS');
    expect(failure({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '5s' }).variable).toBe('HTTP_KEEP_ALIVE_TIMEOUT_MS');
    expect(failure({ HTTP_CONNECTION_TIMEOUT_MS: '-1' }).variable).toBe('HTTP_CONNECTION_TIMEOUT_MS');
    expect(failure({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '2000' }).message).toMatch(
      /^HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  it('splits CORS_ORIGINS on commas', () => {
    expect(load({ CORS_ORIGINS: 'https://a.example, https://b.example ,' }).corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('webhooks: safe defaults; local http only outside production; a maximum wait below the first refused', () => {
    expect(load({}).webhooks).toEqual({
      allowLocalHttp: false,
      dueSoonWorkingDays: 3,
      maxAttempts: 10,
      timeoutMs: 15_000,
      retryBaseMs: 5_000,
      retryMaxMs: 86_400_000,
      pollMs: 1_000,
      scanIntervalMs: 900_000,
    });
    expect(load({ WEBHOOKS_ALLOW_LOCAL_HTTP: 'true' }).webhooks.allowLocalHttp).toBe(true);
    const production = { NODE_ENV: 'production', LEDGER_SIGNING_KEY: SEED, PARTY_IDENTIFIER_KEY: PARTY_KEY, JWT_SECRET: 'Zq8#vL2!pR7@wK4$nT9%bY6^hM3&fD1*' };
    expect(failure({ ...production, WEBHOOKS_ALLOW_LOCAL_HTTP: 'true' }).message).toBe('WEBHOOKS_ALLOW_LOCAL_HTTP: must not be true when NODE_ENV=production');
    expect(failure({ WEBHOOKS_ALLOW_LOCAL_HTTP: 'yes' }).message).toMatch(/^WEBHOOKS_ALLOW_LOCAL_HTTP: must be one of true, false/);
    expect(failure({ WEBHOOK_RETRY_BASE_MS: '60000', WEBHOOK_RETRY_MAX_MS: '1000' }).message).toMatch(
      /^WEBHOOK_RETRY_MAX_MS: must not be below WEBHOOK_RETRY_BASE_MS/,
    );
    expect(failure({ WEBHOOK_DUE_SOON_WORKING_DAYS: '0' }).message).toMatch(/^WEBHOOK_DUE_SOON_WORKING_DAYS: must be between 1 and 60/);
  });
});
