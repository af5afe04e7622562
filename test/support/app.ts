import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AuthService, userPrincipal } from '../../src/auth/auth.service';
import { User } from '../../src/auth/user.entity';
import { loadConfig, RegistryConfig } from '../../src/config/config';
import type { Authority, UserRole } from '../../src/common/roles';
import { makeValidUscc } from '../../src/organisations/identifiers';
import { createTestDatabase } from './database';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const ADMIN_EMAIL = 'admin@registry.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: RegistryConfig;
  dataSource: DataSource;
  databaseUrl: string;
  adminToken: string;
  /** Creates a user directly (argon2 hashing is the slow part of sign-in) and returns a bearer token for it. */
  user(role: UserRole, options?: { organisationId?: string; authority?: Authority; email?: string }): Promise<{ id: string; token: string; email: string }>;
  tokenFor(userId: string): Promise<string>;
  close(): Promise<void>;
}

let sequence = 0;

export async function startTestApp(
  env: Record<string, string> = {},
  options: {
    logDestination?: NodeJS.WritableStream;
    /** Runs on the migrated database before the registry starts, as a later migration would (data added by SQL). */
    beforeStart?: (databaseUrl: string) => Promise<void>;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  await options.beforeStart?.(database.url);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-registry-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    DATABASE_POOL_SIZE: '5',
    ...env,
  });
  const app = await createApp(config, database.url, options.logDestination ? { logDestination: options.logDestination } : { silent: true });
  const dataSource = app.get(DataSource);
  const auth = app.get(AuthService);
  const tokenFor = async (userId: string): Promise<string> => {
    const user = await dataSource.getRepository(User).findOneByOrFail({ id: userId });
    return auth.sign(userPrincipal(user)).accessToken;
  };
  const admin = await dataSource.getRepository(User).findOneByOrFail({ email: ADMIN_EMAIL });
  const http = request(app.getHttpServer());
  return {
    app,
    http,
    config,
    dataSource,
    databaseUrl: database.url,
    adminToken: await tokenFor(admin.id),
    tokenFor,
    async user(role, options = {}) {
      const email = options.email ?? `${role.toLowerCase()}-${++sequence}-${Date.now()}@example.test`;
      const user = await dataSource.getRepository(User).save(
        dataSource.getRepository(User).create({
          email,
          // A real argon2id hash of "test password 123"; sign-in tests create their own users through the API.
          passwordHash: '$argon2id$v=19$m=19456,p=1,t=2$oeIipiES6LMuG924+AjU8w$w1rCeVE7dSJp6CMonVC909k89rwt1ALR4D7wlgsUaLg',
          role,
          organisationId: options.organisationId ?? null,
          authority: options.authority ?? null,
        }),
      );
      return { id: user.id, token: await tokenFor(user.id), email };
    },
    async close() {
      await app.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

let identifierSeed = Math.floor(Math.random() * 1_000_000);
export function nextUscc(): string {
  return makeValidUscc(++identifierSeed);
}
export function nextBrn(): string {
  return String(10_000_000 + ((++identifierSeed * 7919) % 89_999_999));
}

/** A Macao commercial registration number: digits as issued (R17). */
export function nextMoCrn(): string {
  return String(1_000 + ((++identifierSeed * 7919) % 899_999));
}

export interface OrganisationInput {
  jurisdiction?: 'MAINLAND' | 'HONG_KONG' | 'MACAO';
  city?: string;
  sector?: string;
  legalName?: string;
}

/** Registers an organisation through the API as the system administrator; returns its id. */
export async function createOrganisation(t: TestApp, input: OrganisationInput = {}): Promise<string> {
  const jurisdiction = input.jurisdiction ?? 'MAINLAND';
  const body = {
    legalName: input.legalName ?? `${{ MAINLAND: 'Shenzhen', HONG_KONG: 'Hong Kong', MACAO: 'Macao' }[jurisdiction]} Test Org ${++sequence}`,
    jurisdiction,
    city: input.city ?? { MAINLAND: 'SHENZHEN', HONG_KONG: 'HONG_KONG', MACAO: 'MACAO' }[jurisdiction],
    identifierType: { MAINLAND: 'USCC', HONG_KONG: 'HK_BRN', MACAO: 'MO_CRN' }[jurisdiction],
    identifier: { MAINLAND: nextUscc, HONG_KONG: nextBrn, MACAO: nextMoCrn }[jurisdiction](),
    sector: input.sector ?? 'BANKING',
  };
  const response = await postOrganisation(t, body);
  if (response.status !== 201) throw new Error(`createOrganisation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

/** POST /organisations as the system administrator: the response, whatever it is. */
export function postOrganisation(t: TestApp, body: Record<string, unknown>) {
  return t.http
    .post('/organisations')
    .set(...bearer(t.adminToken))
    .send(body);
}

/** A registry started on a database where `sql` ran first, as a later migration would (data added by SQL, docs/rules.md#r16). */
export async function startTestAppWithSql(sql: string): Promise<TestApp> {
  return startTestApp(
    {},
    {
      beforeStart: async (url) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
    },
  );
}

/** The password of users made by `TestApp.user`. */
export const TEST_USER_PASSWORD = 'test password 123';
