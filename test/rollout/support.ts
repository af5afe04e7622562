import { inTransaction } from '../../src/database/transaction';
import { RolloutService } from '../../src/rollout/rollout.service';
import { bearer, createOrganisation, OrganisationInput, TestApp } from '../support/app';

export interface EnrollingOrganisation {
  organisationId: string;
  /** An ORG_ADMIN of the organisation. */
  token: string;
  userId: string;
}

/** An organisation with one ORG_ADMIN user. */
export async function organisationWithUser(t: TestApp, input: OrganisationInput = {}): Promise<EnrollingOrganisation> {
  const organisationId = await createOrganisation(t, input);
  const user = await t.user('ORG_ADMIN', { organisationId });
  return { organisationId, token: user.token, userId: user.id };
}

export async function register(t: TestApp, org: EnrollingOrganisation, body: Record<string, unknown> = { regime: 'GBA_MAINLAND_HK' }) {
  const res = await t.http
    .post('/rollout/enrolments')
    .set(...bearer(org.token))
    .send(body);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string; phaseNumber: number | null; sector: string };
}

export async function act(t: TestApp, token: string, id: string, action: string, reason?: string) {
  return t.http
    .patch(`/rollout/enrolments/${id}`)
    .set(...bearer(token))
    .send(reason ? { action, reason } : { action });
}

/** What the contracts module does when a filing is accepted: activate inside its transaction. */
export async function acceptFiling(t: TestApp, organisationId: string, actorId: string, regime = 'GBA_MAINLAND_HK'): Promise<void> {
  const rollout = t.app.get(RolloutService);
  await inTransaction(t.dataSource, (manager) => rollout.activateEnrolments(organisationId, regime, manager, actorId));
}

export type State = 'INTERESTED' | 'ENROLLED' | 'ACTIVE' | 'DECLINED' | 'WITHDRAWN';

/** A fresh organisation whose enrolment has been driven to `state` through the API (and the service for ACTIVE). */
export async function enrolmentIn(t: TestApp, state: State, input: OrganisationInput = {}) {
  const org = await organisationWithUser(t, input);
  const { id } = await register(t, org);
  const admin = await t.dataSource.query(`SELECT id FROM users WHERE role = 'SYSTEM_ADMIN' LIMIT 1`);
  const expectOk = async (p: Promise<{ status: number; body: unknown }>) => {
    const res = await p;
    if (res.status !== 200) throw new Error(`transition failed: ${res.status} ${JSON.stringify(res.body)}`);
  };
  if (state === 'ENROLLED' || state === 'ACTIVE') await expectOk(act(t, t.adminToken, id, 'ENROL'));
  if (state === 'ACTIVE') await acceptFiling(t, org.organisationId, admin[0].id);
  if (state === 'DECLINED') await expectOk(act(t, t.adminToken, id, 'DECLINE', 'not this round'));
  if (state === 'WITHDRAWN') await expectOk(act(t, org.token, id, 'WITHDRAW'));
  return { org, id };
}
