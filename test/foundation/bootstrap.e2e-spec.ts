/*
 * First start creates one SYSTEM_ADMIN from BOOTSTRAP_ADMIN_EMAIL / _PASSWORD when no user exists
 * (docs/api.md#authentication-and-roles); later starts, and instances starting together, never create another.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { User } from '../../src/auth/user.entity';
import { loadConfig } from '../../src/config/config';
import { TEST_JWT_SECRET } from '../support/app';
import { createTestDatabase } from '../support/database';

describe('bootstrap administrator', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-registry-bootstrap-'));
  const apps: NestFastifyApplication[] = [];
  const databases: { drop(): Promise<void> }[] = [];

  const boot = async (url: string, email: string, password: string): Promise<NestFastifyApplication> => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: '3',
      BOOTSTRAP_ADMIN_EMAIL: email,
      BOOTSTRAP_ADMIN_PASSWORD: password,
    });
    const app = await createApp(config, url, { silent: true });
    apps.push(app);
    return app;
  };
  const users = (app: NestFastifyApplication) =>
    app
      .get(DataSource)
      .getRepository(User)
      .find({ order: { createdAt: 'ASC' } });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const database of databases) await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the administrator on first start only; it signs in with the configured password', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const first = await boot(database.url, 'First.Admin@Example.test', 'first admin password');
    const afterFirst = await users(first);
    expect(afterFirst).toHaveLength(1);
    expect(afterFirst[0]).toMatchObject({ email: 'first.admin@example.test', role: 'SYSTEM_ADMIN', organisationId: null, disabledAt: null });
    expect(afterFirst[0].passwordHash).toMatch(/^\$argon2id\$/);

    const signIn = await request(first.getHttpServer())
      .post('/auth/token')
      .send({ grantType: 'password', email: 'first.admin@example.test', password: 'first admin password' });
    expect(signIn.status).toBe(200);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    // A restart, even with other bootstrap values, leaves the users alone.
    const second = await boot(database.url, 'second.admin@example.test', 'second admin password');
    const afterSecond = await users(second);
    expect(afterSecond.map((u) => u.id)).toEqual([afterFirst[0].id]);
    expect(afterSecond[0].passwordHash).toBe(afterFirst[0].passwordHash);
  });

  it('creates exactly one administrator when two instances start together on an empty database', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const [a, b] = await Promise.all([
      boot(database.url, 'together@example.test', 'together admin password'),
      boot(database.url, 'together@example.test', 'together admin password'),
    ]);
    expect(await users(a)).toHaveLength(1);
    expect(await users(b)).toHaveLength(1);
  });
});
