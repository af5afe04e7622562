// What happens after one delivery attempt (docs/api.md#delivery-and-retries), after the Standard Webhooks
// specification's "Deliverability and reliability" and "Delivery success and failure": a 2xx answer delivers;
// 410 Gone means the receiver wants no more, so the delivery ends; anything else (another status, a redirect, a
// timeout, a refused connection, an address not allowed) is retried with exponential backoff and some jitter,
// until the attempts run out.

/** CANCELLED: the subscription was deleted before the delivery succeeded or was given up. */
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'CANCELLED';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'];

export interface AttemptOutcome {
  /** The receiver's HTTP status, when it answered. */
  statusCode: number | null;
  /** Why there was no usable answer (timeout, connection refused, address not allowed), when there was none. */
  error: string | null;
}

export interface RetryPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface AfterAttempt {
  status: DeliveryStatus;
  /** When to try again (PENDING only). */
  retryInMs: number | null;
}

/** The wait before attempt `attempt + 1`: base × 2^(attempt − 1), capped, plus up to 10 % jitter (`random` in [0, 1)). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential * (1 + 0.1 * random));
}

/** The delivery's state after its `attempt`-th attempt (1-based) ended with `outcome`. */
export function afterAttempt(attempt: number, outcome: AttemptOutcome, policy: RetryPolicy, random: number): AfterAttempt {
  const code = outcome.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'DELIVERED', retryInMs: null };
  if (code === 410 || attempt >= policy.maxAttempts) return { status: 'FAILED', retryInMs: null };
  return { status: 'PENDING', retryInMs: backoffMs(attempt, policy, random) };
}
