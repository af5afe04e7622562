import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import type { Principal } from '../common/roles';
import { AuthService, JWT_ALGORITHM, RegistryClaims, VerifiedClaims } from './auth.service';

/** The bearer token of a request, as passport-jwt reads it ("Authorization: Bearer <token>"). */
export const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * passport-jwt verifies signature, algorithm (HS256 only: `alg: none` is refused), issuer, audience and expiry.
 * jsonwebtoken accepts a token that carries no `exp` at all; we do not: every token must say when it
 * was issued and expire within the configured lifetime, so a token minted without one never lives forever.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly maxLifetimeSeconds: number;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: bearerToken,
      passReqToCallback: true,
      // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) createPublicKey on every request (issue 6 profile: 5% of CPU).
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret)) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
    });
    this.maxLifetimeSeconds = config.jwtTtlSeconds;
  }

  async validate(request: Parameters<typeof bearerToken>[0], claims: RegistryClaims & { iat?: unknown; exp?: unknown }): Promise<Principal | false> {
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return false;
    if (claims.exp - claims.iat > this.maxLifetimeSeconds) return false;
    const principal = await this.auth.principalFromClaims(claims);
    if (!principal) return false;
    // Verified and accepted: the guard need not check this token's signature again until it expires.
    const token = bearerToken(request);
    if (token) this.auth.verifiedTokens.remember(token, claims as VerifiedClaims);
    return principal;
  }
}
