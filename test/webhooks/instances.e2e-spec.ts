/*
 * Two registry instances on one database (docs/scaling.md#several-instances): events recorded through either are
 * delivered once each, by the instance that leads the background jobs; no attempt is made twice.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { Leadership } from '../../src/cluster/leadership';
import { loadConfig } from '../../src/config/config';
import { contractBody } from '../contracts/fixtures';
import { bearer, createOrganisation, startTestApp, TestApp, TEST_JWT_SECRET } from '../support/app';
import { eventually, Receiver, verifyStandardWebhook } from './receiver';

const ENV = {
  WEBHOOKS_ALLOW_LOCAL_HTTP: 'true',
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_SCAN_INTERVAL_MS: '200',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '200',
};

describe('webhooks on two instances', () => {
  let t: TestApp;
  let second: NestFastifyApplication;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({ ...ENV, INSTANCE_ID: 'first' });
    second = await createApp(
      loadConfig({ NODE_ENV: 'test', DATA_DIR: t.config.dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...ENV, INSTANCE_ID: 'second' }),
      t.databaseUrl,
      { silent: true },
    );
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await t?.close();
    await receiver.stop();
  });

  it('delivers each event once, whichever instance recorded it', async () => {
    const a = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN' });
    const b = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const admin = (await t.user('ORG_ADMIN', { organisationId: a })).token;
    const created = await t.http
      .post('/webhooks')
      .set(...bearer(admin))
      .send({ url: `${receiver.url}/both`, eventTypes: ['contract.expired', 'filing.overdue'] });
    expect(created.status).toBe(201);
    // Six lapsed contracts, filed through both instances: each raises contract.expired and two filing.overdue.
    const http = [t.http, request(second.getHttpServer())];
    const contracts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await http[i % 2]
        .post('/contracts')
        .set(...bearer(admin))
        .send(contractBody(a, b, { expiryDate: `2025-0${2 + i}-28` }));
      expect(res.status).toBe(201);
      contracts.push(res.body.id);
    }
    await eventually(() => expect(new Set(receiver.at('/both').map((r) => r.id)).size).toBe(18));
    // The receiver answers before the sender records the attempt: wait for all 18 to be recorded as delivered.
    await eventually(async () =>
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'DELIVERED'`)).toEqual([{ n: 18 }]),
    );
    // Several more rounds of scanning and polling on both instances change nothing.
    const [{ n: before }] = await t.dataSource.query('SELECT count(*)::int AS n FROM webhook_attempts');
    await new Promise((r) => setTimeout(r, 1500));
    const [{ n: after }] = await t.dataSource.query('SELECT count(*)::int AS n FROM webhook_attempts');
    expect(after).toBe(before);
    const got = receiver.at('/both');
    expect(got).toHaveLength(18);
    for (const r of got) expect(verifyStandardWebhook(created.body.secret, r)).toBe(true);
    expect(new Set(got.map((r) => String(r.json.data.contractId)))).toEqual(new Set(contracts));
    const rows: Array<{ status: string; attempts: number }> = await t.dataSource.query('SELECT status, attempts FROM webhook_deliveries');
    expect(rows).toHaveLength(18);
    expect(rows.every((r) => r.status === 'DELIVERED' && r.attempts === 1)).toBe(true);
    // One of the two leads the background jobs.
    expect([t.app.get(Leadership).isLeader(), second.get(Leadership).isLeader()].filter(Boolean)).toHaveLength(1);
  }, 120_000);
});
