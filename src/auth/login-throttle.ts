import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/*
 * Sign-in throttling that slows guessing without letting a stranger lock the right people out
 * (OWASP Authentication Cheat Sheet, "Account lockout": lock-outs are a denial-of-service tool, so
 * count per account *and* source, and let delays grow rather than lock an account outright).
 *
 * - Failures count per (account, client address) pair: `maxAttempts` failures within the window
 *   lock that pair for `windowSeconds`; each further failure before the pair has been quiet for a
 *   window doubles the lock (up to a day). A success forgets the pair. Failures from elsewhere never
 *   refuse a correct password from an address that has not been failing.
 * - Failures also count per address and grant, and lock the address for that grant only above
 *   ADDRESS_FACTOR × maxAttempts (one address guessing across many accounts). Password failures
 *   behind a shared NAT therefore never stop a service account's client_credentials sign-in there.
 * - The counts are rows of `login_throttle` in PostgreSQL, so every instance enforces one window,
 *   and time is the database's clock. An attempt is counted before its (slow) credential check, so a
 *   parallel burst gets no more guesses than the limit; a success takes its attempt back.
 * - Rows whose time has passed (`expires_at`) are purged.
 */

/** An address is locked for a grant only after this many times the per-pair limit of failures. */
export const ADDRESS_FACTOR = 20;
/** The longest a lock grows to (unless the window itself is longer). */
export const MAX_LOCK_SECONDS = 86_400;
/** How often one instance purges expired rows. */
const PURGE_EVERY_MS = 60_000;

export interface ThrottleState {
  failures: number;
  /** How many times this key was locked since it was last quiet for a window: the next lock lasts window × 2^locks. */
  locks: number;
  blockedUntil: Date | null;
  /** After this instant the row says nothing any more: no lock, no count. */
  expiresAt: Date;
}

/** Seconds until a key in `state` may try again, or 0. */
export function retryAfterSeconds(state: ThrottleState | undefined, now: Date): number {
  if (!state || state.expiresAt <= now || !state.blockedUntil || state.blockedUntil <= now) return 0;
  return Math.max(1, Math.ceil((state.blockedUntil.getTime() - now.getTime()) / 1000));
}

export function lockSeconds(locks: number, windowSeconds: number): number {
  return Math.min(windowSeconds * 2 ** Math.max(0, locks - 1), Math.max(windowSeconds, MAX_LOCK_SECONDS));
}

/** The state after one more attempt is counted as failed, and whether this attempt set a lock. */
export function countFailure(state: ThrottleState | undefined, now: Date, limit: number, windowSeconds: number): { state: ThrottleState; locked: boolean } {
  const fresh = !state || state.expiresAt <= now;
  const failures = (fresh ? 0 : state.failures) + 1;
  let locks = fresh ? 0 : state.locks;
  let blockedUntil = fresh ? null : state.blockedUntil;
  const locked = failures >= limit;
  if (locked) {
    locks += 1;
    blockedUntil = new Date(now.getTime() + lockSeconds(locks, windowSeconds) * 1000);
  }
  const quietFrom = blockedUntil && blockedUntil > now ? blockedUntil : now;
  return { state: { failures, locks, blockedUntil, expiresAt: new Date(quietFrom.getTime() + windowSeconds * 1000) }, locked };
}

export type Grant = 'password' | 'client_credentials';

/** An attempt counted as failed in advance; `succeeded` takes it back. */
export interface CountedAttempt {
  pairKey: string;
  addressKey: string;
  /** This attempt's count locked the address (taken back if it succeeds). */
  lockedAddress: boolean;
}

interface Row {
  key: string;
  failures: number;
  locks: number;
  blocked_until: Date | null;
  expires_at: Date;
  now: Date;
}

export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);
  private lastPurge = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly maxAttempts: number,
    private readonly windowSeconds: number,
  ) {}

  /**
   * Counts an attempt of `grant` for `account` from `address` as failed, unless the pair or the
   * address is locked: then the seconds to wait (and nothing is counted).
   */
  async attempt(grant: Grant, account: string, address: string): Promise<CountedAttempt | { retryAfter: number }> {
    this.purgeNowAndThen();
    const pairKey = `pair:${grant}:${account}:${address}`;
    const addressKey = `address:${grant}:${address}`;
    const limits = new Map([
      [pairKey, this.maxAttempts],
      [addressKey, this.maxAttempts * ADDRESS_FACTOR],
    ]);
    const keys = [...limits.keys()].sort(); // one lock order for every transaction: no deadlock
    return this.dataSource.transaction(async (manager) => {
      // Makes each row exist and locks it (ON CONFLICT DO UPDATE takes the row lock), so concurrent
      // attempts on one key, on any instance, are counted one after another.
      const rows: Row[] = await manager.query(
        `INSERT INTO login_throttle AS t (key, expires_at)
         SELECT key, now() + make_interval(secs => $2) FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) ORDER BY n
         ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
         RETURNING t.key, t.failures, t.locks, t.blocked_until, t.expires_at, now() AS now`,
        [keys, this.windowSeconds],
      );
      const now = rows[0].now;
      const states = new Map(rows.map((r) => [r.key, { failures: r.failures, locks: r.locks, blockedUntil: r.blocked_until, expiresAt: r.expires_at }]));
      const retryAfter = Math.max(...keys.map((key) => retryAfterSeconds(states.get(key), now)));
      if (retryAfter > 0) return { retryAfter };
      const next = keys.map((key) => ({ key, ...countFailure(states.get(key), now, limits.get(key)!, this.windowSeconds) }));
      await manager.query(
        `UPDATE login_throttle AS t SET failures = v.failures, locks = v.locks, blocked_until = v.blocked_until, expires_at = v.expires_at
         FROM unnest($1::text[], $2::int[], $3::int[], $4::timestamptz[], $5::timestamptz[]) AS v(key, failures, locks, blocked_until, expires_at)
         WHERE t.key = v.key`,
        [
          next.map((n) => n.key),
          next.map((n) => n.state.failures),
          next.map((n) => n.state.locks),
          next.map((n) => n.state.blockedUntil),
          next.map((n) => n.state.expiresAt),
        ],
      );
      return { pairKey, addressKey, lockedAddress: next.find((n) => n.key === addressKey)!.locked };
    });
  }

  /** The credentials were right: the pair's failures are forgotten, and the address's count of this attempt taken back. */
  async succeeded(attempt: CountedAttempt): Promise<void> {
    await this.dataSource.query(
      `WITH forgotten AS (DELETE FROM login_throttle WHERE key = $1)
       UPDATE login_throttle SET failures = greatest(failures - 1, 0),
         locks = CASE WHEN $3 THEN greatest(locks - 1, 0) ELSE locks END,
         blocked_until = CASE WHEN $3 THEN NULL ELSE blocked_until END
       WHERE key = $2`,
      [attempt.pairKey, attempt.addressKey, attempt.lockedAddress],
    );
  }

  /** Deletes rows whose time has passed (skipping rows a sign-in holds); returns how many. */
  async purgeExpired(): Promise<number> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle WHERE expires_at <= now() LIMIT 10000 FOR UPDATE SKIP LOCKED)`,
    );
    return count;
  }

  private purgeNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    this.purgeExpired().catch((error: unknown) => this.logger.warn({ err: error }, 'could not purge expired sign-in throttle rows'));
  }
}
