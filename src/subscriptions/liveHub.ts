import type { EventStore } from '../events/eventStore.ts';
import { EventFeed } from './eventFeed.ts';
import type { Cursored, LiveSpec, LiveStreamEnd, StartFrom } from './liveSpec.ts';
import { LiveStream } from './liveStream.ts';

export interface LiveHubOptions {
  /** How far (in metric points, or payloads) a subscriber may fall behind before it is closed. */
  subscriberBufferCapacity?: number;
  /** Events per query while a subscriber replays. */
  replayBatchSize?: number;
  onFeedError?: (error: unknown) => void;
  /** Diagnostics: called when a stream ends its replay and joins the feed. */
  onJoin?: (replayPosition: string, feedPosition: string) => void;
}

export const defaultSubscriberBufferCapacity = 50_000;

/** The subscriptions of one server process: one shared feed, many streams. */
export class LiveHub {
  readonly feed: EventFeed;
  private readonly streams = new Set<LiveStream<Cursored>>();
  private closing = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: LiveHubOptions = {},
  ) {
    this.feed = new EventFeed(store, { onError: options.onFeedError });
  }

  /** How many subscriptions are open now. */
  get openStreams(): number {
    return this.streams.size;
  }

  open<P extends Cursored>(spec: LiveSpec<P>, from: StartFrom): AsyncIterableIterator<P | LiveStreamEnd> {
    const stream = new LiveStream(spec, from, {
      store: this.store,
      feed: this.feed,
      capacity: this.options.subscriberBufferCapacity ?? defaultSubscriberBufferCapacity,
      replayBatchSize: this.options.replayBatchSize ?? 1000,
      onJoin: this.options.onJoin,
    });
    const tracked = stream as unknown as LiveStream<Cursored>;
    if (this.closing) stream.end('SERVER_SHUTTING_DOWN', 'The server is shutting down; subscribe to another instance.');
    else this.streams.add(tracked);
    const forget = () => this.streams.delete(tracked);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        const step = await stream.next();
        if (step.done) forget();
        return step;
      },
      async return() {
        forget();
        return stream.return();
      },
    };
  }

  /**
   * Ends every subscription with SERVER_SHUTTING_DOWN and its cursor, waits a
   * moment for those last messages to be pulled (a stuck client is not waited
   * for), then stops the feed.
   */
  async close(drainMs = 1_000): Promise<void> {
    this.closing = true;
    for (const stream of this.streams) stream.end('SERVER_SHUTTING_DOWN', 'The server is shutting down; subscribe again (to any instance) with the cursor to resume.');
    const deadline = Date.now() + drainMs;
    while (this.streams.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.streams.clear();
    await this.feed.close((subscriber) => subscriber.end());
  }
}
