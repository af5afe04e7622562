import {
  actsFor,
  allowedIds,
  audienceMay,
  audienceScope,
  Bind,
  callerScope,
  creatableRoles,
  holds,
  may,
  ResourceScope,
  rolesActingFor,
  scopeBranches,
  scopeWhere,
} from './access';
import { AccessPolicy, Permission, Principal, REGISTRY_POLICY, sideOfAuthority } from './policy';

const A = '11111111-1111-4111-8111-111111111111'; // Mainland processor
const B = '22222222-2222-4222-8222-222222222222'; // Hong Kong recipient
const X = '33333333-3333-4333-8333-333333333333'; // another organisation

const principal = (over: Partial<Principal>): Principal => ({
  id: 'p',
  kind: 'user',
  role: 'SYSTEM_ADMIN',
  organisationId: null,
  authority: null,
  email: null,
  ...over,
});
const admin = principal({});
const cac = principal({ role: 'REGULATOR', authority: 'GD_CAC' });
const dpo = principal({ role: 'REGULATOR', authority: 'HK_DPO' });
const pcpd = principal({ role: 'REGULATOR', authority: 'HK_PCPD' });
const filerA = principal({ role: 'ORG_FILER', organisationId: A });
const adminA = principal({ role: 'ORG_ADMIN', organisationId: A });
const serviceA = principal({ role: 'ORG_SYSTEM', kind: 'service_account', organisationId: A });
const filerX = principal({ role: 'ORG_FILER', organisationId: X });
const regulatorWithoutAuthority = principal({ role: 'REGULATOR', authority: null });

/** A contract between Mainland A and Hong Kong B (R2: one party on each side). */
const contract: ResourceScope = { parties: [A, B], sides: ['MAINLAND', 'HONG_KONG'] };
const mainlandOrganisation: ResourceScope = { parties: [A], sides: ['MAINLAND'] };
const hongKongOrganisation: ResourceScope = { parties: [B], sides: ['HONG_KONG'] };

describe('the authorities', () => {
  it('each supervises one side; the PCPD reads only', () => {
    expect(sideOfAuthority('GD_CAC')).toBe('MAINLAND');
    expect(sideOfAuthority('HK_DPO')).toBe('HONG_KONG');
    expect(sideOfAuthority('HK_PCPD')).toBe('HONG_KONG');
    expect(REGISTRY_POLICY.authorities.HK_PCPD.readOnly).toBe(true);
  });
});

describe('contract.read (docs/api.md#authentication-and-roles)', () => {
  it('administrators all; regulators of either side; the parties; nobody else', () => {
    for (const p of [admin, cac, dpo, pcpd, filerA, adminA, serviceA]) expect(may(p, 'contract.read', contract)).toBe(true);
    expect(may(filerX, 'contract.read', contract)).toBe(false);
    expect(may(regulatorWithoutAuthority, 'contract.read', contract)).toBe(false);
    expect(may(principal({ role: 'ORG_FILER', organisationId: null }), 'contract.read', contract)).toBe(false);
  });

  it('a regulator does not see a contract that touches only the other side', () => {
    expect(may(dpo, 'contract.read', { parties: [A, X], sides: ['MAINLAND'] })).toBe(false);
    expect(may(cac, 'contract.read', { parties: [A, X], sides: ['MAINLAND'] })).toBe(true);
  });
});

describe('contract.file', () => {
  it("the processor's own organisation users only", () => {
    expect(may(filerA, 'contract.file', { parties: [A] })).toBe(true);
    expect(may(adminA, 'contract.file', { parties: [A] })).toBe(true);
    expect(may(filerA, 'contract.file', { parties: [B] })).toBe(false);
    expect(may(serviceA, 'contract.file', { parties: [A] })).toBe(false);
    expect(holds(admin, 'contract.file')).toBe(false);
    expect(holds(cac, 'contract.file')).toBe(false);
  });
});

describe('document.read (R8, R10)', () => {
  const processorDocument: ResourceScope = { parties: [A, B], sides: ['MAINLAND'] };
  const recipientDocument: ResourceScope = { parties: [A, B], sides: ['HONG_KONG'] };
  it('the parties both sides; a regulator its side; administrators none', () => {
    expect(may(filerA, 'document.read', processorDocument)).toBe(true);
    expect(may(filerA, 'document.read', recipientDocument)).toBe(true);
    expect(may(cac, 'document.read', processorDocument)).toBe(true);
    expect(may(cac, 'document.read', recipientDocument)).toBe(false);
    expect(may(dpo, 'document.read', recipientDocument)).toBe(true);
    expect(may(pcpd, 'document.read', recipientDocument)).toBe(true);
    expect(may(pcpd, 'document.read', processorDocument)).toBe(false);
    expect(may(admin, 'document.read', processorDocument)).toBe(false);
    expect(may(filerX, 'document.read', processorDocument)).toBe(false);
  });
});

