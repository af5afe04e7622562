import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('allows attempts up to the limit, then asks to wait until the window passes', () => {
    const throttle = new LoginThrottle(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfter('a', t0 + i)).toBe(0);
      throttle.recordFailure('a', t0 + i);
    }
    expect(throttle.retryAfter('a', t0 + 10)).toBe(60);
    expect(throttle.retryAfter('b', t0 + 10)).toBe(0);
    expect(throttle.retryAfter('a', t0 + 60_001)).toBe(0);
  });

  it('forgets failures after a success', () => {
    const throttle = new LoginThrottle(1, 60_000);
    throttle.recordFailure('a', 5);
    expect(throttle.retryAfter('a', 6)).toBeGreaterThan(0);
    throttle.reset('a');
    expect(throttle.retryAfter('a', 6)).toBe(0);
  });
});

describe('LoginThrottle under a parallel burst', () => {
  it('counts attempts that are still being checked, and takes back the ones that succeed', () => {
    const throttle = new LoginThrottle(2, 60_000);
    // Two attempts start at once: both are counted before either is checked.
    const a = throttle.recordFailure('acct', 10);
    throttle.recordFailure('acct', 11);
    expect(throttle.retryAfter('acct', 12)).toBeGreaterThan(0);
    // The first one succeeded: it no longer counts against the account.
    throttle.forgive('acct', a);
    expect(throttle.retryAfter('acct', 12)).toBe(0);
  });
});
