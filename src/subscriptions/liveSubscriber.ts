import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { comparePositions } from '../events/position.ts';
import { BoundedQueue } from './boundedQueue.ts';
import { LiveStreamEnd, type Cursored, type LiveSpec } from './liveSpec.ts';

/** Payloads already selected for the event being routed, per spec key. */
export type SelectionCache = Map<string, unknown>;

/**
 * The feed's side of one subscription: where it stands in the log and its bounded
 * buffer. The feed only ever offers; a subscriber whose buffer is full is ended
 * with SUBSCRIBER_TOO_SLOW and dropped, so it can never hold the feed back.
 */
export class LiveSubscriber<P extends Cursored> {
  readonly queue: BoundedQueue<P | LiveStreamEnd>;
  /** Every event up to here has been seen (delivered or skipped): the seam between replay and feed. */
  position: string;
  /** Cursor of the last payload handed to the client: where it resumes. */
  handedOut: string;
  /** Called once when the subscriber ends itself (overflow), so the feed forgets it. */
  onEnd?: () => void;

  constructor(
    readonly spec: LiveSpec<P>,
    capacity: number,
    start: string,
  ) {
    this.queue = new BoundedQueue(capacity);
    this.position = start;
    this.handedOut = start;
  }

  /** Offers one live event; events at or before position were already seen in the replay. */
  deliver(event: RecordedEvent, cache: SelectionCache): void {
    if (this.queue.isEnded || comparePositions(event.position, this.position) <= 0) return;
    this.position = event.position;
    let payload: P | undefined;
    if (cache.has(this.spec.key)) payload = cache.get(this.spec.key) as P | undefined;
    else {
      payload = this.spec.select(event);
      cache.set(this.spec.key, payload);
    }
    if (payload === undefined) return;
    if (!this.queue.offer(payload, this.spec.weight?.(payload) ?? 1)) {
      this.end(
        new LiveStreamEnd(
          'SUBSCRIBER_TOO_SLOW',
          `The subscriber fell more than ${this.queue.capacity} items behind and was closed; subscribe again with after: "${this.handedOut}" to resume.`,
          this.handedOut,
        ),
      );
    }
  }

  /** Drops what is buffered and ends the stream with this last item. */
  end(last?: LiveStreamEnd): void {
    if (this.queue.isEnded) return;
    this.queue.finish(last);
    this.onEnd?.();
  }
}
