/** Roles: docs/api.md#authentication-and-roles. */
export const ROLES = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER', 'ORG_SYSTEM'] as const;
export type Role = (typeof ROLES)[number];

/** Users may hold these; ORG_SYSTEM is for service accounts only. */
export const USER_ROLES = ['SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const AUTHORITIES = ['GD_CAC', 'HK_DPO', 'HK_PCPD'] as const;
export type Authority = (typeof AUTHORITIES)[number];

export type Jurisdiction = 'MAINLAND' | 'HONG_KONG';

/** The side of the boundary each authority supervises. */
export function sideOfAuthority(authority: Authority): Jurisdiction {
  return authority === 'GD_CAC' ? 'MAINLAND' : 'HONG_KONG';
}

/** The PCPD audits read-only (docs/api.md#authentication-and-roles). */
export function authorityMayWrite(authority: Authority): boolean {
  return authority !== 'HK_PCPD';
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

export const isRegulator = (p: Principal): boolean => p.role === 'REGULATOR';
export const isAdmin = (p: Principal): boolean => p.role === 'SYSTEM_ADMIN';
export const isOrgMember = (p: Principal): boolean => p.role === 'ORG_ADMIN' || p.role === 'ORG_FILER' || p.role === 'ORG_SYSTEM';
