import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { DomainError, ErrorCode, FieldError, notFound, validationFailed } from '../common/errors';
import { weakPasswordReason } from '../common/secret-strength';
import { AccessService } from '../access/access.service';
import { Principal, Role } from '../common/roles';
import { OrganisationsService, toOrganisationView } from '../organisations/organisations.service';
import { CreateUserDto, MeView, TokenRequestDto, TokenResponse } from './auth.dto';
import { Grant, LoginThrottle } from './login-throttle';
import { generatePassword, INITIAL_ADMIN_EMAIL, InitialAdministrator, writePasswordFile } from './initial-administrator';
import { dummySecretHash, hashSecret, verifySecret } from './passwords';
import { lookUpPrincipal } from './principal-lookup';
import { PrincipalCache } from './principal-cache';
import { ServiceAccount } from './service-account.entity';
import { serviceAccountPrincipal } from './service-accounts.service';
import { IssuedRefreshToken, SessionsService } from './sessions.service';
import { User } from './user.entity';
import { VerifiedTokens } from './verified-tokens';

/** Claims we sign. `kind` tells a user token from a service-account token. */
export interface RegistryClaims {
  sub: string;
  kind: 'user' | 'service_account';
  role: Role;
  org?: string;
  authority?: string;
}

export const JWT_ALGORITHM = 'HS256';

const VERIFIED_TOKENS_CAPACITY = 10_000;

/** Claims of a token jsonwebtoken verified and JwtStrategy accepted. */
export type VerifiedClaims = RegistryClaims & { iat: number; exp: number };
const UNIQUE_VIOLATION = '23505';
/** pg_advisory_xact_lock key serialising the first start's administrator: ASCII "initadm" (0x696e697461646d), as text since it is above 2^53. */
const INITIAL_ADMIN_LOCK = '29676271757780077';

