import { Inject, Injectable } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import type { Principal } from '../common/roles';
import { AuthService, JWT_ALGORITHM, RegistryClaims, VerifiedClaims } from './auth.service';

/**
 * "Authorization: Bearer <token>" and nothing else (RFC 6750 §2.1: `Bearer 1*SP b64token`; the scheme
 * is case-insensitive, RFC 9110 §11.1). passport-jwt's extractor takes the first word after the
 * scheme and ignores whatever follows it; a header with anything after the token is refused here.
 */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The bearer token of a request, or null when the Authorization header is not exactly "Bearer <token>". */
export function bearerToken(request: { headers: Record<string, string | string[] | undefined> }): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  return BEARER.exec(header)?.[1] ?? null;
}

/** How far ahead of this server's clock a token's `iat` may be (another instance's clock). */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * passport-jwt verifies signature, algorithm (HS256 only: `alg: none` is refused), issuer, audience and expiry.
 * jsonwebtoken accepts a token that carries no `exp` at all; we do not: every token must say when it
 * was issued and expire within the configured lifetime, so a token minted without one never lives forever,
 * and must not be issued in the future (beyond CLOCK_SKEW_SECONDS): a token "issued" in ten years with
 * `exp = iat + 900` would otherwise live ten years within the lifetime cap.
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
      // A KeyObject made once: given a string, jsonwebtoken first tries (and fails) createPublicKey on every request (README, Performance).
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
    if (claims.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) return false;
    const principal = await this.auth.principalFromClaims({ ...claims, iat: claims.iat });
    if (!principal) return false;
    // Verified and accepted: the guard need not check this token's signature again until it expires.
    const token = bearerToken(request);
    if (token) this.auth.verifiedTokens.remember(token, claims as VerifiedClaims);
    return principal;
  }
}
