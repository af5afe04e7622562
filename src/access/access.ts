// The access policy's pure functions (docs/architecture.md#access): a caller's reach for a permission,
// the bulk check of resources against it, and its one translation into SQL for lists and exports.
// After immich's server/src/utils/access.ts: one permission list, one check for a whole set of ids.
import { AccessPolicy, ActsFor, Audience, Permission, PermissionRule, Principal, REGISTRY_POLICY, Reach } from './policy';

/** What access reads of a resource: its parties (organisation ids), the sides it touches, the authority it was made with. */
export interface ResourceScope {
  parties?: readonly string[];
  sides?: readonly string[];
  authority?: string | null;
}

/** A caller's reach for one permission, resolved against its account. */
export type CallerScope =
  { kind: 'all' } | { kind: 'none' } | { kind: 'side'; side: string } | { kind: 'authority'; authority: string } | { kind: 'party'; organisationId: string };

const ALL: CallerScope = { kind: 'all' };
const NONE: CallerScope = { kind: 'none' };

/** Deny by default: an unknown role, authority or permission reaches nothing. */
export function callerScope(principal: Principal, permission: Permission, policy: AccessPolicy = REGISTRY_POLICY): CallerScope {
  const rule = policy.permissions[permission];
  const role = policy.roles[principal.role];
  if (!rule || !role?.actsFor) return NONE;
  if (rule.roles && !rule.roles.includes(principal.role)) return NONE;
  return reachOf(rule, role.actsFor, principal.organisationId, principal.authority, policy);
}

/**
 * An audience's reach for a read permission (docs/api.md#webhooks: receivers see only what they may read):
 * what the organisation's or authority's users reach; a permission held only by some roles reaches the
 * audience when one of those roles acts for its kind. A change (`write`) is never an audience's.
 */
export function audienceScope(audience: Audience, permission: Permission, policy: AccessPolicy = REGISTRY_POLICY): CallerScope {
  const rule = policy.permissions[permission];
  if (!rule || rule.write) return NONE;
  if (rule.roles && !rule.roles.some((role) => policy.roles[role]?.actsFor === audience.actsFor)) return NONE;
  return audience.actsFor === 'organisation'
    ? reachOf(rule, 'organisation', audience.organisationId, null, policy)
    : reachOf(rule, 'authority', null, audience.authority, policy);
}

/** May this audience read this resource with this permission? */
export function audienceMay(audience: Audience, permission: Permission, resource: ResourceScope, policy: AccessPolicy = REGISTRY_POLICY): boolean {
  return covers(audienceScope(audience, permission, policy), resource);
}

function reachOf(
  rule: PermissionRule,
  actsFor: Exclude<ActsFor, null>,
  organisationId: string | null,
  authorityCode: string | null,
  policy: AccessPolicy,
): CallerScope {
  const reach: Reach = rule[actsFor] ?? 'none';
  const authority = actsFor === 'authority' && authorityCode ? policy.authorities[authorityCode] : undefined;
  if (actsFor === 'authority' && (!authority || (rule.write && authority.readOnly))) return NONE;
  switch (reach) {
    case 'all':
      return ALL;
    case 'side':
      return authority ? { kind: 'side', side: authority.side } : NONE;
    case 'authority':
      return authority && authorityCode ? { kind: 'authority', authority: authorityCode } : NONE;
    case 'party':
      return actsFor === 'organisation' && organisationId ? { kind: 'party', organisationId } : NONE;
    case 'none':
      return NONE;
  }
}

/** Whom an account of this role acts for (and so must name: an authority, or its organisation); null for an unknown role. */
export function actsFor(role: string, policy: AccessPolicy = REGISTRY_POLICY): ActsFor {
  return policy.roles[role]?.actsFor ?? null;
}

/** The roles this caller may give the users it creates. */
export function creatableRoles(principal: Principal, policy: AccessPolicy = REGISTRY_POLICY): readonly string[] {
  return policy.roles[principal.role]?.createsUsers ?? [];
}

/** The roles whose accounts act for `whom`. */
export function rolesActingFor(whom: ActsFor, policy: AccessPolicy = REGISTRY_POLICY): string[] {
  return Object.keys(policy.roles).filter((role) => policy.roles[role].actsFor === whom);
}

/** Does this caller hold the permission for any resource at all? (No: 403. Yes but not this one: 404.) */
export function holds(principal: Principal, permission: Permission, policy: AccessPolicy = REGISTRY_POLICY): boolean {
  return callerScope(principal, permission, policy).kind !== 'none';
}

