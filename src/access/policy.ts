// Who may read and act on what: the registry's one access policy, as data (docs/architecture.md#access).
// A new role, authority or permission is a change to this file only; the rest of the code asks
// src/access (access.ts, AccessService) and never looks at roles or authorities itself.

/** Roles (docs/api.md#authentication-and-roles). */
export const ROLES = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER', 'ORG_SYSTEM'] as const;
export type Role = (typeof ROLES)[number];

/** Users may hold these; ORG_SYSTEM is for service accounts only. */
export const USER_ROLES = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type Jurisdiction = 'MAINLAND' | 'HONG_KONG' | 'MACAO';

/**
 * Whom a role acts for: the whole registry (programme administrators), an authority (a regulator,
 * with the authority named on the account), or one organisation (its users and service accounts).
 * A role acting for nobody (`null`) may read and do nothing beyond what its routes admit.
 */
export type ActsFor = 'registry' | 'authority' | 'organisation' | null;

export interface RolePolicy {
  /** Also what an account of the role must name: an authority, or the organisation it belongs to. */
  actsFor: ActsFor;
  /** The roles of the users an account of this role may create (`POST /users`); none when absent. */
  createsUsers?: readonly Role[];
}

export const ROLE_POLICY: Record<Role, RolePolicy> = {
  SYSTEM_ADMIN: { actsFor: 'registry', createsUsers: USER_ROLES },
  REGULATOR: { actsFor: 'authority' },
  // An organisation administrator creates the users of its own organisation (organisation.manage).
  ORG_ADMIN: { actsFor: 'organisation', createsUsers: ['ORG_ADMIN', 'ORG_FILER'] },
  ORG_FILER: { actsFor: 'organisation' },
  ORG_SYSTEM: { actsFor: 'organisation' },
};

export interface AuthorityPolicy {
  /** The side of the boundary the authority supervises. */
  side: string;
  /** Audits only: reads what its side may read, never registers, verifies, reviews or administers. */
  readOnly: boolean;
}

/**
 * The authorities a regulator's account may name (docs/architecture.md#access `authority`; docs/rules.md#r8: each
 * party files with the authority of its own side). The registry's authorities are data (rollout_authorities,
 * docs/rules.md#r16), given to AccessService at start (`useAuthorities`); this is the seeded set, the policy
 * before the data is read and the one the unit tests use.
 */
export const AUTHORITY_POLICY: Readonly<Record<string, AuthorityPolicy>> = {
  // The Cyberspace Administration of Guangdong Province: the Mainland party's filings (R8).
  GD_CAC: { side: 'MAINLAND', readOnly: false },
  // The Digital Policy Office (the OGCIO before 2024-07-25): the Hong Kong party's filings (R8).
  HK_DPO: { side: 'HONG_KONG', readOnly: false },
  // The Privacy Commissioner for Personal Data audits the Hong Kong side read-only (docs/api.md#authentication-and-roles).
  HK_PCPD: { side: 'HONG_KONG', readOnly: true },
  // Macao's Personal Data Protection Bureau (個人資料保護局): the Macao party's filings under the
  // Mainland–Macao Standard Contract (R8, R16).
  MO_DSPDP: { side: 'MACAO', readOnly: false },
};

/** An authority's code: a row of rollout_authorities (docs/rules.md#r16). */
export type Authority = string;
/** The seeded authorities' codes (examples in the API description; the registry accepts any authority in the data). */
export const AUTHORITIES = Object.keys(AUTHORITY_POLICY);

/** The side of the boundary an authority supervises (its calendar, R9; whose filings it reviews, R8), or null when unknown. */
export function sideOfAuthority(authority: Authority, policy: Pick<AccessPolicy, 'authorities'> = REGISTRY_POLICY): Jurisdiction | null {
  return (policy.authorities[authority]?.side as Jurisdiction | undefined) ?? null;
}

/** Who is calling, as established by the JWT guard. */
export interface Principal {
  /** User id or service-account id. */
  id: string;
  kind: 'user' | 'service_account';
  role: Role;
  organisationId: string | null;
  authority: Authority | null;
  email: string | null;
}

/**
 * How far a permission reaches for a caller acting for the registry, an authority or an
 * organisation, measured against the resource's scope (`ResourceScope`):
 * - `all`: every resource;
 * - `side`: resources touching the authority's side (a party, or the document's party, on that side);
 * - `authority`: resources made with the caller's own authority (a filing);
 * - `party`: resources of the caller's own organisation (it is a party to them);
 * - `none` (or absent): no resource.
 */
export type Reach = 'all' | 'side' | 'authority' | 'party' | 'none';

