import { createClient, type Client } from 'graphql-ws';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

let client: Client | undefined;
let connected = false;
const connectionListeners = new Set<() => void>();

/**
 * One WebSocket per page (graphql-ws, on the same /graphql as queries). The client does
 * not retry by itself: a retry would repeat the original variables, and resuming needs
 * the newest cursor instead (see subscribeLive).
 */
function liveClient(): Client {
  if (!client) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    client = createClient({ url, lazy: true, retryAttempts: 0, keepAlive: 15_000, lazyCloseTimeout: 1_000 });
    client.on('connected', () => {
      connected = true;
      for (const listener of connectionListeners) listener();
    });
    client.on('closed', () => {
      connected = false;
    });
  }
  return client;
}

export interface LiveOptions<T> {
  query: string;
  /** Without `after`: the subscription's own start (e.g. `after` from trackingCursor, or fromStart). */
  variables: Record<string, unknown>;
  /** The cursor a payload carries, to resume right after it. */
  cursorOf(data: T): string;
  onData(data: T): void;
  onStatus?(status: LiveStatus): void;
}

/**
 * Subscribes and keeps the stream going across dropped sockets and streams the server
 * ends (SUBSCRIBER_TOO_SLOW, SERVER_SHUTTING_DOWN): each new attempt starts `after` the
 * last cursor seen, so nothing is missed and nothing repeats. Backs off 0.25 s → 5 s.
 * Returns the function that stops it.
 */
export function subscribeLive<T>(options: LiveOptions<T>): () => void {
  let cursor: string | undefined = typeof options.variables.after === 'string' ? options.variables.after : undefined;
  let stopped = false;
  let dispose: (() => void) | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let delay = 250;
  const status = (s: LiveStatus) => options.onStatus?.(s);

  const retry = () => {
    dispose?.();
    dispose = undefined;
    if (stopped) return;
    status('reconnecting');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, delay);
    delay = Math.min(delay * 2, 5_000);
  };
  const markLive = () => {
    if (!stopped) status('live');
  };

  function start() {
    if (stopped) return;
    const variables = { ...options.variables };
    if (cursor !== undefined) {
      variables.after = cursor;
      delete variables.fromStart;
    }
    connectionListeners.add(markLive);
    dispose = liveClient().subscribe<T>(
      { query: options.query, variables },
      {
        next(result) {
          if (result.errors?.length) {
            // The server's last message names the cursor to resume from.
            const resumeAt = result.errors[0].extensions?.cursor;
            if (typeof resumeAt === 'string') cursor = resumeAt;
            return;
          }
          if (!result.data) return;
          delay = 250;
          cursor = options.cursorOf(result.data);
          status('live');
          options.onData(result.data);
        },
        error: retry,
        complete: () => {
          if (!stopped) retry();
        },
      },
    );
    if (connected) status('live');
  }

  status('connecting');
  start();
  return () => {
    stopped = true;
    connectionListeners.delete(markLive);
    clearTimeout(retryTimer);
    dispose?.();
    status('ended');
  };
}
