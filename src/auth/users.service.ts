import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { ResourceScope } from '../access/access';
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndUuid, Page } from '../common/pagination';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { ChangePasswordDto, ResetPasswordDto, TokenResponse, UserListQuery, UserView } from './auth.dto';
import { AuthService, userPrincipal, weakPassword } from './auth.service';
import { hashSecret, verifySecret } from './passwords';
import { PrincipalCache } from './principal-cache';
import { IssuedRefreshToken, SessionsService } from './sessions.service';
import { User } from './user.entity';

/** Where the users table keeps what the access policy reads: the organisation a user belongs to (none for administrators and regulators). */
const userScope = (user: Pick<User, 'organisationId'>): ResourceScope => ({ parties: user.organisationId ? [user.organisationId] : [] });
const USER_SCOPE_COLUMNS = { parties: ['u.organisation_id'] };

/** Who acted, as a contract's history or another module names them. */
export interface Actor {
  id: string;
  kind: string;
}

/**
 * The registry's people (docs/api.md#users): the list of users, passwords (one's own, an administrator's reset),
 * disabling, and the names other modules show for an actor. Who may list or manage which users is the access
 * policy's `organisation.manage` (src/access/policy.ts): the administrators all, an organisation's administrator
 * its own organisation's.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly principals: PrincipalCache,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
  ) {}

  async list(caller: Principal, query: UserListQuery): Promise<Page<UserView>> {
    if (!this.access.holds(caller, 'organisation.manage'))
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: `role ${caller.role} may not list users` });
    const limit = query.limit ?? 50;
    const scope = cursorScope('users', { organisationId: query.organisationId });
    const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope) as [string, string] | null;
    const values: unknown[] = [];
    const bind = (value: unknown): string => `$${values.push(value)}`;
    const where = [this.access.sqlWhere(caller, 'organisation.manage', USER_SCOPE_COLUMNS, bind, { parties: [query.organisationId] })];
    if (after) where.push(`(u.created_at, u.id) > (${bind(after[0])}::timestamptz, ${bind(after[1])}::uuid)`);
    const rows = await this.dataSource.query<Array<Omit<User, 'passwordHash' | 'tokensValidFrom' | 'createdBy'> & { pageAt: string }>>(
      `SELECT u.id, u.email, u.display_name AS "displayName", u.role, u.organisation_id AS "organisationId", u.authority,
              u.disabled_at AS "disabledAt", u.created_at AS "createdAt",
              to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "pageAt"
         FROM users u WHERE ${where.join(' AND ')} ORDER BY u.created_at, u.id LIMIT ${bind(limit + 1)}`,
      values,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(toUserView), nextCursor: rows.length > limit && last ? encodeCursor([last.pageAt, last.id], scope) : null };
  }

  /**
   * A signed-in user changes their own password: the current one must be right (counted by the sign-in
   * throttle like a sign-in), the new one strong enough. The tokens issued before are refused from now on
   * (tokens_valid_from) and every session of the user ends, so whoever took the old password is out; the
   * caller gets a fresh token and session in the answer.
   */
  async changeOwnPassword(caller: Principal, dto: ChangePasswordDto, clientAddress: string): Promise<{ token: TokenResponse; session: IssuedRefreshToken }> {
    if (caller.kind !== 'user' || !caller.email) throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: 'only users have a password' });
    const email = caller.email;
    const users = this.dataSource.getRepository(User);
    const user = await this.auth.throttled('password', email, clientAddress, async () => {
      const found = await users.findOneBy({ id: caller.id });
      return found && !found.disabledAt && (await verifySecret(found.passwordHash, dto.currentPassword)) ? found : null;
    });
    if (!user) {
      throw validationFailed([{ field: 'currentPassword', rule: 'CURRENT_PASSWORD_INCORRECT', message: 'currentPassword is not your current password' }]);
    }
    const errors: FieldError[] = [];
    const weak = weakPassword('newPassword', dto.newPassword, email);
    if (weak) errors.push(weak);
    else if (dto.newPassword === dto.currentPassword) {
      errors.push({ field: 'newPassword', rule: 'PASSWORD_UNCHANGED', message: 'newPassword must differ from the current password' });
    }
    if (errors.length) throw validationFailed(errors);
    await this.setPassword(user.id, dto.newPassword);
    const session = await this.sessions.start(user.id);
    return { token: { ...this.auth.sign(userPrincipal(user)), sessionExpiresAt: session.sessionExpiresAt.toISOString() }, session };
  }

  /**
   * An administrator sets another user's password (a forgotten one, or one thought known to others): the
   * administrators any user's, an organisation's administrator its own users'. The user is signed out
   * everywhere (tokens and sessions). No change is forced at the next sign-in: the administrator hands the
   * password over in person or by another channel, and the user may then change it (docs/api.md#users).
   */
  async resetPassword(caller: Principal, id: string, dto: ResetPasswordDto): Promise<UserView> {
    const found = await this.dataSource.getRepository(User).findOneBy({ id });
    const user = this.access.require(caller, 'organisation.manage', found, userScope, 'User');
    if (user.id === caller.id) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', {
        detail: 'change your own password with POST /users/me/password, which asks for the current one',
      });
    }
    const weak = weakPassword('newPassword', dto.newPassword, user.email);
    if (weak) throw validationFailed([weak]);
    await this.setPassword(user.id, dto.newPassword);
    return toUserView(user);
  }

  /** Disabled: sign-in, every token and every session of the user stop working, on every instance from the next request. */
  async disable(caller: Principal, id: string): Promise<void> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id });
    this.access.require(caller, 'organisation.manage', user, userScope, 'User');
    await this.principals.changing(id, () =>
      inTransaction(this.dataSource, async (manager) => {
        await manager.update(User, { id }, { disabledAt: new Date() });
        await this.sessions.endAllOf(id, manager);
      }),
    );
  }

  /**
   * The names of those who acted, for a contract's history: a user's display name (else e-mail address), a
   * service account's name (else client id). One query for the whole page; an id not found has no entry.
   */
  async actorNames(actors: readonly Actor[]): Promise<Map<string, string>> {
    const users = [...new Set(actors.filter((a) => a.kind === 'user').map((a) => a.id))];
    const accounts = [...new Set(actors.filter((a) => a.kind === 'service_account').map((a) => a.id))];
    if (users.length + accounts.length === 0) return new Map();
    const rows = await this.dataSource.query<Array<{ id: string; name: string }>>(
      `SELECT id, COALESCE(display_name, email) AS name FROM users WHERE id = ANY($1::uuid[])
       UNION ALL SELECT id, COALESCE(name, client_id) AS name FROM service_accounts WHERE id = ANY($2::uuid[])`,
      [users, accounts],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** The new password, the tokens issued before it refused (tokens_valid_from), every session ended: one transaction. */
  private async setPassword(userId: string, password: string): Promise<void> {
    const passwordHash = await hashSecret(password);
    await this.principals.changing(userId, () =>
      inTransaction(this.dataSource, async (manager) => {
        await manager.update(User, { id: userId }, { passwordHash, tokensValidFrom: new Date() });
        await this.sessions.endAllOf(userId, manager);
      }),
    );
  }
}

function toUserView(u: Pick<User, 'id' | 'email' | 'displayName' | 'role' | 'organisationId' | 'authority' | 'disabledAt' | 'createdAt'>): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    organisationId: u.organisationId,
    authority: u.authority,
    disabledAt: u.disabledAt ? new Date(u.disabledAt).toISOString() : null,
    createdAt: new Date(u.createdAt).toISOString(),
  };
}
