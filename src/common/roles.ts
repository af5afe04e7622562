// Roles, authorities and the caller are declared with the access policy (src/access/policy.ts).
import { AUTHORITY_POLICY, Authority, Principal } from '../access/policy';

export { AUTHORITIES, ROLES, sideOfAuthority, USER_ROLES } from '../access/policy';
export type { Authority, Jurisdiction, Principal, Role, UserRole } from '../access/policy';

/** The PCPD audits read-only (docs/api.md#authentication-and-roles). */
export function authorityMayWrite(authority: Authority): boolean {
  return !AUTHORITY_POLICY[authority].readOnly;
}

export const isRegulator = (p: Principal): boolean => p.role === 'REGULATOR';
export const isAdmin = (p: Principal): boolean => p.role === 'SYSTEM_ADMIN';
export const isOrgMember = (p: Principal): boolean => p.role === 'ORG_ADMIN' || p.role === 'ORG_FILER' || p.role === 'ORG_SYSTEM';
