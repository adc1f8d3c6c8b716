/**
 * Retry schedule: after failed attempt n (1-based) wait base · 2^(n−1), capped;
 * deterministic (no jitter) so a restarted server computes the same schedule and
 * tests can step through it. After maxAttempts failures a delivery is abandoned.
 */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const defaultBackoff: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 60 * 60 * 1000, maxAttempts: 10 };

export function retryDelay(policy: BackoffPolicy, failedAttempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
}
