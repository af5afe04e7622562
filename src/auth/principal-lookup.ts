// The account behind a token (AuthService.principalFromClaims), read on every request it is not cached for.
import { DataSource } from 'typeorm';
import { Principal, Role } from '../common/roles';
import { preparedQuery } from '../database/prepared';
import type { CachedPrincipal } from './principal-cache';
import { serviceAccountPrincipal } from './service-accounts.service';

/** The account behind a token, read on every request: one primary-key lookup, epoch milliseconds for tokens_valid_from. */
const USER_PRINCIPAL = `SELECT id, role, organisation_id AS "organisationId", authority, email, disabled_at IS NOT NULL AS disabled,
  COALESCE(floor(extract(epoch FROM tokens_valid_from) * 1000), 0)::bigint AS "tokensValidFrom" FROM users WHERE id = $1`;
const SERVICE_ACCOUNT_PRINCIPAL = `SELECT id, organisation_id AS "organisationId", disabled_at IS NOT NULL AS disabled,
  COALESCE(floor(extract(epoch FROM tokens_valid_from) * 1000), 0)::bigint AS "tokensValidFrom" FROM service_accounts WHERE id = $1`;

interface UserPrincipalRow {
  id: string;
  role: Role;
  organisationId: string | null;
  authority: Principal['authority'];
  email: string;
  disabled: boolean;
  tokensValidFrom: string;
}

interface ServiceAccountPrincipalRow {
  id: string;
  organisationId: string;
  disabled: boolean;
  tokensValidFrom: string;
}

/** The live account named by a token's claims, or null when it is unknown or disabled. */
export async function lookUpPrincipal(dataSource: DataSource, claims: { sub: string; kind: string }): Promise<CachedPrincipal | null> {
  if (claims.kind === 'service_account') {
    const [row] = await preparedQuery<ServiceAccountPrincipalRow>(dataSource, 'auth.principal.service-account', SERVICE_ACCOUNT_PRINCIPAL, [claims.sub]);
    return row && !row.disabled ? { principal: serviceAccountPrincipal(row), tokensValidFrom: Number(row.tokensValidFrom) } : null;
  }
  if (claims.kind !== 'user') return null;
  const [row] = await preparedQuery<UserPrincipalRow>(dataSource, 'auth.principal.user', USER_PRINCIPAL, [claims.sub]);
  if (!row || row.disabled) return null;
  return {
    principal: { id: row.id, kind: 'user', role: row.role, organisationId: row.organisationId, authority: row.authority, email: row.email },
    tokensValidFrom: Number(row.tokensValidFrom),
  };
}