export interface PermissionRule {
  registry?: Reach;
  authority?: Reach;
  organisation?: Reach;
  /** A change, not a read: never held by a read-only authority. */
  write?: true;
  /** Only these roles hold it, when given (otherwise every role acting for that kind of principal). */
  roles?: readonly Role[];
}

/** The permission list: every access decision in the registry names one of these. */
export const PERMISSIONS = {
  // A contract, its versions, filings, history and incidents: the parties; the regulators of either
  // side (a contract always touches both, R2); the administrators.
  'contract.read': { registry: 'all', authority: 'side', organisation: 'party' },
  // Notices of a contract's end (docs/rules.md#r13): each is addressed to the authority of one party's side; the
  // regulators of that side (the PCPD too, auditing it), the contract's parties and the administrators read it.
  'notice.read': { registry: 'all', authority: 'side', organisation: 'party' },
  // Only the authority a notice is addressed to acknowledges it, and only one that may write.
  'notice.acknowledge': { authority: 'authority', write: true },
  // A new contract is filed by the processor's own organisation users (R8: each party then files its own filing).
  'contract.file': { organisation: 'party', roles: ['ORG_ADMIN', 'ORG_FILER'] },
  // Filing materials (R10) and their uploads in the history: the parties (they exchange them to file);
  // a regulator those of the party on its side (it reviews or audits that filing, R8); not the
  // administrators, for the materials carry the legal representative's identity document.
  'document.read': { authority: 'side', organisation: 'party' },
  // R8: a filing is reviewed by the authority it was made with, and only one that may write.
  'filing.review': { authority: 'authority', write: true },
  // The register: organisations of one's side, one's own organisation.
  'organisation.read': { registry: 'all', authority: 'side', organisation: 'party' },
  'organisation.register': { registry: 'all', authority: 'side', write: true },
  'organisation.verify': { authority: 'side', write: true },
  // An organisation's users and service accounts: the administrators, and the organisation's own administrator.
  'organisation.manage': { registry: 'all', organisation: 'party', roles: ['SYSTEM_ADMIN', 'ORG_ADMIN'] },
  // Pilot enrolment: scoped as the register; enrolment decisions (ENROL, DECLINE) by administrators and
  // the writing regulators of the organisation's side; the organisation's own actions (WITHDRAW) by its
  // users, not its service accounts.
  'enrolment.read': { registry: 'all', authority: 'side', organisation: 'party' },
  'enrolment.decide': { registry: 'all', authority: 'side', write: true },
  'enrolment.withdraw': { organisation: 'party', roles: ['ORG_ADMIN', 'ORG_FILER'] },
  // The transfer log: records of contracts touching one's side, or of one's own contracts.
  'transfer.read': { registry: 'all', authority: 'side', organisation: 'party' },
  // Monthly transfer figures (docs/api.md#transfer-figures): scoped by side as the records they count; not for
  // organisations, whose own records are at GET /transfers, nor public, for a thin sector's cell is one organisation's volume.
  'transfer.figures': { registry: 'all', authority: 'side' },
  // Transfers are logged by the parties to the contract only.
  'transfer.log': { organisation: 'party' },
  // Ledger leaves and their proofs: every regulator (a proof reveals no party), parties their own.
  'leaf.read': { registry: 'all', authority: 'all', organisation: 'party' },
  // Retention archives of the whole log (R18): the administrators and every regulator; no organisation.
  'archive.read': { registry: 'all', authority: 'all' },
  // The log's self-audit (docs/architecture.md#trust-model, part 2), GET /ledger/integrity and its alerts: every
  // regulator and the administrators; no organisation.
  'ledger.integrity.read': { registry: 'all', authority: 'all' },
  // Webhook subscriptions (docs/api.md#webhooks): an organisation's administrator manages its organisation's, a
  // regulator its authority's; the PCPD too, for a subscription changes nothing it audits.
  'webhook.manage': { authority: 'authority', organisation: 'party', roles: ['REGULATOR', 'ORG_ADMIN'] },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * Whom a notification goes to (docs/api.md#webhooks): an organisation, or an authority. It reads as that
 * organisation's or authority's users do, whatever the role of the user who registered the subscription.
 */
export type Audience = { actsFor: 'organisation'; organisationId: string } | { actsFor: 'authority'; authority: string };

/** The whole policy, as one value the pure functions take (tests may pass a variant). */
export interface AccessPolicy {
  roles: Readonly<Record<string, RolePolicy>>;
  authorities: Readonly<Record<string, AuthorityPolicy>>;
  permissions: Readonly<Record<string, PermissionRule>>;
}

export const REGISTRY_POLICY: AccessPolicy = { roles: ROLE_POLICY, authorities: AUTHORITY_POLICY, permissions: PERMISSIONS };
