/*
 * Bearer tokens whose signature and claims were verified, remembered until they expire (issue 6:
 * verifying the HS256 signature and decoding the claims of the same token on every request was
 * about 6% of the registry's CPU per POST /contracts; a client sends one token for many requests).
 *
 * Only what jsonwebtoken and JwtStrategy.validate accepted is remembered, keyed by the exact token
 * text, so a token differing in one character is verified afresh. A remembered token is given up
 * the moment it expires (jsonwebtoken's rule: expired once now >= exp), and the account behind it
 * is still looked up on every request (AuthService.principalFromClaims: disabled accounts and
 * changed roles count as before). Bounded: least recently used first out.
 */
import { setBounded } from '../common/bounded-map';

export interface ExpiringClaims {
  /** Seconds since the epoch (RFC 7519 §4.1.4). */
  exp: number;
}

export class VerifiedTokens<C extends ExpiringClaims> {
  private readonly tokens = new Map<string, C>();

  constructor(
    private readonly capacity: number,
    private readonly nowSeconds: () => number = () => Date.now() / 1000,
  ) {}

  /** The claims of `token` if it was verified and has not expired since. */
  get(token: string): C | null {
    const claims = this.tokens.get(token);
    if (!claims) return null;
    if (this.nowSeconds() >= claims.exp) {
      this.tokens.delete(token);
      return null;
    }
    setBounded(this.tokens, token, claims, this.capacity); // most recently used last
    return claims;
  }

  /** After a full verification succeeded. */
  remember(token: string, claims: C): void {
    setBounded(this.tokens, token, claims, this.capacity);
  }

  forget(token: string): void {
    this.tokens.delete(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}
