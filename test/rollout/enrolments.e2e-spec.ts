import { inTransaction } from '../../src/database/transaction';
import { enrolmentLifecycle } from '../../src/rollout/enrolment-lifecycle';
import { RolloutService } from '../../src/rollout/rollout.service';
import { bearer, startTestApp, TestApp } from '../support/app';
import { act, enrolmentIn, organisationWithUser, register, State } from './support';

describe('pilot enrolment (docs/api.md#sector-rollout-and-pilot-enrolment)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const statusOf = async (id: string): Promise<string> => (await t.dataSource.query('SELECT status FROM rollout_enrolments WHERE id = $1', [id]))[0].status;

  describe('registering interest', () => {
    it('an organisation user registers INTERESTED; phase defaults to the one that opens its sector', async () => {
      const banking = await organisationWithUser(t, { sector: 'BANKING' });
      const res = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(banking.token))
        .send({ regime: 'GBA_MAINLAND_HK' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        organisationId: banking.organisationId,
        regime: 'GBA_MAINLAND_HK',
        phaseNumber: 1,
        sector: 'BANKING',
        jurisdiction: 'MAINLAND',
        status: 'INTERESTED',
        allowedActions: ['DECLINE', 'ENROL', 'WITHDRAW'],
      });
      const retail = await organisationWithUser(t, { sector: 'RETAIL', jurisdiction: 'HONG_KONG' });
      expect((await register(t, retail)).phaseNumber).toBe(2);
    });

    it('an ORG_FILER may register too; a regulator or administrator may not (403)', async () => {
      const org = await organisationWithUser(t, { sector: 'HEALTHCARE' });
      const filer = await t.user('ORG_FILER', { organisationId: org.organisationId });
      expect(
        (
          await t.http
            .post('/rollout/enrolments')
            .set(...bearer(filer.token))
            .send({ regime: 'GBA_MAINLAND_HK' })
        ).status,
      ).toBe(201);
      const regulator = await t.user('REGULATOR', { authority: 'GD_CAC' });
      for (const token of [regulator.token, t.adminToken]) {
        const res = await t.http
          .post('/rollout/enrolments')
          .set(...bearer(token))
          .send({ regime: 'GBA_MAINLAND_HK' });
        expect(res.status).toBe(403);
      }
      expect((await t.http.post('/rollout/enrolments').send({ regime: 'GBA_MAINLAND_HK' })).status).toBe(401);
    });

    it('refuses a second live enrolment for the same regime and sector (409), allows one after WITHDRAW', async () => {
      const org = await organisationWithUser(t, { sector: 'INSURANCE' });
      const first = await register(t, org);
      const dup = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(org.token))
        .send({ regime: 'GBA_MAINLAND_HK' });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('DUPLICATE_ENROLMENT');
      expect((await act(t, org.token, first.id, 'WITHDRAW')).status).toBe(200);
      expect((await register(t, org)).status).toBe('INTERESTED');
    });

    it('400 names an unknown regime, sector, or a phase that does not cover the sector', async () => {
      const org = await organisationWithUser(t, { sector: 'RETAIL' });
      const unknown = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(org.token))
        .send({ regime: 'NO_SUCH', sector: 'NOPE' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['regime', 'sector']);
      const phases = (await t.http.get('/rollout/phases').query({ regime: 'GBA_MAINLAND_HK' })).body;
      const phase1 = phases.find((p: { number: number }) => p.number === 1);
      const wrong = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(org.token))
        .send({ regime: 'GBA_MAINLAND_HK', phaseId: phase1.id });
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'phaseId', rule: 'coversSector' })]);
      // The same phase is fine for a first-phase sector the organisation names explicitly.
      const ok = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(org.token))
        .send({ regime: 'GBA_MAINLAND_HK', phaseId: phase1.id, sector: 'HEALTHCARE' });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ sector: 'HEALTHCARE', phaseNumber: 1 });
    });
  });

  describe('every HTTP action from every state follows the declared table', () => {
    const states: State[] = ['INTERESTED', 'ENROLLED', 'ACTIVE', 'DECLINED', 'WITHDRAWN'];
    const actions = ['ENROL', 'DECLINE', 'WITHDRAW'] as const;
    const cases = states.flatMap((from) => actions.map((action) => [from, action] as const));

    it.each(cases)('%s --%s-->', async (from, action) => {
      const { org, id } = await enrolmentIn(t, from);
      expect(await statusOf(id)).toBe(from);
      const token = action === 'WITHDRAW' ? org.token : t.adminToken;
      const res = await act(t, token, id, action, `reason for ${action}`);
      if (enrolmentLifecycle.can(from, action)) {
        const to = enrolmentLifecycle.next(from, action);
        expect(res.status).toBe(200);
        expect(res.body.status).toBe(to);
        expect(await statusOf(id)).toBe(to);
        const history = (await t.http.get(`/rollout/enrolments/${id}/history`).set(...bearer(org.token))).body;
        expect(history[history.length - 1]).toMatchObject({ action, fromStatus: from, toStatus: to, reason: `reason for ${action}` });
      } else {
        expect(res.status).toBe(409);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', from, action, status: 409 });
        // What the caller may still ask for: ACTIVATE is the registry's (an accepted filing), never offered.
        expect(res.body.allowedActions).toEqual(enrolmentLifecycle.allowedActions(from).filter((a) => a !== 'ACTIVATE'));
        // `to` names where the action would lead where it is legal (every HTTP action is legal somewhere).
        expect(res.body.to).toBe(enrolmentLifecycle.transitions().find((tr) => tr.action === action)!.to);
        expect(await statusOf(id)).toBe(from);
      }
    });

    it('ACTIVATE is not an HTTP action (400)', async () => {
      const { id } = await enrolmentIn(t, 'ENROLLED');
      const res = await act(t, t.adminToken, id, 'ACTIVATE');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'action' })]);
    });
  });

  describe('who may act', () => {
    it('regulators of the organisation’s side enrol and decline; the other side gets 404; the PCPD 403', async () => {
      const mainland = await enrolmentIn(t, 'INTERESTED', { jurisdiction: 'MAINLAND' });
      const hk = await enrolmentIn(t, 'INTERESTED', { jurisdiction: 'HONG_KONG' });
      const cac = await t.user('REGULATOR', { authority: 'GD_CAC' });
      const dpo = await t.user('REGULATOR', { authority: 'HK_DPO' });
      const pcpd = await t.user('REGULATOR', { authority: 'HK_PCPD' });

      expect((await act(t, dpo.token, mainland.id, 'ENROL')).status).toBe(404);
      expect((await act(t, cac.token, hk.id, 'ENROL')).status).toBe(404);
      const pcpdTry = await act(t, pcpd.token, hk.id, 'DECLINE');
      expect(pcpdTry.status).toBe(403);
      expect(pcpdTry.body.code).toBe('FORBIDDEN');
      expect(await statusOf(hk.id)).toBe('INTERESTED');

      expect((await act(t, cac.token, mainland.id, 'ENROL')).body.status).toBe('ENROLLED');
      expect((await act(t, dpo.token, hk.id, 'DECLINE', 'capacity')).body.status).toBe('DECLINED');
      const history = (await t.http.get(`/rollout/enrolments/${hk.id}/history`).set(...bearer(pcpd.token))).body;
      expect(history[1]).toMatchObject({ action: 'DECLINE', actorId: dpo.id, actorRole: 'REGULATOR', reason: 'capacity' });
    });

    it('an organisation cannot enrol or decline itself; an administrator cannot withdraw for it (403)', async () => {
      const { org, id } = await enrolmentIn(t, 'INTERESTED');
      expect((await act(t, org.token, id, 'ENROL')).status).toBe(403);
      expect((await act(t, org.token, id, 'DECLINE')).status).toBe(403);
      expect((await act(t, t.adminToken, id, 'WITHDRAW')).status).toBe(403);
      expect(await statusOf(id)).toBe('INTERESTED');
    });

    it('another organisation’s enrolment is 404 for every route', async () => {
      const { id } = await enrolmentIn(t, 'INTERESTED');
      const other = await organisationWithUser(t);
      expect((await act(t, other.token, id, 'WITHDRAW')).status).toBe(404);
      expect((await t.http.get(`/rollout/enrolments/${id}`).set(...bearer(other.token))).status).toBe(404);
      expect((await t.http.get(`/rollout/enrolments/${id}/history`).set(...bearer(other.token))).status).toBe(404);
      expect((await t.http.get(`/rollout/enrolments/not-a-uuid`).set(...bearer(other.token))).status).toBe(404);
      const list = await t.http.get('/rollout/enrolments').set(...bearer(other.token));
      expect(list.body.items).toEqual([]);
      expect(await statusOf(id)).toBe('INTERESTED');
    });

    it('lists are scoped like organisations', async () => {
      const hk = await enrolmentIn(t, 'INTERESTED', { jurisdiction: 'HONG_KONG', sector: 'LOGISTICS' });
      const dpo = await t.user('REGULATOR', { authority: 'HK_DPO' });
      const own = await t.http.get('/rollout/enrolments').set(...bearer(hk.org.token));
      expect(own.body.items.map((e: { id: string }) => e.id)).toEqual([hk.id]);
      const side = await t.http
        .get('/rollout/enrolments')
        .query({ limit: 1000 })
        .set(...bearer(dpo.token));
      expect(side.body.items.length).toBeGreaterThan(0);
      expect(side.body.items.every((e: { jurisdiction: string }) => e.jurisdiction === 'HONG_KONG')).toBe(true);
      const all = await t.http
        .get('/rollout/enrolments')
        .query({ limit: 1000 })
        .set(...bearer(t.adminToken));
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM rollout_enrolments');
      expect(all.body.items).toHaveLength(count);
      const filtered = await t.http
        .get('/rollout/enrolments')
        .query({ sector: 'LOGISTICS' })
        .set(...bearer(t.adminToken));
      expect(filtered.body.items.map((e: { id: string }) => e.id)).toEqual([hk.id]);
      // Cursor pagination walks every row once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
          .get('/rollout/enrolments')
          .query(cursor ? { limit: 3, cursor } : { limit: 3 })
          .set(...bearer(t.adminToken));
        seen.push(...page.body.items.map((e) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(count);
      expect(seen).toHaveLength(count);
    });
  });

  describe('history and activation', () => {
    it('records every change with who and when, oldest first', async () => {
      const org = await organisationWithUser(t, { sector: 'SECURITIES' });
      const before = Date.now();
      const { id } = await register(t, org);
      await act(t, t.adminToken, id, 'ENROL');
      await act(t, org.token, id, 'WITHDRAW', 'merged with a group company');
      const res = await t.http.get(`/rollout/enrolments/${id}/history`).set(...bearer(t.adminToken));
      expect(res.status).toBe(200);
      const [adminUser] = await t.dataSource.query(`SELECT id FROM users WHERE role = 'SYSTEM_ADMIN' LIMIT 1`);
      expect(res.body).toEqual([
        expect.objectContaining({ action: 'REGISTER', fromStatus: null, toStatus: 'INTERESTED', actorId: org.userId, actorRole: 'ORG_ADMIN' }),
        expect.objectContaining({ action: 'ENROL', fromStatus: 'INTERESTED', toStatus: 'ENROLLED', actorId: adminUser.id, actorRole: 'SYSTEM_ADMIN' }),
        expect.objectContaining({
          action: 'WITHDRAW',
          fromStatus: 'ENROLLED',
          toStatus: 'WITHDRAWN',
          actorId: org.userId,
          reason: 'merged with a group company',
        }),
      ]);
      for (const row of res.body) expect(Date.parse(row.occurredAt)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('the application role can append history but never rewrite it', async () => {
      const { id } = await enrolmentIn(t, 'INTERESTED');
      await expect(t.dataSource.query(`UPDATE rollout_enrolment_history SET reason = 'x' WHERE enrolment_id = $1`, [id])).rejects.toThrow(/permission denied/);
      await expect(t.dataSource.query(`DELETE FROM rollout_enrolment_history WHERE enrolment_id = $1`, [id])).rejects.toThrow(/permission denied/);
    });

    it('activateEnrolments moves only ENROLLED enrolments of that organisation and regime, recording SYSTEM', async () => {
      const org = await organisationWithUser(t, { sector: 'BANKING' });
      const enrolled = await register(t, org);
      await act(t, t.adminToken, enrolled.id, 'ENROL');
      const interested = await register(t, org, { regime: 'GBA_MAINLAND_HK', sector: 'HEALTHCARE' });
      const rollout = t.app.get(RolloutService);
      const reviewer = await t.user('REGULATOR', { authority: 'GD_CAC' });
      await inTransaction(t.dataSource, (m) => rollout.activateEnrolments(org.organisationId, 'GBA_MAINLAND_HK', m, reviewer.id));
      expect(await statusOf(enrolled.id)).toBe('ACTIVE');
      expect(await statusOf(interested.id)).toBe('INTERESTED');
      const history = (await t.http.get(`/rollout/enrolments/${enrolled.id}/history`).set(...bearer(org.token))).body;
      expect(history[history.length - 1]).toMatchObject({
        action: 'ACTIVATE',
        fromStatus: 'ENROLLED',
        toStatus: 'ACTIVE',
        actorId: reviewer.id,
        actorRole: 'SYSTEM',
      });
      // Again: nothing left to activate, no new history.
      await inTransaction(t.dataSource, (m) => rollout.activateEnrolments(org.organisationId, 'GBA_MAINLAND_HK', m, reviewer.id));
      const again = (await t.http.get(`/rollout/enrolments/${enrolled.id}/history`).set(...bearer(org.token))).body;
      expect(again).toHaveLength(history.length);
    });

    it('activation rolls back with the caller’s transaction', async () => {
      const { org, id } = await enrolmentIn(t, 'ENROLLED', { sector: 'TECHNOLOGY' });
      const rollout = t.app.get(RolloutService);
      await expect(
        inTransaction(t.dataSource, async (m) => {
          await rollout.activateEnrolments(org.organisationId, 'GBA_MAINLAND_HK', m, org.userId);
          throw new Error('filing acceptance failed later in the transaction');
        }),
      ).rejects.toThrow('filing acceptance failed');
      expect(await statusOf(id)).toBe('ENROLLED');
      const history = await t.dataSource.query(`SELECT action FROM rollout_enrolment_history WHERE enrolment_id = $1 ORDER BY id`, [id]);
      expect(history.map((h: { action: string }) => h.action)).toEqual(['REGISTER', 'ENROL']);
    });
  });
});