describe('filing.review (R8)', () => {
  it('only the authority the filing was made with, and never the read-only PCPD', () => {
    expect(may(cac, 'filing.review', { authority: 'GD_CAC' })).toBe(true);
    expect(may(cac, 'filing.review', { authority: 'HK_DPO' })).toBe(false);
    expect(may(dpo, 'filing.review', { authority: 'HK_DPO' })).toBe(true);
    expect(holds(pcpd, 'filing.review')).toBe(false);
    expect(holds(admin, 'filing.review')).toBe(false);
    expect(holds(filerA, 'filing.review')).toBe(false);
  });
});

describe('organisations', () => {
  it('read: administrators all, regulators their side, organisation users their own', () => {
    expect(may(admin, 'organisation.read', mainlandOrganisation)).toBe(true);
    expect(may(cac, 'organisation.read', mainlandOrganisation)).toBe(true);
    expect(may(cac, 'organisation.read', hongKongOrganisation)).toBe(false);
    expect(may(pcpd, 'organisation.read', hongKongOrganisation)).toBe(true);
    expect(may(filerA, 'organisation.read', mainlandOrganisation)).toBe(true);
    expect(may(filerA, 'organisation.read', hongKongOrganisation)).toBe(false);
  });

  it('register and verify: administrators (register only) and the writing regulators of that side', () => {
    expect(may(admin, 'organisation.register', { sides: ['HONG_KONG'] })).toBe(true);
    expect(may(cac, 'organisation.register', { sides: ['MAINLAND'] })).toBe(true);
    expect(may(cac, 'organisation.register', { sides: ['HONG_KONG'] })).toBe(false);
    expect(holds(pcpd, 'organisation.register')).toBe(false);
    expect(may(dpo, 'organisation.verify', hongKongOrganisation)).toBe(true);
    expect(may(dpo, 'organisation.verify', mainlandOrganisation)).toBe(false);
    expect(holds(pcpd, 'organisation.verify')).toBe(false);
    expect(holds(admin, 'organisation.verify')).toBe(false);
  });

  it("manage users and service accounts: administrators, and the organisation's own administrator only", () => {
    expect(may(admin, 'organisation.manage', mainlandOrganisation)).toBe(true);
    expect(may(adminA, 'organisation.manage', mainlandOrganisation)).toBe(true);
    expect(may(adminA, 'organisation.manage', hongKongOrganisation)).toBe(false);
    expect(holds(filerA, 'organisation.manage')).toBe(false);
    expect(holds(cac, 'organisation.manage')).toBe(false);
  });
});

describe('enrolment.read (scoped like organisations)', () => {
  const mainland = { parties: [A], sides: ['MAINLAND'] };
  const hongKong = { parties: [A], sides: ['HONG_KONG'] };
  it('admins all; regulators their side; organisation users their own', () => {
    expect(may(admin, 'enrolment.read', mainland)).toBe(true);
    expect(may(cac, 'enrolment.read', mainland)).toBe(true);
    expect(may(cac, 'enrolment.read', hongKong)).toBe(false);
    expect(may(dpo, 'enrolment.read', hongKong)).toBe(true);
    expect(may(pcpd, 'enrolment.read', hongKong)).toBe(true);
    expect(may(pcpd, 'enrolment.read', mainland)).toBe(false);
    expect(may(filerA, 'enrolment.read', mainland)).toBe(true);
    expect(may(filerX, 'enrolment.read', mainland)).toBe(false);
    expect(may(regulatorWithoutAuthority, 'enrolment.read', mainland)).toBe(false);
  });
});

describe('the transfer log and the ledger', () => {
  it('transfer.log: the parties to the contract only', () => {
    expect(may(serviceA, 'transfer.log', contract)).toBe(true);
    expect(may(filerX, 'transfer.log', contract)).toBe(false);
    expect(holds(admin, 'transfer.log')).toBe(false);
    expect(holds(cac, 'transfer.log')).toBe(false);
  });

  it('leaf.read: every regulator and administrator, the parties their own leaves', () => {
    const leaf = { parties: [A, B] };
    for (const p of [admin, cac, dpo, pcpd, serviceA]) expect(may(p, 'leaf.read', leaf)).toBe(true);
    expect(may(filerX, 'leaf.read', leaf)).toBe(false);
  });
});

