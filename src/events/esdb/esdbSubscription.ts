import { excludeSystemEvents, type AllStreamSubscription, type EventStoreDBClient, type ResolvedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../eventEnvelope.ts';
import type { EventBatchHandler, SubscribeOptions, Subscription } from '../eventStore.ts';
import { comparePositions, START_POSITION } from '../position.ts';
import { toRecordedEvent } from './esdbEventCodec.ts';
import { toEsdbPosition } from './esdbPosition.ts';
import { retryDelay, type RetryPolicy } from './esdbRetry.ts';

export interface EsdbSubscriptionOptions extends SubscribeOptions {
  client: EventStoreDBClient;
  /** Newest event of the log now: caughtUp resolves once the handler has passed it. */
  headPosition(): Promise<string>;
  retry: RetryPolicy;
  /** Told about every drop before the subscription resumes (logging). */
  onDrop?: (error: unknown) => void;
}

/**
 * Catch-up-then-live over a filtered $all subscription (system events excluded
 * on the server). Events reach the handler in batches of what has already
 * arrived; the resume point only moves past a batch once the handler finished
 * it, so when the server drops the subscription (leader change, slow consumer,
 * restart) a new one from that point delivers no gap and no duplicate:
 * subscription start positions are exclusive.
 */
export function subscribeEsdb(handler: EventBatchHandler, options: EsdbSubscriptionOptions): Subscription {
  const batchSize = options.batchSize ?? 1000;
  let resumeAfter = options.after ?? START_POSITION;
  let stopped = false;
  let current: AllStreamSubscription | undefined;
  let wake: (() => void) | undefined;
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  let backlogEnd: string | undefined;
  const noteProgress = () => {
    if (backlogEnd !== undefined && comparePositions(resumeAfter, backlogEnd) >= 0) resolveCaughtUp();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  /** Follows one server subscription until it drops (returns the reason) or stop() is called. */
  const follow = async (subscription: AllStreamSubscription): Promise<unknown> => {
    let failure: unknown;
    let ended = false;
    subscription.on('error', (error) => (failure ??= error));
    subscription.on('end', () => (ended = true));
    let batch: RecordedEvent[] = [];
    for (;;) {
      let item: ResolvedEvent | null;
      while (batch.length < batchSize && (item = subscription.read() as ResolvedEvent | null) !== null) {
        const event = toRecordedEvent(item);
        if (event) batch.push(event);
      }
      if (stopped) return undefined;
      const interrupted = failure !== undefined || ended;
      // While the backlog lasts more events are certain to come: fill the batch (one transaction for the
      // projector, not one per network read). Live, hand over at once whatever arrived.
      const backlogLeft = backlogEnd !== undefined && batch.length > 0 && comparePositions(batch[batch.length - 1].position, backlogEnd) < 0;
      if (batch.length >= batchSize || (batch.length > 0 && (!backlogLeft || interrupted))) {
        try {
          await handler(batch);
        } catch (error) {
          throw new HandlerFailure(error);
        }
        resumeAfter = batch[batch.length - 1].position;
        batch = [];
        noteProgress();
        continue;
      }
      if (failure !== undefined) return failure;
      if (ended) return new Error('EventStoreDB ended the subscription');
      if (subscription.readableLength > 0) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          subscription.off('readable', done);
          subscription.off('end', done);
          subscription.off('error', done);
          wake = undefined;
          resolve();
        };
        subscription.on('readable', done);
        subscription.on('end', done);
        subscription.on('error', done);
        wake = done;
      });
    }
  };

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        if (backlogEnd === undefined) {
          backlogEnd = await options.headPosition();
          noteProgress();
        }
        current = options.client.subscribeToAll(
          { fromPosition: toEsdbPosition(resumeAfter), filter: excludeSystemEvents() },
          { highWaterMark: batchSize },
        );
        const before = resumeAfter;
        const reason = await follow(current);
        if (stopped) break;
        if (resumeAfter !== before) failures = 0;
        throw reason;
      } catch (error) {
        if (stopped) break;
        if (error instanceof HandlerFailure) throw error.original;
        options.onDrop?.(error);
        failures++;
        await current?.unsubscribe().catch(() => {});
        current = undefined;
        await sleep(retryDelay(options.retry, failures));
      }
    }
  };

  const done = run().finally(() => {
    resolveCaughtUp();
    void current?.unsubscribe().catch(() => {});
  });
  done.catch(() => {});
  return {
    caughtUp,
    done,
    async stop() {
      stopped = true;
      wake?.();
      await current?.unsubscribe().catch(() => {});
      await done.catch(() => {});
    },
  };
}

/** The handler's own failure ends the subscription (done rejects with it); any other failure is a drop to resume from. */
class HandlerFailure extends Error {
  constructor(readonly original: unknown) {
    super('subscription handler failed');
  }
}
