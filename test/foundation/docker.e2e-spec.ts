/*
 * The container layout without a container engine: docker-compose.yml carries no secret and keeps the
 * database off the host, and the roles its init script creates are enough to migrate and run the
 * registry as a role that is not a superuser (played here against the test PostgreSQL server).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import { databaseUrlFor } from '../support/database';

const ROOT = path.join(__dirname, '..', '..');

interface ComposeService {
  environment: Record<string, string>;
  ports?: string[];
  networks?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean } | null>;
}

const compose = load(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as Compose;
const SECRETS = ['POSTGRES_PASSWORD', 'REGISTRY_DB_PASSWORD', 'JWT_SECRET', 'LEDGER_SIGNING_KEY'];

describe('docker-compose.yml', () => {
  it('writes no secret: each one must be supplied, with no default to fall back on', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    for (const secret of SECRETS) {
      const uses = [...text.matchAll(new RegExp(`\\$\\{${secret}(:[?-][^}]*)?\\}`, 'g'))].map((match) => match[1] ?? '');
      expect({ secret, uses: uses.length > 0 }).toEqual({ secret, uses: true });
      for (const use of uses) expect({ secret, use: use.slice(0, 2) }).toEqual({ secret, use: ':?' });
    }
    // No literal value for a password, secret or key anywhere in the services.
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|KEY/.test(variable)) expect({ name, variable, value: String(value).startsWith('${') }).toEqual({ name, variable, value: true });
      }
    }
  });

  it('keeps the database on an internal network with no port on the host, and the registry on loopback', () => {
    expect(compose.services.db.ports).toBeUndefined();
    expect(compose.services.db.networks).toEqual(['backend']);
    expect(compose.networks.backend).toEqual({ internal: true });
    expect(compose.services.app.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:/)]);
  });

  it('connects the registry as registry_owner, not as the superuser', () => {
    expect(compose.services.app.environment.DATABASE_URL).toMatch(/^postgres:\/\/registry_owner:/);
    expect(compose.services.app.environment.NODE_ENV).toBe('production');
  });
});

describe('docker/initdb roles against a real PostgreSQL', () => {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL!;
  const suffix = randomBytes(4).toString('hex');
  const owner = `registry_owner_${suffix}`;
  const database = `registry_${suffix}`;
  const password = randomBytes(18).toString('base64url');
  let superuser: Client;

  beforeAll(async () => {
    superuser = new Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
    await superuser.connect();
    // The script's SQL as the container would run it, with this run's names and psql's variable filled in.
    const script = fs.readFileSync(path.join(ROOT, 'docker', 'initdb', '10-registry-roles.sh'), 'utf8');
    const sql = /<<'SQL'\n([\s\S]*?)\nSQL/
      .exec(script)![1]
      .replace(/registry_owner/g, owner)
      .replace(/DATABASE registry\b/g, `DATABASE ${database}`)
      .replace(":'owner_password'", `'${password}'`);
    for (const statement of sql.split(/;\n/).filter((s) => s.trim())) await superuser.query(statement);
  });

  afterAll(async () => {
    await superuser.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await superuser.query(`DROP ROLE IF EXISTS ${owner}`);
    await superuser.end();
  });

  it('migrates and serves as a role that is neither superuser nor able to create roles or databases', async () => {
    const role = await superuser.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      'SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1',
      [owner],
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
    const url = new URL(databaseUrlFor(serverUrl, database));
    url.username = owner;
    url.password = password;
    const migrate = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/bin/migrate.ts', url.toString()], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: migrate.status, stderr: migrate.stderr }).toEqual({ status: 0, stderr: '' });
    const app = await createApp(
      loadConfig({
        NODE_ENV: 'test',
        JWT_SECRET: 'kQ3v9Zt7mW2xR8pL5nB1cY6hD4fJ0sGeUaTqVwXo',
        LOG_LEVEL: 'silent',
        DATA_DIR: fs.mkdtempSync('/tmp/gba-docker-'),
      }),
      url.toString(),
      { silent: true },
    );
    try {
      const ready = await request(app.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(200);
      const reference = await request(app.getHttpServer()).get('/rollout/sectors');
      expect(reference.status).toBe(200);
    } finally {
      await app.close();
    }
  }, 120_000);
});
