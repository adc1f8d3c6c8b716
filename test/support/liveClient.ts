import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface LiveResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A graphql-ws client over a real WebSocket, as a browser dashboard would use it. */
export function liveClient(wsUrl: string): Client {
  return createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/**
 * Subscribes and collects results until `done` says so (or the stream ends),
 * calling onResult for each. Resolves with everything received.
 */
export async function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  done: (results: LiveResult<T>[]) => boolean,
  onResult?: (result: LiveResult<T>) => Promise<void> | void,
): Promise<LiveResult<T>[]> {
  const results: LiveResult<T>[] = [];
  const iterator = client.iterate<T>({ query, variables });
  try {
    for await (const result of iterator) {
      results.push(result as LiveResult<T>);
      await onResult?.(result as LiveResult<T>);
      if (done(results)) break;
    }
  } finally {
    await iterator.return?.();
  }
  return results;
}

/** Rejects when a promise takes longer than ms (keeps a broken stream from hanging a test until its timeout). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))),
  ]);
}
