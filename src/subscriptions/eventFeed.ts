import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { upcastEvent } from '../events/eventCatalog.ts';
import type { EventStore, Subscription } from '../events/eventStore.ts';
import type { Cursored } from './liveSpec.ts';
import type { LiveSubscriber } from './liveSubscriber.ts';
import { SubscriberRegistry } from './subscriberRegistry.ts';

export interface EventFeedOptions {
  batchSize?: number;
  onError?: (error: unknown) => void;
}

/**
 * The one reader of the log per server process: it follows the log from the
 * newest event at start and routes every event to the matching subscribers in
 * memory. Wake-ups come from this process's appends and, on Postgres, from
 * other servers' NOTIFY, so a write anywhere reaches subscribers everywhere.
 */
export class EventFeed {
  readonly subscribers = new SubscriberRegistry();
  private current?: string;
  private subscription?: Subscription;
  private starting?: Promise<void>;
  private stopped = false;
  private loop?: Promise<void>;
  /** Wait before following again after a failure; back to the minimum once events flow. */
  private backoff = 50;

  constructor(
    private readonly store: EventStore,
    private readonly options: EventFeedOptions = {},
  ) {}

  /** The last event routed: a subscriber joining here misses nothing and sees nothing twice. */
  get position(): string {
    if (this.current === undefined) throw new Error('EventFeed.position read before the feed started');
    return this.current;
  }

  /** Starts following on first use (a server nobody subscribes to never reads the log twice). */
  ready(): Promise<void> {
    this.starting ??= (async () => {
      this.current = await this.store.headPosition();
      this.loop = this.follow();
    })();
    return this.starting;
  }

  /** Joins a subscriber whose position is at or past the feed's (checked by the caller in the same tick). */
  add<P extends Cursored>(subscriber: LiveSubscriber<P>): void {
    subscriber.onEnd = () => this.subscribers.remove(subscriber);
    this.subscribers.add(subscriber);
  }

  remove<P extends Cursored>(subscriber: LiveSubscriber<P>): void {
    this.subscribers.remove(subscriber);
  }

  async close(end: (subscriber: LiveSubscriber<Cursored>) => void): Promise<void> {
    this.stopped = true;
    this.subscribers.endAll(end);
    await this.subscription?.stop();
    await this.loop;
  }

  private route(events: RecordedEvent[]): void {
    // Synchronous from here to the position update: a join check never sees a half-routed batch.
    this.subscribers.route(events.map(upcastEvent));
    this.current = events[events.length - 1].position;
    this.backoff = 50;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      this.subscription = this.store.subscribeToAll((events) => this.route(events), { after: this.current, batchSize: this.options.batchSize ?? 1000 });
      try {
        await this.subscription.done;
        return;
      } catch (error) {
        // The database went away for a moment: follow again from the last routed event.
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, this.backoff));
        this.backoff = Math.min(this.backoff * 2, 5_000);
      }
    }
  }
}
