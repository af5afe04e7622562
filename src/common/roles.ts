// Roles, authorities and the caller are declared with the access policy (src/access/policy.ts).
export { AUTHORITIES, ROLES, USER_ROLES } from '../access/policy';
export type { Authority, Jurisdiction, Principal, Role, UserRole } from '../access/policy';
