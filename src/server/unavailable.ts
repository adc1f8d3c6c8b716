import { isTransient } from '../events/esdb/esdbRetry.ts';

/** Socket errors: the database or event store is down or the connection to it dropped. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SQLSTATEs of a server shutting down, restarting or refusing connections (class 08: connection exceptions). */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const GRPC_RETRYABLE = new Set([4, 14]);
const MESSAGES = /Connection terminated|connection error|Connection timed out|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)|Client was closed|not queryable/i;

/**
 * Whether an error means "a store is unreachable right now", so the request may be
 * retried as it is: answered 503 TEMPORARILY_UNAVAILABLE with Retry-After instead of
 * a 500. Nothing was acknowledged; an append cut off mid-way may or may not be stored.
 */
export function isUnavailableError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (isTransient(e)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isUnavailableError(inner))) return true;
    if (typeof e === 'object') {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code))) return true;
      // A gRPC status the EventStoreDB client passes through unwrapped (its connection set-up): UNAVAILABLE, DEADLINE_EXCEEDED.
      if (typeof code === 'number' && 'metadata' in e && GRPC_RETRYABLE.has(code)) return true;
    }
    if (e instanceof Error && MESSAGES.test(e.message)) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

export const UNAVAILABLE_MESSAGE = 'The database or event store is unavailable right now, so the request was not completed; retry shortly.';
export const RETRY_AFTER_SECONDS = '1';
