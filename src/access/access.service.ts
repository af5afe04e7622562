import { Injectable } from '@nestjs/common';
import { notFound } from '../common/errors';
import {
  actsFor,
  allowedIds,
  audienceMay,
  Bind,
  callerScope,
  creatableRoles,
  holds,
  may,
  rolesActingFor,
  ResourceScope,
  ScopeColumns,
  ScopeQuery,
  scopeBranches,
  scopeWhere,
} from './access';
import { AccessPolicy, ActsFor, Audience, AuthorityPolicy, Jurisdiction, Permission, Principal, REGISTRY_POLICY, sideOfAuthority } from './policy';

/**
 * The access policy for the feature modules (docs/architecture.md#access). It reads no table: the
 * module that owns a resource loads its scope (parties, sides, authority) and asks here, once for
 * a whole set of ids; lists and exports take their WHERE condition from here.
 */
@Injectable()
export class AccessService {
  private policy: AccessPolicy = REGISTRY_POLICY;

  /** The authorities as the data holds them (rollout_authorities, docs/rules.md#r16): the module that owns them calls this. */
  useAuthorities(authorities: Readonly<Record<string, AuthorityPolicy>>): void {
    this.policy = { ...this.policy, authorities };
  }

  /** Whether a regulator's account may name this authority. */
  isAuthority(authority: string): boolean {
    return Object.hasOwn(this.policy.authorities, authority);
  }

  /** The side an authority supervises, or null for an unknown authority. */
  sideOf(authority: string): Jurisdiction | null {
    return sideOfAuthority(authority, this.policy);
  }

  /** The authorities (as the data holds them) supervising any of `sides`, in the data's order. */
  authoritiesOf(sides: Iterable<string>): string[] {
    const wanted = new Set(sides);
    return Object.entries(this.policy.authorities)
      .filter(([, authority]) => wanted.has(authority.side))
      .map(([code]) => code);
  }

  /** The bulk check: the ids among `resources` this caller may act on with `permission`. */
  check(principal: Principal, permission: Permission, resources: Iterable<readonly [string, ResourceScope]>): Set<string> {
    return allowedIds(principal, permission, resources, this.policy);
  }

  /** 404 naming the first of `ids` the caller may not act on, or that has no entry in `resources` (it does not exist). */
  requireAll(principal: Principal, permission: Permission, ids: Iterable<string>, resources: ReadonlyMap<string, ResourceScope>, what: string): void {
    const allowed = this.check(principal, permission, resources);
    for (const id of ids) if (!allowed.has(id)) throw notFound(`${what} ${id}`);
  }

  /** One resource (null or undefined: it does not exist), returned, else 404: a caller who may not see it learns nothing of it. */
  require<T>(principal: Principal, permission: Permission, resource: T | null | undefined, scopeOf: (resource: T) => ResourceScope, what: string): T {
    if (resource === null || resource === undefined || !may(principal, permission, scopeOf(resource), this.policy)) throw notFound(what);
    return resource;
  }

  may(principal: Principal, permission: Permission, resource: ResourceScope): boolean {
    return may(principal, permission, resource, this.policy);
  }

  /** May this audience (an organisation, an authority) read this resource: whether a notification about it may go there. */
  audienceMay(audience: Audience, permission: Permission, resource: ResourceScope): boolean {
    return audienceMay(audience, permission, resource, this.policy);
  }

  /** Whether the caller holds the permission for any resource at all (a refusal is then 403, not 404). */
  holds(principal: Principal, permission: Permission): boolean {
    return holds(principal, permission, this.policy);
  }

  /** Whom an account of this role acts for, and so must name (an authority, or its organisation). */
  actsFor(role: string): ActsFor {
    return actsFor(role, this.policy);
  }

  /** The roles of the users this caller may create. */
  creatableRoles(principal: Principal): readonly string[] {
    return creatableRoles(principal, this.policy);
  }

  rolesActingFor(whom: ActsFor): string[] {
    return rolesActingFor(whom, this.policy);
  }

  /** The caller's scope over a table as disjoint OR-ed branches, the query's own conditions in each (lists, exports). */
  sqlBranches(principal: Principal, permission: Permission, columns: ScopeColumns, bind: Bind, query?: ScopeQuery): string[] {
    return scopeBranches(callerScope(principal, permission, this.policy), columns, bind, query);
  }

  /** The same as one condition. */
  sqlWhere(principal: Principal, permission: Permission, columns: ScopeColumns, bind: Bind, query?: ScopeQuery): string {
    return scopeWhere(callerScope(principal, permission, this.policy), columns, bind, query);
  }
}
