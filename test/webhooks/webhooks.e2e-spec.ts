/*
 * Notifications (docs/api.md#webhooks): subscriptions managed as src/access says, every event kind delivered to a
 * real receiver on 127.0.0.1 and its Standard Webhooks signature checked by the receiver's own code, receivers
 * seeing only events about what they may read, retries of a failing receiver recorded attempt by attempt, the
 * secret shown once, bad URLs refused with problem+json naming the field.
 */
import { Client } from 'pg';
import { contractBody, termsOf, uploadAll } from '../contracts/fixtures';
import { bearer, createOrganisation, startTestApp, TestApp } from '../support/app';
import { postTransfers, transferRecord } from '../transfers/support';
import { eventually, Receiver, verifyStandardWebhook } from './receiver';

const ALL_TYPES = [
  'filing.submitted',
  'filing.returned',
  'filing.accepted',
  'filing.due_soon',
  'filing.overdue',
  'contract.amended',
  'contract.terminated',
  'contract.expired',
  'incident.reported',
  'ledger.integrity_alert',
];

/** Today in the Greater Bay Area (UTC+8), as the registry counts it. */
const gbaToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const addYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;

interface Subscription {
  id: string;
  secret: string;
}

describe('webhooks', () => {
  let t: TestApp;
  const receiver = new Receiver();
  let orgA: string;
  let orgB: string;
  let orgX: string;
  let orgY: string;
  let adminA: string;
  let adminB: string;
  let filerA: string;
  let adminX: string;
  let gdCac: string;
  let hkDpo: string;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({
      WEBHOOKS_ALLOW_LOCAL_HTTP: 'true',
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_RETRY_MAX_MS: '400',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_SCAN_INTERVAL_MS: '300',
      WEBHOOK_DUE_SOON_WORKING_DAYS: '30',
      LEDGER_AUDIT_PAUSE_MS: '100',
    });
    orgA = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN' });
    orgB = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    orgX = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'GUANGZHOU' });
    orgY = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    adminA = (await t.user('ORG_ADMIN', { organisationId: orgA })).token;
    adminB = (await t.user('ORG_ADMIN', { organisationId: orgB })).token;
    filerA = (await t.user('ORG_FILER', { organisationId: orgA })).token;
    adminX = (await t.user('ORG_ADMIN', { organisationId: orgX })).token;
    gdCac = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
    hkDpo = (await t.user('REGULATOR', { authority: 'HK_DPO' })).token;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  async function subscribe(token: string, path: string, eventTypes: string[] = ALL_TYPES): Promise<Subscription> {
    const res = await t.http
      .post('/webhooks')
      .set(...bearer(token))
      .send({ url: `${receiver.url}${path}`, eventTypes });
    expect(res.status).toBe(201);
    return { id: res.body.id, secret: res.body.secret };
  }

  async function file(token: string, processor: string, recipient: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await t.http
      .post('/contracts')
      .set(...bearer(token))
      .send(contractBody(processor, recipient, overrides));
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function deliveries(token: string, id: string) {
    const res = await t.http.get(`/webhooks/${id}/deliveries`).set(...bearer(token));
    expect(res.status).toBe(200);
    return res.body.items as Array<{
      messageId: string;
      eventType: string;
      status: string;
      attempts: Array<{ attempt: number; statusCode: number | null; error: string | null; attemptedAt: string }>;
    }>;
  }

  it('shows the secret once: in the answer to POST, never in GET', async () => {
    const created = await t.http
      .post('/webhooks')
      .set(...bearer(adminA))
      .send({ url: `${receiver.url}/once`, eventTypes: ['filing.returned'], description: 'compliance inbox' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: `${receiver.url}/once`, eventTypes: ['filing.returned'], organisationId: orgA, authority: null });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
    const listed = await t.http.get('/webhooks').set(...bearer(adminA));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((w: { id: string }) => w.id)).toContain(created.body.id);
    expect(listed.text).not.toContain(created.body.secret);
    for (const item of listed.body.items) expect(Object.keys(item)).not.toContain('secret');
    // Another organisation's administrator does not see it; a filer may not manage webhooks.
    const other = await t.http.get('/webhooks').set(...bearer(adminX));
    expect(other.body.items.map((w: { id: string }) => w.id)).not.toContain(created.body.id);
    expect((await t.http.get('/webhooks').set(...bearer(filerA))).status).toBe(403);
    // A regulator's subscription belongs to its authority.
    const regulator = await subscribe(hkDpo, '/dpo-once', ['contract.expired']);
    const dpoList = await t.http.get('/webhooks').set(...bearer(hkDpo));
    expect(dpoList.body.items).toEqual([expect.objectContaining({ id: regulator.id, authority: 'HK_DPO', organisationId: null })]);
  });

  it.each([
    ['not a URL', 'not a url', /absolute URL/],
    ['plain http to a public host', 'http://hooks.example.com/in', /https/],
    ['another scheme', 'ftp://hooks.example.com/in', /https/],
    ['a private address', 'https://10.1.2.3/in', /private/],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data', /private/],
    ['an IPv6 unique-local address', 'https://[fd00::1]/in', /private/],
    ['an internal name', 'https://registry-db.internal/in', /local or internal/],
    ['credentials in the URL', 'https://user:pw@hooks.example.com/in', /user name or password/],
  ])('refuses %s with problem+json naming url', async (_what, url, message) => {
    const res = await t.http
      .post('/webhooks')
      .set(...bearer(adminA))
      .send({ url, eventTypes: ['filing.returned'] });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'url', rule: 'webhookUrl', message: expect.stringMatching(message) })]);
  });

  it('refuses an unknown event type naming eventTypes, and writes nothing', async () => {
    const [{ n: before }] = await t.dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions');
    const res = await t.http
      .post('/webhooks')
      .set(...bearer(adminA))
      .send({ url: 'https://hooks.example.com/in', eventTypes: ['filing.submitted', 'contract.deleted'] });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['eventTypes']);
    const [{ n: after }] = await t.dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions');
    expect(after).toBe(before);
  });

  it('delivers every event kind, signed as Standard Webhooks says, only to receivers that may read it', async () => {
    const a = await subscribe(adminA, '/a');
    const x = await subscribe(adminX, '/x');
    const cac = await subscribe(gdCac, '/cac');
    const secrets: Record<string, string> = { '/a': a.secret, '/x': x.secret, '/cac': cac.secret };
    const today = gbaToday();
    // Due soon: in force from today, so each filing's deadline is 10 working days ahead (R8/R9), within the 30 configured.
    const current = await file(filerA, orgA, orgB, {
      effectiveDate: today,
      expiryDate: addYears(today, 2),
      annex: { retentionPeriod: { from: today, to: addYears(today, 5) } },
    });
    // Overdue and expired: in force from 2025-01-24 to 2025-06-30, never filed.
    const lapsed = await file(filerA, orgA, orgB, { expiryDate: '2025-06-30' });
    // Another organisation's contract: X hears of it, A does not.
    const others = await file(adminX, orgX, orgY, { expiryDate: '2025-06-30' });
    // Filing decisions (R8, R11), an amendment (R12), an incident (R14) and a termination (R13), each through the API.
    const ended = await file(filerA, orgA, orgB);
    await uploadAll(t, filerA, ended);
    const act = async (token: string, path: string, body: object = {}) => {
      const res = await t.http
        .post(`/contracts/${ended}${path}`)
        .set(...bearer(token))
        .send(body);
      expect(res.status).toBeLessThan(300);
    };
    await act(filerA, '/filings/processor/submit');
    await act(gdCac, '/filings/processor/review', { decision: 'RETURN', reason: 'the letter of undertaking is unsigned' });
    await act(filerA, '/filings/processor/submit');
    await act(gdCac, '/filings/processor/review', { decision: 'ACCEPT' });
    const base = termsOf(contractBody(orgA, orgB));
    await act(filerA, '/amendments', { ...base, effectiveDate: '2025-06-01', annex: { ...(base.annex as object), otherMatters: 'contact point changed' } });
    await act(adminB, '/incidents', { occurredAt: '2025-07-01T02:00:00Z', description: 'a misdirected e-mail', affectedDataSubjects: 3 });
    await act(filerA, '/terminate', { terminatedOn: today, reason: 'the service ended' });
    // The log's self-audit finds a record whose stored hash is not its leaf's.
    const logged = await postTransfers(t, filerA, [transferRecord(current)]);
    expect(logged.status).toBe(201);
    const superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
    try {
      await superuser.query('SET session_replication_role = replica');
      await superuser.query(`UPDATE transfer_records SET leaf_hash = sha256('not the leaf'::bytea) WHERE leaf_index = $1`, [logged.body.records[0].leafIndex]);
    } finally {
      await superuser.end();
    }

    const ours = new Set([current, lapsed, ended]);
    const expected = ALL_TYPES.filter((type) => type !== 'ledger.integrity_alert');
    await eventually(() => {
      const types = new Set(receiver.at('/a').map((r) => r.json.type));
      for (const type of expected) expect(types).toContain(type);
      expect(receiver.at('/cac').map((r) => r.json.data)).toContainEqual(
        expect.objectContaining({ kind: 'leaf-hash', index: logged.body.records[0].leafIndex }),
      );
      expect(receiver.at('/x').map((r) => r.json.data.contractId)).toContain(others);
    });

    // Every request, to every receiver, verifies with that receiver's secret, and a tampered body does not.
    const all = receiver.received.filter((r) => secrets[r.path]);
    for (const r of all) {
      expect(r.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(verifyStandardWebhook(secrets[r.path], r)).toBe(true);
      expect(verifyStandardWebhook(secrets[r.path], { ...r, body: r.body.replace('"data"', '"data" ') })).toBe(false);
      expect(verifyStandardWebhook(secrets[r.path === '/a' ? '/x' : '/a'], r)).toBe(false);
      expect(ALL_TYPES).toContain(r.json.type);
      expect(r.json.timestamp).toEqual(expect.any(String));
    }
    const kinds = new Set(all.map((r) => r.json.type));
    expect([...kinds].sort()).toEqual([...ALL_TYPES].sort());

    // A hears of its own contracts only, and never of the log's integrity (organisations do not read it).
    const atA = receiver.at('/a');
    expect(atA.every((r) => ours.has(String(r.json.data.contractId)))).toBe(true);
    expect(atA.map((r) => r.json.type)).not.toContain('ledger.integrity_alert');
    // X hears nothing of A's contracts.
    expect(receiver.at('/x').filter((r) => ours.has(String(r.json.data.contractId)))).toEqual([]);
    // The Mainland regulator hears of every contract touching its side, and of the log's integrity.
    const atCac = new Set(receiver.at('/cac').map((r) => String(r.json.data.contractId)));
    for (const id of [current, lapsed, ended, others]) expect(atCac).toContain(id);

    // What the payloads say (docs/api.md#events).
    const dueSoon = atA.filter((r) => r.json.type === 'filing.due_soon' && r.json.data.contractId === current);
    expect(dueSoon.map((r) => r.json.data.party).sort()).toEqual(['processor', 'recipient']);
    expect(dueSoon[0].json.data).toMatchObject({ processorId: orgA, recipientId: orgB, status: 'NOT_SUBMITTED', dueSoonWorkingDays: 30 });
    const overdue = atA.filter((r) => r.json.type === 'filing.overdue' && r.json.data.contractId === lapsed);
    expect(overdue.map((r) => r.json.data.party).sort()).toEqual(['processor', 'recipient']);
    // (The scans may also find its filings overdue, and the returned one due soon for resubmission: not history.)
    const history = atA.filter((r) => r.json.data.contractId === ended && !['filing.overdue', 'filing.due_soon'].includes(r.json.type)).map((r) => r.json);
    expect(history.map((e) => e.type)).toEqual([
      'filing.submitted',
      'filing.returned',
      'filing.submitted',
      'filing.accepted',
      'contract.amended',
      'incident.reported',
      'contract.terminated',
    ]);
    expect(history[1].data).toMatchObject({
      party: 'processor',
      fromStatus: 'SUBMITTED',
      toStatus: 'RETURNED',
      reason: 'the letter of undertaking is unsigned',
    });
    expect(history[3].data).toMatchObject({ party: 'processor', toStatus: 'ACCEPTED', filingNumber: expect.any(String) });
    expect(history[4].data).toMatchObject({ version: 2, refilingRequired: false, changedFields: ['effectiveDate', 'annex.otherMatters'] });
    expect(history[5].data).toMatchObject({ party: 'recipient', affectedDataSubjects: 3, incidentId: expect.any(String) });
    expect(history[5].data).not.toHaveProperty('description');
    expect(history[6].data).toMatchObject({ contractId: ended, processorId: orgA, recipientId: orgB, terminatedOn: today, reason: 'the service ended' });
    expect(atA.filter((r) => r.json.type === 'contract.expired').map((r) => r.json.data)).toEqual([
      { contractId: lapsed, processorId: orgA, recipientId: orgB, expiryDate: '2025-06-30' },
    ]);
    // The tampered leaf, and whatever else the audit finds because of it (a checkpoint's root), each alerted once.
    const alerts = receiver.at('/cac').filter((r) => r.json.type === 'ledger.integrity_alert');
    expect(alerts.map((r) => r.json.data)).toContainEqual(expect.objectContaining({ kind: 'leaf-hash', level: 0, index: logged.body.records[0].leafIndex }));
    expect(new Set(alerts.map((r) => r.id)).size).toBe(alerts.length);

    // The scans run again and again; each notice is delivered once.
    const ids = atA.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The deliveries list what was sent.
    const listed = await deliveries(adminA, a.id);
    expect(listed.length).toBe(atA.length);
    expect(listed.every((d) => d.status === 'DELIVERED' && d.attempts.length === 1 && d.attempts[0].statusCode === 204)).toBe(true);
  }, 120_000);

  it('retries a failing receiver with backoff, records each attempt, and gives up after the last', async () => {
    const failing = await subscribe(adminB, '/fail', ['contract.expired']);
    const flaky = await subscribe(adminB, '/flaky', ['contract.expired']);
    const contract = await file(filerA, orgA, orgB, { expiryDate: '2025-03-31' });
    const failed = await eventually(async () => {
      const [d] = await deliveries(adminB, failing.id);
      expect(d).toMatchObject({ eventType: 'contract.expired', status: 'FAILED' });
      return d;
    });
    expect(failed.attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, null],
      [2, 500, null],
      [3, 500, null],
    ]);
    // One message id for every attempt; each attempt signed anew with its own timestamp.
    const sent = receiver.at('/fail').filter((r) => r.json.data.contractId === contract);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.id))).toEqual(new Set([failed.messageId]));
    for (const r of sent) expect(verifyStandardWebhook(failing.secret, r)).toBe(true);

    const recovered = await eventually(async () => {
      const [d] = await deliveries(adminB, flaky.id);
      expect(d.status).toBe('DELIVERED');
      return d;
    });
    expect(recovered.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 503],
      [2, 204],
    ]);
    const rows: Array<{ attempts: number }> = await t.dataSource.query(`SELECT attempts FROM webhook_deliveries WHERE subscription_id = $1`, [failing.id]);
    expect(rows).toEqual([{ attempts: 3 }]);
  }, 60_000);

  it('DELETE stops a subscription for its owner only; its deliveries stay on record', async () => {
    const doomed = await subscribe(adminX, '/x-doomed', ['contract.expired']);
    expect((await t.http.delete(`/webhooks/${doomed.id}`).set(...bearer(adminA))).status).toBe(404);
    expect((await t.http.get(`/webhooks/${doomed.id}/deliveries`).set(...bearer(adminA))).status).toBe(404);
    expect((await t.http.get(`/webhooks/${doomed.id}/deliveries`).set(...bearer(gdCac))).status).toBe(404);
    expect((await t.http.delete(`/webhooks/${doomed.id}`).set(...bearer(adminX))).status).toBe(204);
    expect((await t.http.delete(`/webhooks/${doomed.id}`).set(...bearer(adminX))).status).toBe(404);
    const listed = await t.http.get('/webhooks').set(...bearer(adminX));
    expect(listed.body.items.map((w: { id: string }) => w.id)).not.toContain(doomed.id);
    expect((await t.http.get(`/webhooks/${doomed.id}/deliveries`).set(...bearer(adminX))).status).toBe(200);
    // Nothing more is delivered to it.
    const later = await file(adminX, orgX, orgY, { expiryDate: '2025-04-30' });
    await eventually(async () => {
      const [event] = await t.dataSource.query('SELECT fanned_out_at FROM webhook_events WHERE once_key = $1', [`contract.expired:${later}:2025-04-30`]);
      expect(event?.fanned_out_at).toBeTruthy();
    });
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1', [doomed.id]);
    expect(n).toBe(0);
  });
});