const uniqueViolation = (error: unknown): boolean =>
  (error as { code?: string }).code === UNIQUE_VIOLATION || (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION;

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);
  /** Failed sign-in counts, in PostgreSQL (shared by every instance). */
  readonly throttle: LoginThrottle;
  /** Bearer tokens verified already (RegistryAuthGuard skips the signature check for these until they expire). */
  readonly verifiedTokens = new VerifiedTokens<VerifiedClaims>(VERIFIED_TOKENS_CAPACITY);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly organisations: OrganisationsService,
    private readonly access: AccessService,
    private readonly principals: PrincipalCache,
    private readonly sessions: SessionsService,
  ) {
    this.throttle = new LoginThrottle(dataSource, config.loginMaxAttempts, config.loginWindowSeconds);
  }

  /** What the first start of an empty registry created, for `main.ts` to tell the operator. */
  initialAdministrator: InitialAdministrator | undefined;

  /**
   * First start: a SYSTEM_ADMIN from BOOTSTRAP_ADMIN_EMAIL / _PASSWORD when no user exists, or, with
   * neither set, INITIAL_ADMIN_EMAIL with a generated password written to DATA_DIR. Instances starting
   * together take an advisory lock, so exactly one creates it and the file holds its password.
   */
  async onApplicationBootstrap(): Promise<void> {
    const users = this.dataSource.getRepository(User);
    if ((await users.count()) > 0) return;
    const { bootstrapAdminEmail, bootstrapAdminPassword } = this.config;
    const configured = bootstrapAdminEmail !== undefined && bootstrapAdminPassword !== undefined;
    const email = (configured ? bootstrapAdminEmail : INITIAL_ADMIN_EMAIL).toLowerCase();
    const password = configured ? bootstrapAdminPassword : generatePassword();
    try {
      this.initialAdministrator = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [INITIAL_ADMIN_LOCK]);
        if ((await manager.count(User)) > 0) return undefined;
        await manager.insert(User, { email, passwordHash: await hashSecret(password), role: 'SYSTEM_ADMIN' });
        // Written inside the transaction: if the file cannot be written, no administrator exists whose password nobody knows.
        return { email, passwordFile: configured ? undefined : writePasswordFile(this.config.dataDir, password) };
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (configured || (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM')) throw error;
      this.logger.warn(`no user exists and ${this.config.dataDir} is not writable (${code}): set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD`);
      return;
    }
    if (this.initialAdministrator) this.logger.log({ email }, 'initial administrator created');
  }

  async issueToken(body: TokenRequestDto, clientAddress: string): Promise<{ token: TokenResponse; session?: IssuedRefreshToken }> {
    // The account is normalised as the account lookup is (trimmed, e-mail lower-cased), so
    // " Victim@Example.test " cannot sidestep the per-pair limit.
    const account = ((body.grantType === 'password' ? body.email?.toLowerCase() : body.clientId) ?? '').trim();
    const principal = await this.throttled(body.grantType, account, clientAddress, () =>
      body.grantType === 'password'
        ? this.checkPassword(body.email ?? '', body.password ?? '')
        : this.checkClientSecret(body.clientId ?? '', body.clientSecret ?? ''),
    );
    if (!principal) {
      throw new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Invalid credentials', {
        detail: 'the credentials are not valid, or the account is disabled',
      });
    }
    if (principal.kind !== 'user') return { token: this.sign(principal) };
    // A user's sign-in starts a session the console renews (docs/api.md#sessions); service accounts sign in again.
    const session = await this.sessions.start(principal.id);
    return { token: { ...this.sign(principal), sessionExpiresAt: session.sessionExpiresAt.toISOString() }, session };
  }

  /** A fresh access token for the holder of a session's refresh token, and the session's next refresh token. */
  async refresh(refreshToken: string | undefined): Promise<{ token: TokenResponse; session: IssuedRefreshToken }> {
    const rotation = refreshToken ? await this.sessions.rotate(refreshToken) : undefined;
    const found = rotation?.kind === 'rotated' ? await lookUpPrincipal(this.dataSource, { sub: rotation.userId, kind: 'user' }) : null;
    if (rotation?.kind !== 'rotated' || !found) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Session ended', {
        detail:
          'no session to renew: signed out, past SESSION_MAX_HOURS, account disabled or password changed, or its refresh token was used twice; sign in again',
      });
    }
    return { token: { ...this.sign(found.principal), sessionExpiresAt: rotation.next.sessionExpiresAt.toISOString() }, session: rotation.next };
  }

  /** Sign-out: the session of this refresh token ends (its access tokens lapse within JWT_TTL_SECONDS; the console forgets its own at once). */
  async signOut(refreshToken: string | undefined): Promise<void> {
    if (refreshToken) await this.sessions.end(refreshToken);
  }

  /**
   * Runs a credential check under the sign-in throttle (src/auth/login-throttle.ts): refused with
   * 429 and Retry-After while this (account, address) pair or the address is locked; counted as
   * failed before the (slow) check, so a parallel burst cannot get more guesses than the limit,
   * and taken back when the check succeeds.
   */
  async throttled<T>(grant: Grant, account: string, clientAddress: string, check: () => Promise<T | null>): Promise<T | null> {
    const attempt = await this.throttle.attempt(grant, account, clientAddress);
    if ('retryAfter' in attempt) {
      throw new DomainError(ErrorCode.TOO_MANY_REQUESTS, 'Too many sign-in attempts', {
        detail: `too many failed sign-in attempts for this account from this address; retry after ${attempt.retryAfter} s`,
        headers: { 'Retry-After': String(attempt.retryAfter) },
      });
    }
    const result = await check();
    if (result) await this.throttle.succeeded(attempt);
    return result;
  }

  sign(principal: Principal): TokenResponse {
    const claims: RegistryClaims = {
      sub: principal.id,
      kind: principal.kind,
      role: principal.role,
      ...(principal.organisationId ? { org: principal.organisationId } : {}),
      ...(principal.authority ? { authority: principal.authority } : {}),
    };
    // `iat` in milliseconds (RFC 7519 §2 NumericDate may be fractional), so a token issued just after a
    // revocation (tokens_valid_from) is told from one issued just before it, within the same second.
    const accessToken = jwt.sign({ ...claims, iat: Date.now() / 1000 }, this.config.jwtSecret, {
      algorithm: JWT_ALGORITHM,
      issuer: this.config.jwtIssuer,
      audience: this.config.jwtAudience,
      expiresIn: this.config.jwtTtlSeconds,
      jwtid: randomUUID(),
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwtTtlSeconds };
  }

  private async checkPassword(email: string, password: string): Promise<Principal | null> {
    const user = await this.dataSource.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
    if (!user) {
      await verifySecret(await dummySecretHash(), password);
      return null;
    }
    if (!(await verifySecret(user.passwordHash, password)) || user.disabledAt) return null;
    return userPrincipal(user);
  }

  private async checkClientSecret(clientId: string, secret: string): Promise<Principal | null> {
    const account = await this.dataSource.getRepository(ServiceAccount).findOneBy({ clientId });
    if (!account) {
      await verifySecret(await dummySecretHash(), secret);
      return null;
    }
    if (!(await verifySecret(account.secretHash, secret)) || account.disabledAt) return null;
    return serviceAccountPrincipal(account);
  }

  /**
   * Resolves verified claims to a live principal. A user or service account disabled (or re-roled)
   * after the token was issued is refused here, and so is a token issued (`iat`) before the account's
   * `tokensValidFrom` (secret rotated, password changed). Both the full check (JwtStrategy) and the
   * verified-token path of RegistryAuthGuard come through here. The account comes from PrincipalCache,
   * which every instance empties of an account when a change to it commits (docs/architecture.md#caches).
   */
  async principalFromClaims(claims: RegistryClaims & { iat: number }): Promise<Principal | null> {
    if (typeof claims.sub !== 'string' || !/^[0-9a-f-]{36}$/i.test(claims.sub)) return null;
    if (claims.kind !== 'user' && claims.kind !== 'service_account') return null;
    let entry = this.principals.get(claims.kind, claims.sub);
    if (!entry) {
      const epoch = this.principals.epoch;
      const found = await lookUpPrincipal(this.dataSource, claims);
      // Only live accounts are kept: a refusal is always read again.
      if (!found) return null;
      this.principals.set(claims.kind, claims.sub, found, epoch);
      entry = found;
    }
    if (claims.kind === 'user' && entry.principal.role !== claims.role) return null;
    if (Math.round(claims.iat * 1000) < entry.tokensValidFrom) return null;
    return entry.principal;
  }

  async me(principal: Principal): Promise<MeView> {
    const organisation = principal.organisationId ? await this.organisations.findById(principal.organisationId) : null;
    const user =
      principal.kind === 'user' ? await this.dataSource.getRepository(User).findOne({ select: { displayName: true }, where: { id: principal.id } }) : null;
    return {
      id: principal.id,
      kind: principal.kind,
      email: principal.email,
      displayName: user?.displayName ?? null,
      role: principal.role,
      actsFor: this.access.actsFor(principal.role),
      organisationId: principal.organisationId,
      authority: principal.authority,
      ...(organisation ? { organisation: toOrganisationView(organisation) } : {}),
    };
  }

  async createUser(caller: Principal, dto: CreateUserDto): Promise<MeView> {
    const errors: FieldError[] = [];
    const weak = weakPassword('password', dto.password, dto.email);
    if (weak) errors.push(weak);
    // Which roles the caller may create, and what an account of each must name, are the access policy's.
    const creatable = this.access.creatableRoles(caller);
    if (!creatable.includes(dto.role)) {
      errors.push({ field: 'role', rule: 'isIn', message: `a ${caller.role} user may create ${creatable.join(' or ')} users` });
    }
    if (this.access.actsFor(caller.role) === 'organisation') {
      if (dto.organisationId && !this.access.may(caller, 'organisation.manage', { parties: [dto.organisationId] })) throw notFound('Organisation');
      dto.organisationId = caller.organisationId ?? undefined;
    }
    const regulatorRole = this.access.actsFor(dto.role) === 'authority';
    if (regulatorRole && !dto.authority) {
      errors.push({ field: 'authority', rule: 'required', message: `authority is required for ${dto.role} users` });
    }
    if (regulatorRole && dto.authority && !this.access.isAuthority(dto.authority)) {
      errors.push({ field: 'authority', rule: 'isIn', message: `authority ${dto.authority} is not an authority of the registry (GET /reference)` });
    }
    if (!regulatorRole && dto.authority) {
      errors.push({ field: 'authority', rule: 'forbidden', message: `authority applies to ${this.access.rolesActingFor('authority').join(', ')} users only` });
    }
    const orgRole = this.access.actsFor(dto.role) === 'organisation';
    if (orgRole && !dto.organisationId) {
      errors.push({ field: 'organisationId', rule: 'required', message: `organisationId is required for ${dto.role} users` });
    }
    if (!orgRole && dto.organisationId) {
      errors.push({ field: 'organisationId', rule: 'forbidden', message: 'organisationId applies to organisation users only' });
    }
    if (errors.length) throw validationFailed(errors);
    if (dto.organisationId && !(await this.organisations.findById(dto.organisationId))) throw notFound('Organisation');
    const users = this.dataSource.getRepository(User);
    try {
      const user = await users.save(
        users.create({
          email: dto.email.trim().toLowerCase(),
          passwordHash: await hashSecret(dto.password),
          role: dto.role,
          organisationId: dto.organisationId ?? null,
          authority: dto.authority ?? null,
          displayName: dto.displayName?.trim() || null,
          createdBy: caller.id,
        }),
      );
      return this.me(userPrincipal(user));
    } catch (error) {
      if (uniqueViolation(error)) {
        throw new DomainError(ErrorCode.DUPLICATE_EMAIL, 'Email already registered', {
          errors: [{ field: 'email', rule: 'unique', message: 'a user with this email already exists' }],
        });
      }
      throw error;
    }
  }
}

/**
 * A password set for a user must score 3 of 4 by the strength estimator (src/common/secret-strength.ts,
 * zxcvbn-ts with its dictionaries), judged against the user's e-mail address too.
 */
export function weakPassword(field: string, password: string, email: string): FieldError | undefined {
  const address = email.trim().toLowerCase();
  const reason = weakPasswordReason(password, [address, address.split('@')[0]]);
  return reason ? { field, rule: 'PASSWORD_TOO_WEAK', message: `${field} ${reason}` } : undefined;
}

export function userPrincipal(user: User): Principal {
  return {
    id: user.id,
    kind: 'user',
    role: user.role,
    organisationId: user.organisationId,
    authority: user.authority,
    email: user.email,
  };
}
