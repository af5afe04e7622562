import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC, ROLES_KEY } from '../common/decorators';
import { DomainError, ErrorCode } from '../common/errors';
import { isDatabaseUnavailable } from '../common/problem.filter';
import type { Principal, Role } from '../common/roles';
import { AuthService } from './auth.service';
import { bearerToken } from './jwt.strategy';

/**
 * Deny by default: every route needs a valid bearer token unless it says
 * `@Public()`, and a route without `@Roles(...)` admits no role at all
 * (immich and vendure allow routes whose decorator was forgotten; we do not).
 */
@Injectable()
export class RegistryAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>();
    // A token verified before and not yet expired: only its account is checked again (docs/architecture.md#caches).
    const token = bearerToken(request);
    const claims = token ? this.auth.verifiedTokens.get(token) : null;
    // A database that is down answers 503 at once; any other trouble looking the account up goes to the full check below.
    const principal = claims
      ? await this.auth.principalFromClaims(claims).catch((error: unknown) => {
          if (isDatabaseUnavailable(error)) throw error;
          return null;
        })
      : null;
    if (principal) request.user = principal;
    else {
      if (token) this.auth.verifiedTokens.forget(token);
      await (super.canActivate(context) as Promise<boolean>);
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const role = request.user.role;
    if (!roles || !roles.includes(role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail: `role ${role} may not use this route` });
    }
    return true;
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    // The account lookup failed because the database is down: that is 503 (retry), not "your token is bad".
    if (isDatabaseUnavailable(error)) throw error;
    if (error || !user) {
      const reason = info instanceof Error ? info.message : 'no valid bearer token';
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Authentication required', {
        detail: `a valid bearer token is required (${reason})`,
        headers: { 'WWW-Authenticate': 'Bearer realm="gba-registry"' },
      });
    }
    return user;
  }
}
