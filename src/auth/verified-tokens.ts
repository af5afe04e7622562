/*
 * Bearer tokens whose signature and claims were verified, remembered until they expire
 * (docs/architecture.md#caches): a client sends one token for many requests, and the signature of each
 * need not be checked again.
 *
 * Only what jsonwebtoken and JwtStrategy.validate accepted is remembered, keyed by the exact token
 * text, so a token differing in one character is verified afresh. A remembered token is given up
 * the moment it expires (jsonwebtoken's rule: expired once now >= exp), and the account behind it
 * is still checked on every request (AuthService.principalFromClaims: disabled accounts and
 * changed roles count as before). Bounded: least recently used first out.
 */
import { LRUCache } from 'lru-cache';

export interface ExpiringClaims {
  /** Seconds since the epoch (RFC 7519 §4.1.4). */
  exp: number;
}

export class VerifiedTokens<C extends ExpiringClaims> {
  private readonly tokens: LRUCache<string, C>;

  constructor(
    capacity: number,
    private readonly nowSeconds: () => number = () => Date.now() / 1000,
  ) {
    this.tokens = new LRUCache<string, C>({ max: capacity });
  }

  /** The claims of `token` if it was verified and has not expired since. */
  get(token: string): C | null {
    const claims = this.tokens.get(token);
    if (!claims) return null;
    if (this.nowSeconds() >= claims.exp) {
      this.tokens.delete(token);
      return null;
    }
    return claims;
  }

  /** After a full verification succeeded. */
  remember(token: string, claims: C): void {
    this.tokens.set(token, claims);
  }

  forget(token: string): void {
    this.tokens.delete(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}
