import type { Principal } from '../common/roles';
import { may } from '../access/access';
import { enrolmentScope, EnrolmentScope, mayTakeAction } from './enrolment-access';

const ORG = '11111111-1111-1111-1111-111111111111';
const OTHER = '22222222-2222-2222-2222-222222222222';
const mainland = { organisationId: ORG, jurisdiction: 'MAINLAND' as const };
const hongKong = { organisationId: ORG, jurisdiction: 'HONG_KONG' as const };

const principal = (p: Partial<Principal>): Principal => ({
  id: 'u',
  kind: 'user',
  role: 'ORG_ADMIN',
  organisationId: null,
  authority: null,
  email: null,
  ...p,
});
const admin = principal({ role: 'SYSTEM_ADMIN' });
const cac = principal({ role: 'REGULATOR', authority: 'GD_CAC' });
const dpo = principal({ role: 'REGULATOR', authority: 'HK_DPO' });
const pcpd = principal({ role: 'REGULATOR', authority: 'HK_PCPD' });
const own = principal({ role: 'ORG_FILER', organisationId: ORG });
const stranger = principal({ role: 'ORG_ADMIN', organisationId: OTHER });
const service = principal({ role: 'ORG_SYSTEM', kind: 'service_account', organisationId: ORG });
/** Seeing an enrolment is the access policy's `enrolment.read` over the enrolment's scope. */
const canSeeEnrolment = (p: Principal, enrolment: EnrolmentScope): boolean => may(p, 'enrolment.read', enrolmentScope(enrolment));

describe('canSeeEnrolment', () => {
  it('admins all, regulators their side (PCPD included), organisations their own', () => {
    expect(canSeeEnrolment(admin, mainland)).toBe(true);
    expect(canSeeEnrolment(cac, mainland)).toBe(true);
    expect(canSeeEnrolment(cac, hongKong)).toBe(false);
    expect(canSeeEnrolment(dpo, hongKong)).toBe(true);
    expect(canSeeEnrolment(pcpd, hongKong)).toBe(true);
    expect(canSeeEnrolment(pcpd, mainland)).toBe(false);
    expect(canSeeEnrolment(own, mainland)).toBe(true);
    expect(canSeeEnrolment(stranger, mainland)).toBe(false);
    expect(canSeeEnrolment(principal({ role: 'REGULATOR', authority: null }), mainland)).toBe(false);
  });
});

describe('mayTakeAction', () => {
  it('ENROL and DECLINE: admins and writing regulators of the organisation’s side', () => {
    for (const action of ['ENROL', 'DECLINE'] as const) {
      expect(mayTakeAction(admin, action, mainland)).toBe(true);
      expect(mayTakeAction(cac, action, mainland)).toBe(true);
      expect(mayTakeAction(dpo, action, hongKong)).toBe(true);
      expect(mayTakeAction(dpo, action, mainland)).toBe(false);
      expect(mayTakeAction(pcpd, action, hongKong)).toBe(false);
      expect(mayTakeAction(own, action, mainland)).toBe(false);
    }
  });

  it('WITHDRAW: the organisation’s own users only (not its service accounts)', () => {
    expect(mayTakeAction(own, 'WITHDRAW', mainland)).toBe(true);
    expect(mayTakeAction(principal({ role: 'ORG_ADMIN', organisationId: ORG }), 'WITHDRAW', mainland)).toBe(true);
    expect(mayTakeAction(stranger, 'WITHDRAW', mainland)).toBe(false);
    expect(mayTakeAction(service, 'WITHDRAW', mainland)).toBe(false);
    expect(mayTakeAction(admin, 'WITHDRAW', mainland)).toBe(false);
    expect(mayTakeAction(cac, 'WITHDRAW', mainland)).toBe(false);
  });

  it('ACTIVATE: nobody over HTTP', () => {
    for (const p of [admin, cac, own]) expect(mayTakeAction(p, 'ACTIVATE', mainland)).toBe(false);
  });
});
