import { countFailure, lockSeconds, MAX_LOCK_SECONDS, retryAfterSeconds, ThrottleState } from './login-throttle';

const at = (seconds: number): Date => new Date(1_800_000_000_000 + seconds * 1000);

/** `failures` failed attempts, one a second from `start`. */
function fail(times: number, start: number, state?: ThrottleState, limit = 3, window = 60): ThrottleState | undefined {
  for (let i = 0; i < times; i++) state = countFailure(state, at(start + i), limit, window).state;
  return state;
}

describe('sign-in throttle policy', () => {
  it('allows failures up to the limit, the limit-th locks for one window', () => {
    const two = fail(2, 0);
    expect(retryAfterSeconds(two, at(2))).toBe(0);
    const three = countFailure(two, at(2), 3, 60);
    expect(three.locked).toBe(true);
    expect(retryAfterSeconds(three.state, at(2))).toBe(60);
    expect(retryAfterSeconds(three.state, at(61))).toBe(1);
    expect(retryAfterSeconds(three.state, at(62))).toBe(0);
  });

  it('doubles the lock for each failure after a lock, until the key has been quiet for a window', () => {
    let state = fail(3, 0); // locked at 2 until 62
    state = countFailure(state, at(70), 3, 60).state; // 4th failure after the lock: 120 s
    expect(retryAfterSeconds(state, at(70))).toBe(120);
    state = countFailure(state, at(200), 3, 60).state; // 5th: 240 s
    expect(retryAfterSeconds(state, at(200))).toBe(240);
    // Quiet for a window after the lock ended: forgotten, back to the limit.
    const later = at(200 + 240 + 60);
    expect(state.expiresAt.getTime()).toBe(later.getTime());
    const fresh = countFailure(state, later, 3, 60);
    expect(fresh.state).toMatchObject({ failures: 1, locks: 0, blockedUntil: null });
    expect(retryAfterSeconds(fresh.state, later)).toBe(0);
  });

  it('forgets failures once the window passes without one', () => {
    const two = fail(2, 0)!;
    expect(two.expiresAt.getTime()).toBe(at(61).getTime());
    expect(countFailure(two, at(61), 3, 60).state.failures).toBe(1);
    expect(countFailure(two, at(60), 3, 60).state.failures).toBe(3);
  });

  it('caps a lock at a day, unless the window is longer', () => {
    expect(lockSeconds(1, 300)).toBe(300);
    expect(lockSeconds(2, 300)).toBe(600);
    expect(lockSeconds(40, 300)).toBe(MAX_LOCK_SECONDS);
    expect(lockSeconds(3, 2 * MAX_LOCK_SECONDS)).toBe(2 * MAX_LOCK_SECONDS);
  });

  it('a limit of one locks on the first failure', () => {
    const one = countFailure(undefined, at(0), 1, 60);
    expect(one.locked).toBe(true);
    expect(retryAfterSeconds(one.state, at(0))).toBe(60);
  });
});