describe('accounts (POST /users)', () => {
  it('what an account of each role must name, and which roles each may create', () => {
    expect(actsFor('REGULATOR')).toBe('authority');
    expect(actsFor('ORG_FILER')).toBe('organisation');
    expect(actsFor('SYSTEM_ADMIN')).toBe('registry');
    expect(actsFor('NO_SUCH_ROLE')).toBeNull();
    expect(rolesActingFor('authority')).toEqual(['REGULATOR']);
    expect(creatableRoles(admin)).toEqual(['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER']);
    expect(creatableRoles(adminA)).toEqual(['ORG_ADMIN', 'ORG_FILER']);
    for (const p of [filerA, serviceA, cac]) expect(creatableRoles(p)).toEqual([]);
  });
});

describe('the bulk check', () => {
  it('returns the ids the caller may act on; an id without a resource (unknown) is never among them', () => {
    const resources: Array<[string, ResourceScope]> = [
      ['c1', contract],
      ['c2', { parties: [X, B], sides: ['MAINLAND', 'HONG_KONG'] }],
    ];
    expect([...allowedIds(filerA, 'contract.read', resources)]).toEqual(['c1']);
    expect([...allowedIds(dpo, 'contract.read', resources)]).toEqual(['c1', 'c2']);
    expect([...allowedIds(filerX, 'transfer.log', resources)]).toEqual(['c2']);
    expect(allowedIds(filerA, 'contract.read', []).size).toBe(0);
  });
});

/** Collects bound values as $1, $2, … the way a query does. */
function binder(): { bind: Bind; values: unknown[] } {
  const values: unknown[] = [];
  return { values, bind: (v) => (values.push(v), `$${values.length}`) };
}
const CONTRACT_COLUMNS = { parties: ['c.processor_id', 'c.recipient_id'], sides: ['c.processor_jurisdiction', 'c.recipient_jurisdiction'] };

describe('the scope as SQL', () => {
  it('administrators: no condition; the other conditions of the query are kept', () => {
    const { bind } = binder();
    expect(scopeBranches(callerScope(admin, 'contract.read'), CONTRACT_COLUMNS, bind)).toEqual(['TRUE']);
    expect(scopeBranches(callerScope(admin, 'contract.read'), CONTRACT_COLUMNS, bind, { where: ['c.x = 1'] })).toEqual(['c.x = 1']);
  });

  it("regulators: a party on the authority's side", () => {
    const { bind, values } = binder();
    expect(scopeWhere(callerScope(pcpd, 'contract.read'), CONTRACT_COLUMNS, bind)).toBe('((c.processor_jurisdiction = $1 OR c.recipient_jurisdiction = $1))');
    expect(values).toEqual(['HONG_KONG']);
  });

  it('parties: disjoint branches, one per party column', () => {
    const { bind, values } = binder();
    expect(scopeBranches(callerScope(filerA, 'contract.read'), CONTRACT_COLUMNS, bind)).toEqual([
      'c.processor_id = $1::uuid',
      'c.recipient_id = $1::uuid AND c.processor_id <> $1::uuid',
    ]);
    expect(values).toEqual([A]);
  });

  it("a party filter on a party's own scope seats both organisations, in either order", () => {
    const { bind, values } = binder();
    expect(scopeBranches(callerScope(filerA, 'contract.read'), CONTRACT_COLUMNS, bind, { parties: [B] })).toEqual([
      'c.processor_id = $1::uuid AND c.recipient_id = $2::uuid',
      'c.processor_id = $2::uuid AND c.recipient_id = $1::uuid',
    ]);
    expect(values).toEqual([B, A]);
    // Asking for oneself is the same as not asking.
    expect(scopeBranches(callerScope(filerA, 'contract.read'), CONTRACT_COLUMNS, binder().bind, { parties: [A] })).toHaveLength(2);
  });

  it('a caller who reaches nothing gets FALSE, never an unfiltered query', () => {
    for (const p of [regulatorWithoutAuthority, principal({ role: 'ORG_SYSTEM', organisationId: null })]) {
      expect(scopeBranches(callerScope(p, 'contract.read'), CONTRACT_COLUMNS, binder().bind)).toEqual(['FALSE']);
    }
    expect(scopeBranches(callerScope(admin, 'document.read'), CONTRACT_COLUMNS, binder().bind)).toEqual(['FALSE']);
  });
});

