import type { EventBatchHandler, SubscribeOptions, Subscription } from './eventStore.ts';
import { START_POSITION } from './position.ts';
import type { FollowerPage } from './recentEvents.ts';
import type { WakeSignal } from './wakeSignal.ts';

export interface FollowLogOptions extends SubscribeOptions {
  /** The next page after a position; see RecentEvents.readOn for when it is complete. */
  readOn(after: string, maxCount: number): Promise<FollowerPage>;
  wake: WakeSignal;
  /** The slow poll behind the wake-up hint: a lost notification delays, never loses. */
  pollIntervalMs: number;
}

/**
 * Catch-up-then-live subscription over pages of the log: the cursor only moves past
 * events the handler has finished, so the seam between backlog and live has no
 * gap and no duplicate by construction.
 */
export function followLog(handler: EventBatchHandler, options: FollowLogOptions): Subscription {
  const batchSize = options.batchSize ?? 1000;
  let cursor = options.after ?? START_POSITION;
  let stopped = false;
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  let stopWaiting: (() => void) | undefined;

  const run = async () => {
    // After a hint that found nothing new, an event may be committed but not yet
    // visible (an older transaction still open): look again soon, backing off.
    let retryDelay = 0;
    while (!stopped) {
      const seen = options.wake.current;
      const { events, completeAsOf } = await options.readOn(cursor, batchSize);
      if (stopped) break;
      if (events.length > 0) {
        await handler(events);
        cursor = events[events.length - 1].position;
        retryDelay = 0;
        // The page reached the log's end as of a read that began after `seen`: whatever follows it
        // will be announced, so wait for that instead of asking the log again (a query per write saved).
        if (completeAsOf === undefined || completeAsOf < seen) continue;
      }
      resolveCaughtUp();
      const delay = retryDelay > 0 ? retryDelay : options.pollIntervalMs;
      await new Promise<void>((resolve) => {
        stopWaiting = resolve;
        options.wake.wait(seen, delay).then(resolve);
      });
      stopWaiting = undefined;
      const hinted = options.wake.current !== seen;
      retryDelay = hinted ? 1 : retryDelay > 0 && retryDelay < options.pollIntervalMs ? retryDelay * 2 : 0;
    }
    resolveCaughtUp();
  };

  const done = run();
  // A failed handler ends the subscription; the caller observes it through `done`.
  done.catch(() => resolveCaughtUp());
  return {
    caughtUp,
    done,
    async stop() {
      stopped = true;
      stopWaiting?.();
      await done.catch(() => {});
    },
  };
}