export function covers(scope: CallerScope, resource: ResourceScope): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'side':
      return (resource.sides ?? []).includes(scope.side);
    case 'authority':
      return resource.authority === scope.authority;
    case 'party':
      return (resource.parties ?? []).includes(scope.organisationId);
  }
}

/** May this caller act on this resource with this permission? */
export function may(principal: Principal, permission: Permission, resource: ResourceScope, policy: AccessPolicy = REGISTRY_POLICY): boolean {
  return covers(callerScope(principal, permission, policy), resource);
}

/** The bulk check: the ids among `resources` the caller may act on; an id with no resource (unknown) never is. */
export function allowedIds(
  principal: Principal,
  permission: Permission,
  resources: Iterable<readonly [string, ResourceScope]>,
  policy: AccessPolicy = REGISTRY_POLICY,
): Set<string> {
  const scope = callerScope(principal, permission, policy);
  const out = new Set<string>();
  for (const [id, resource] of resources) if (covers(scope, resource)) out.add(id);
  return out;
}

// ---- SQL -------------------------------------------------------------------------------

/** The columns (qualified as the query needs) that hold a table's resource scope. */
export interface ScopeColumns {
  parties?: readonly string[];
  sides?: readonly string[];
  authority?: string;
}

/** Returns the placeholder (or escaped literal) for a value, as the query builds its parameters. */
export type Bind = (value: unknown) => string;

/** A Bind for a query builder's named parameters (`:access1`, `:access2`, …). */
export function namedParameters(setParameter: (name: string, value: unknown) => unknown, prefix = 'access'): Bind {
  let count = 0;
  return (value) => {
    const name = `${prefix}${++count}`;
    setParameter(name, value);
    return `:${name}`;
  };
}

export interface ScopeQuery {
  /** Other conditions of the query, AND-ed into every branch. */
  where?: readonly string[];
  /** Organisations the request itself asks for (a party filter): each must be a party as well. */
  parties?: readonly (string | undefined)[];
}

/**
 * The caller's scope for `permission` over a table, as OR-ed branches: pairwise disjoint (so a
 * UNION ALL of them has no duplicate) and each answerable from one index on a party column, with
 * the query's own conditions in each. Never empty: `FALSE` when the caller reaches nothing.
 */
export function scopeBranches(scope: CallerScope, columns: ScopeColumns, bind: Bind, query: ScopeQuery = {}): string[] {
  if (scope.kind === 'none') return ['FALSE'];
  const where = [...(query.where ?? [])];
  const parties = new Set(query.parties?.filter((p): p is string => !!p));
  if (scope.kind === 'side') {
    const side = bind(scope.side);
    where.push(
      `(${required(columns.sides, 'sides')
        .map((c) => `${c} = ${side}`)
        .join(' OR ')})`,
    );
  }
  if (scope.kind === 'authority') where.push(`${required(columns.authority, 'authority')} = ${bind(scope.authority)}`);
  if (scope.kind === 'party') parties.add(scope.organisationId);
  const base = where.length ? where : ['TRUE'];
  if (parties.size === 0) return [base.join(' AND ')];
  return partyBranches([...parties], required(columns.parties, 'parties'), bind).map((branch) => [...where, ...branch].join(' AND '));
}

/** The branches OR-ed into one condition. */
export function scopeWhere(scope: CallerScope, columns: ScopeColumns, bind: Bind, query: ScopeQuery = {}): string {
  const branches = scopeBranches(scope, columns, bind, query);
  return branches.length === 1 ? `(${branches[0]})` : `(${branches.map((b) => `(${b})`).join(' OR ')})`;
}

/**
 * "Each of these organisations is a party", one branch per way to seat them in the party columns:
 * one organisation is in the first column, or in the second and not the first, …; as many
 * organisations as columns fill them in every order. More organisations than columns: nothing.
 */
function partyBranches(parties: string[], columns: readonly string[], bind: Bind): string[][] {
  if (parties.length > columns.length) return [['FALSE']];
  const values = parties.map((p) => `${bind(p)}::uuid`);
  if (values.length === 1) {
    const [x] = values;
    return columns.map((column, i) => [`${column} = ${x}`, ...columns.slice(0, i).map((earlier) => `${earlier} <> ${x}`)]);
  }
  if (values.length !== columns.length) throw new Error(`access: ${values.length} parties cannot be seated in ${columns.length} columns`);
  return permutations(values).map((order) => order.map((value, i) => `${columns[i]} = ${value}`));
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`access: the query names no ${what} column for this permission`);
  return value;
}
