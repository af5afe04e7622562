/*
 * Issue 8.5 — access-control matrix: every route (from the live route list) ×
 * every caller × own / other target, against the one declared table in
 * access-matrix.ts. A route without an entry fails.
 */
import { contractBody, PDF } from '../contracts/fixtures';
import { transferRecord } from '../transfers/support';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, createOrganisation, nextBrn, nextUscc, startTestApp, TestApp } from '../support/app';
import { listRoutes, RouteAuth } from '../support/routes';
import { ACCESS_MATRIX, Caller, CALLERS, Outcome, Scope } from './access-matrix';
import { saveSection } from './support';

interface World {
  tokens: Record<Exclude<Caller, 'anonymous'>, string>;
  orgA: string;
  orgB: string;
  orgX: string;
  contract: { own: string; other: string };
  document: { own: string; other: string };
  leaf: { own: number; other: number };
  victim: { own: string; other: string };
  /** Service accounts to disable and rotate (not ORG_SYSTEM's own, which the other cells use). */
  account: { own: string; other: string };
  enrolment: { A: string; B: string; X: string };
  /** Webhook subscriptions per owner: organisations A and X, each authority; `doomed` ones for DELETE. */
  webhook: Record<string, string>;
  doomed: Record<string, string>;
  /** The notices of a terminated contract of A with B (R13), per authority addressed. */
  notice: { GD_CAC: string; HK_DPO: string };
}

const REGULATORS = new Set<Caller>(['GD_CAC', 'HK_DPO', 'HK_PCPD', 'MO_DSPDP']);
let unique = 0;

function outcomeOf(status: number): Outcome | 'server error' {
  if (status >= 500) return 'server error';
  if (status === 401 || status === 403 || status === 404) return status;
  return 'ok';
}

