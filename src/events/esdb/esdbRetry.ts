import { CancelledError, DeadlineExceededError, NotLeaderError, TimeoutError, UnavailableError } from '@eventstore/db-client';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 8, baseDelayMs: 25, maxDelayMs: 1_000 };

/**
 * Errors after which the same call may succeed: the node lost leadership, the
 * connection dropped, or the server gave up waiting. The client reconnects (to
 * the new leader) on the next call but never repeats the failed one itself.
 */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof UnavailableError ||
    error instanceof NotLeaderError ||
    error instanceof CancelledError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError
  );
}

export function retryDelay(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.baseDelayMs * 2 ** Math.max(0, failures - 1), policy.maxDelayMs);
}

/**
 * Repeats an action on transient errors with exponential back-off. Only for
 * actions that are safe to repeat: reads, and appends whose event ids make a
 * repeated write a no-op on the server.
 */
export async function withRetry<T>(action: () => Promise<T>, policy: RetryPolicy = defaultRetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelay(policy, attempt)));
    }
  }
}
