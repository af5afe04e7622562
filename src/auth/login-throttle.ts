/**
 * Sliding-window failure counter for sign-in, per account and per client
 * address (OWASP Authentication Cheat Sheet: "account lockout"/throttling).
 * Process-local: with several instances each enforces its own window, which
 * bounds an attacker at instances × limit.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again, or 0. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.maxAttempts) return 0;
    return Math.max(1, Math.ceil((recent[0] + this.windowMs - now) / 1000));
  }

  /** Counts an attempt as failed; returns a handle that `forgive` takes back if it succeeds. */
  recordFailure(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    return now;
  }

  /** Takes back one attempt counted by `recordFailure` (it succeeded after all). */
  forgive(key: string, handle: number): void {
    const recent = this.failures.get(key);
    if (!recent) return;
    const at = recent.indexOf(handle);
    if (at >= 0) recent.splice(at, 1);
    if (recent.length === 0) this.failures.delete(key);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}