describe('a new authority or role is a change to the policy table only', () => {
  // A made-up Macao authority (R16: Mainland–Macao contracts are filed with Guangdong CAC or Macao's DSPDP).
  const withMacao: AccessPolicy = {
    ...REGISTRY_POLICY,
    authorities: { ...REGISTRY_POLICY.authorities, MO_TEST: { side: 'MACAO', readOnly: false } },
    roles: { ...REGISTRY_POLICY.roles, WITNESS_OPERATOR: { actsFor: null } },
  };
  const macao = { ...cac, authority: 'MO_TEST' } as unknown as Principal;
  const witness = principal({ role: 'WITNESS_OPERATOR' as Principal['role'] });
  const mainlandMacao: ResourceScope = { parties: [A, X], sides: ['MAINLAND', 'MACAO'] };

  it('the new authority reads what touches its side, and reviews the filings made with it', () => {
    expect(may(macao, 'contract.read', mainlandMacao, withMacao)).toBe(true);
    expect(may(macao, 'contract.read', contract, withMacao)).toBe(false);
    expect(may(macao, 'filing.review', { authority: 'MO_TEST' }, withMacao)).toBe(true);
    expect(may(macao, 'filing.review', { authority: 'GD_CAC' }, withMacao)).toBe(false);
    expect(may(macao, 'organisation.register', { sides: ['MACAO'] }, withMacao)).toBe(true);
    const { bind, values } = binder();
    expect(scopeWhere(callerScope(macao, 'transfer.read', withMacao), CONTRACT_COLUMNS, bind)).toContain('c.recipient_jurisdiction = $1');
    expect(values).toEqual(['MACAO']);
  });

  it('without the table entry, the same account reaches nothing (deny by default)', () => {
    expect(may(macao, 'contract.read', mainlandMacao)).toBe(false);
    expect(scopeBranches(callerScope(macao, 'transfer.read'), CONTRACT_COLUMNS, binder().bind)).toEqual(['FALSE']);
  });

  it('a role acting for nobody (a witness operator) reads nothing through the policy, and its accounts name nothing', () => {
    expect(actsFor('WITNESS_OPERATOR', withMacao)).toBeNull();
    expect(creatableRoles(witness, withMacao)).toEqual([]);
    for (const permission of Object.keys(REGISTRY_POLICY.permissions) as Permission[]) {
      expect(holds(witness, permission, withMacao)).toBe(false);
    }
    expect(holds(witness, 'contract.read')).toBe(false);
  });
});

describe('webhooks: who manages a subscription, and who may receive an event', () => {
  const ownedByA: ResourceScope = { parties: [A], authority: null };
  const ownedByCac: ResourceScope = { parties: [], authority: 'GD_CAC' };

  it('an organisation administrator manages its organisation’s; a regulator its authority’s (the PCPD too); nobody else', () => {
    expect(may(adminA, 'webhook.manage', ownedByA)).toBe(true);
    expect(may(adminA, 'webhook.manage', ownedByCac)).toBe(false);
    expect(may(cac, 'webhook.manage', ownedByCac)).toBe(true);
    expect(may(dpo, 'webhook.manage', ownedByCac)).toBe(false);
    expect(holds(pcpd, 'webhook.manage')).toBe(true);
    for (const p of [filerA, serviceA, admin, regulatorWithoutAuthority]) expect(holds(p, 'webhook.manage')).toBe(false);
  });

  it('an audience reads as its users do: parties their contracts, regulators their side', () => {
    const a = { actsFor: 'organisation', organisationId: A } as const;
    const x = { actsFor: 'organisation', organisationId: X } as const;
    expect(audienceMay(a, 'contract.read', contract)).toBe(true);
    expect(audienceMay(x, 'contract.read', contract)).toBe(false);
    expect(audienceMay({ actsFor: 'authority', authority: 'GD_CAC' }, 'contract.read', contract)).toBe(true);
    expect(audienceMay({ actsFor: 'authority', authority: 'HK_PCPD' }, 'contract.read', { parties: [X], sides: ['MAINLAND'] })).toBe(false);
    expect(audienceMay({ actsFor: 'authority', authority: 'NOBODY' }, 'contract.read', contract)).toBe(false);
  });

  it('the log’s integrity reaches every authority and no organisation; a change is never an audience’s', () => {
    expect(audienceScope({ actsFor: 'authority', authority: 'HK_PCPD' }, 'ledger.integrity.read')).toEqual({ kind: 'all' });
    expect(audienceScope({ actsFor: 'organisation', organisationId: A }, 'ledger.integrity.read')).toEqual({ kind: 'none' });
    expect(audienceScope({ actsFor: 'authority', authority: 'GD_CAC' }, 'filing.review')).toEqual({ kind: 'none' });
  });
});