describe('access-control matrix', () => {
  let t: TestApp;
  let w: World;
  let routes: RouteAuth[];

  beforeAll(async () => {
    t = await startTestApp();
    const orgA = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'SHENZHEN' });
    const orgB = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const orgX = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'GUANGZHOU' });
    const orgY = await createOrganisation(t, { jurisdiction: 'HONG_KONG' });
    const filerA = await t.user('ORG_FILER', { organisationId: orgA });
    const adminA = await t.user('ORG_ADMIN', { organisationId: orgA });
    const adminB = await t.user('ORG_ADMIN', { organisationId: orgB });
    const filerX = await t.user('ORG_FILER', { organisationId: orgX });
    const adminX = await t.user('ORG_ADMIN', { organisationId: orgX });
    const account = await t.http
      .post(`/organisations/${orgA}/service-accounts`)
      .set(...bearer(t.adminToken))
      .send({ name: 'matrix' });
    const machine = await t.http
      .post('/auth/token')
      .send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
    const own = await t.http
      .post('/contracts')
      .set(...bearer(filerA.token))
      .send(contractBody(orgA, orgB));
    const other = await t.http
      .post('/contracts')
      .set(...bearer(filerX.token))
      .send(contractBody(orgX, orgY));
    const upload = async (token: string, contractId: string) =>
      (
        await t.http
          .post(`/contracts/${contractId}/documents`)
          .set(...bearer(token))
          .field('kind', 'SIGNED_CONTRACT')
          .attach('file', PDF(`m${++unique}`), { filename: 'c.pdf', contentType: 'application/pdf' })
      ).body.id as string;
    const log = async (token: string, contractId: string) =>
      (
        await t.http
          .post('/transfers')
          .set(...bearer(token))
          .send({ records: [transferRecord(contractId)] })
      ).body.records[0].leafIndex as number;
    const enrol = async (token: string) =>
      (
        await t.http
          .post('/rollout/enrolments')
          .set(...bearer(token))
          .send({ regime: 'GBA_MAINLAND_HK' })
      ).body.id as string;
    const regulators = {
      GD_CAC: (await t.user('REGULATOR', { authority: 'GD_CAC' })).token,
      HK_DPO: (await t.user('REGULATOR', { authority: 'HK_DPO' })).token,
      HK_PCPD: (await t.user('REGULATOR', { authority: 'HK_PCPD' })).token,
      MO_DSPDP: (await t.user('REGULATOR', { authority: 'MO_DSPDP' })).token,
    };
    const subscribe = async (token: string) =>
      (
        await t.http
          .post('/webhooks')
          .set(...bearer(token))
          .send({ url: 'https://hooks.example.com/matrix', eventTypes: ['filing.returned'] })
      ).body.id as string;
    const subscriptions = async () => ({
      A: await subscribe(adminA.token),
      X: await subscribe(adminX.token),
      GD_CAC: await subscribe(regulators.GD_CAC),
      HK_DPO: await subscribe(regulators.HK_DPO),
      HK_PCPD: await subscribe(regulators.HK_PCPD),
      MO_DSPDP: await subscribe(regulators.MO_DSPDP),
    });
    const ended = await t.http
      .post('/contracts')
      .set(...bearer(filerA.token))
      .send(contractBody(orgA, orgB));
    await t.http
      .post(`/contracts/${ended.body.id}/terminate`)
      .set(...bearer(filerA.token))
      .send({ terminatedOn: '2026-12-31', reason: 'matrix' });
    const notices: Array<{ id: string; authority: string }> = (
      await t.http
        .get('/notices')
        .query({ contractId: ended.body.id })
        .set(...bearer(t.adminToken))
    ).body.items;
    const noticeOf = (authority: string) => notices.find((n) => n.authority === authority)?.id;
    w = {
      notice: { GD_CAC: noticeOf('GD_CAC')!, HK_DPO: noticeOf('HK_DPO')! },
      webhook: await subscriptions(),
      doomed: await subscriptions(),
      tokens: {
        SYSTEM_ADMIN: t.adminToken,
        ...regulators,
        ORG_ADMIN: adminA.token,
        ORG_FILER: filerA.token,
        ORG_SYSTEM: machine.body.accessToken,
      },
      orgA,
      orgB,
      orgX,
      contract: { own: own.body.id, other: other.body.id },
      document: { own: await upload(filerA.token, own.body.id), other: await upload(filerX.token, other.body.id) },
      leaf: { own: await log(filerA.token, own.body.id), other: await log(filerX.token, other.body.id) },
      victim: { own: (await t.user('ORG_FILER', { organisationId: orgA })).id, other: (await t.user('ORG_FILER', { organisationId: orgX })).id },
      enrolment: { A: await enrol(filerA.token), B: await enrol(adminB.token), X: await enrol(filerX.token) },
      account: {
        own: (
          await t.http
            .post(`/organisations/${orgA}/service-accounts`)
            .set(...bearer(t.adminToken))
            .send({ name: 'matrix victim' })
        ).body.id,
        other: (
          await t.http
            .post(`/organisations/${orgX}/service-accounts`)
            .set(...bearer(t.adminToken))
            .send({ name: 'matrix victim' })
        ).body.id,
      },
    };
    for (const [k, v] of Object.entries(w))
      if (v === undefined || JSON.stringify(v).includes('null')) throw new Error(`matrix fixture ${k} failed: ${JSON.stringify(v)}`);
    routes = listRoutes(t.app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
  }, 120_000);

  afterAll(async () => t?.close());

  /** The request a caller makes for a route, aimed at its own or the other target. */
  function requestFor(route: RouteAuth, caller: Caller, scope: Scope): { url: string; body?: object; multipart?: boolean } {
    const regulator = REGULATORS.has(caller);
    const mainlandSide = caller === 'GD_CAC';
    // Regulators: own side / other side. Everyone else: A / X.
    const organisation = regulator ? ((scope === 'own') === mainlandSide ? w.orgA : w.orgB) : scope === 'own' ? w.orgA : w.orgX;
    const enrolment = regulator ? ((scope === 'own') === mainlandSide ? w.enrolment.A : w.enrolment.B) : scope === 'own' ? w.enrolment.A : w.enrolment.X;
    const party = regulator ? ((scope === 'own') === mainlandSide ? 'processor' : 'recipient') : 'processor';
    const contract = w.contract[scope];
    const processor = scope === 'own' ? w.orgA : w.orgX;
    const key = `${route.method} ${route.path}`;
    // Webhooks: one's own organisation's or authority's; the other organisation's, or another authority's.
    const webhooks = key === 'DELETE /webhooks/:id' ? w.doomed : w.webhook;
    const webhook = regulator ? webhooks[scope === 'own' ? caller : caller === 'GD_CAC' ? 'HK_DPO' : 'GD_CAC'] : webhooks[scope === 'own' ? 'A' : 'X'];
    // Notices: the one addressed to the caller's own authority (the PCPD: its side's, the DPO's), or the other side's.
    const notice = (scope === 'own') === mainlandSide ? w.notice.GD_CAC : w.notice.HK_DPO;
    let url = route.path
      .replace(/^\/contracts\/:id/, `/contracts/${contract}`)
      .replace(/^\/organisations\/:id/, `/organisations/${organisation}`)
      .replace(/^\/users\/:id/, `/users/${w.victim[scope]}`)
      .replace(/^\/rollout\/enrolments\/:id/, `/rollout/enrolments/${enrolment}`)
      .replace(/^\/webhooks\/:id/, `/webhooks/${webhook}`)
      .replace(/^\/notices\/:id/, `/notices/${notice}`)
      .replace(/^\/rules\/settings\/:code/, '/rules/settings/STORAGE_LOCATION')
      .replace(/^\/rules\/refiling-triggers\/:code/, '/rules/refiling-triggers/MATRIX_TRIGGER')
      .replace(':documentId', w.document[scope])
      .replace(':accountId', w.account[scope])
      .replace(':party', party)
      .replace(':name', 'app.js')
      .replace(':n', '1')
      .replace('/*', '/index.html');
    const query: Record<string, string> = {
      'GET /calendar/deadline': 'jurisdiction=HONG_KONG&from=2025-01-02&workingDays=10',
      'GET /ledger/entries': 'start=0&end=2',
      'GET /ledger/proofs/inclusion': `leafIndex=${w.leaf[scope]}&treeSize=2`,
      'GET /ledger/proofs/consistency': 'first=1&second=2',
      'GET /transfers/summary': `contractId=${contract}`,
      'GET /transfers/export': 'format=ndjson',
    };
    if (query[key]) url += `?${query[key]}`;
    const n = ++unique;
    const bodies: Record<string, object> = {
      'POST /auth/token': { grantType: 'password', email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      'POST /users': { email: `matrix-${n}@example.test`, password: 'matrix password 123', role: 'ORG_FILER', organisationId: organisation },
      'POST /organisations/:id/service-accounts': { name: `matrix ${n}` },
      // Refused by validation (too short) after the access check: no token of the matrix is revoked.
      'POST /users/me/password': { currentPassword: 'not checked', newPassword: 'short' },
      // Refused by the strength rule (400) after the access check: the victim's password stays.
      'POST /users/:id/password': { newPassword: 'password1234' },
      'POST /calendar/overrides': { jurisdiction: 'HONG_KONG', date: `2031-0${1 + (n % 9)}-1${n % 10}`, kind: 'CLOSURE', reason: 'matrix' },
      'POST /contracts': contractBody(processor, scope === 'own' ? w.orgB : w.orgA),
      'POST /contracts/:id/amendments': (() => {
        const { processorId: _p, recipientId: _r, ...terms } = contractBody(processor, w.orgB);
        return terms;
      })(),
      'POST /contracts/:id/amendments/preview': (() => {
        const { processorId: _p, recipientId: _r, ...terms } = contractBody(processor, w.orgB);
        return terms;
      })(),
      'POST /contracts/:id/terminate': { terminatedOn: '2026-12-31', reason: 'matrix' },
      'POST /contracts/:id/incidents': { occurredAt: '2025-03-01T02:00:00Z', description: 'matrix', affectedDataSubjects: 1 },
      'POST /contracts/:id/filings/:party/review': { decision: 'RETURN', reason: 'matrix' },
      // Regulators register on their own side (own) or the other side (other); others a Hong Kong organisation.
      'POST /organisations': (regulator ? (scope === 'own') === mainlandSide : false)
        ? { legalName: `Matrix ${n}`, jurisdiction: 'MAINLAND', city: 'SHENZHEN', identifierType: 'USCC', identifier: nextUscc(), sector: 'BANKING' }
        : { legalName: `Matrix ${n}`, jurisdiction: 'HONG_KONG', city: 'HONG_KONG', identifierType: 'HK_BRN', identifier: nextBrn(), sector: 'BANKING' },
      'POST /rollout/regimes': { code: `MATRIX_${n}`, name: 'Matrix', sides: ['MAINLAND', 'MACAO'], opensOn: '2030-01-01' },
      'POST /rollout/phases': { regime: 'GBA_MAINLAND_HK', opensOn: '2031-01-01', name: `Matrix ${n}` },
      'POST /rollout/enrolments': { regime: 'GBA_MAINLAND_HK' },
      // The value as seeded, so the other cells' contracts meet the same rules; an inactive trigger changes no verdict.
      'PUT /rules/settings/:code': { value: 'REFUSE', source: 'assumption', confidence: 'A' },
      'PUT /rules/refiling-triggers/:code': {
        field: 'annex.otherMatters',
        change: 'CHANGED',
        active: false,
        source: 'assumption',
        confidence: 'A',
        labels: { en: 'Matrix', 'zh-Hant': '矩陣', 'zh-Hans': '矩阵' },
      },
      'PATCH /rollout/enrolments/:id': { action: 'WITHDRAW', reason: 'matrix' },
      'POST /transfers': { records: [transferRecord(contract)] },
      'POST /webhooks': { url: `https://hooks.example.com/matrix-${n}`, eventTypes: ['contract.terminated'] },
    };
    return { url, body: bodies[key], multipart: key === 'POST /contracts/:id/documents' };
  }

  it('every route has an entry in access-matrix.ts', () => {
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((k) => !ACCESS_MATRIX[k]);
    expect(missing).toEqual([]);
    const stale = Object.keys(ACCESS_MATRIX).filter((k) => !routes.some((r) => `${r.method} ${r.path}` === k));
    expect(stale).toEqual([]);
  });

  it('answers every route × caller × target as the table says', async () => {
    const mismatches: string[] = [];
    let cells = 0;
    let serverErrors = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const row = ACCESS_MATRIX[key];
      if (!row) continue;
      for (const caller of CALLERS) {
        for (const scope of ['own', 'other'] as const) {
          const cell = row[caller];
          const expected = typeof cell === 'object' ? cell[scope] : cell;
          const request = requestFor(route, caller, scope);
          let req = t.http[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](request.url);
          if (caller !== 'anonymous') req = req.set(...bearer(w.tokens[caller]));
          if (request.multipart)
            req = req.field('kind', 'SIGNED_CONTRACT').attach('file', PDF(`cell ${++unique}`), { filename: 'c.pdf', contentType: 'application/pdf' });
          else if (request.body !== undefined) req = req.send(request.body);
          const res = await req;
          cells++;
          const actual = outcomeOf(res.status);
          if (actual === 'server error') serverErrors++;
          if (actual !== expected) mismatches.push(`${key} as ${caller} (${scope}): expected ${expected}, got ${res.status} ${String(res.text).slice(0, 160)}`);
        }
      }
    }
    saveSection('access-matrix', {
      title: 'Access-control matrix (route × caller × own/other)',
      figures: { routes: routes.length, callers: CALLERS.length, cells, mismatches: mismatches.length, unexpected5xx: serverErrors },
    });
    expect(mismatches).toEqual([]);
  }, 300_000);
});
