import { upcastEvent } from '../events/eventCatalog.ts';
import type { EventStore } from '../events/eventStore.ts';
import { comparePositions, START_POSITION } from '../events/position.ts';
import type { EventFeed } from './eventFeed.ts';
import { LiveStreamEnd, type Cursored, type LiveSpec, type StartFrom } from './liveSpec.ts';
import { LiveSubscriber } from './liveSubscriber.ts';
import { mergedStreams } from './mergedStreams.ts';

export interface LiveStreamOptions {
  store: EventStore;
  feed: EventFeed;
  /** Buffer of a live subscriber, in payload weight (metric points). */
  capacity: number;
  /** Events read per query while replaying. */
  replayBatchSize: number;
  /** Diagnostics: where the replay stopped and where the feed stood when the stream joined it. */
  onJoin?: (replayPosition: string, feedPosition: string) => void;
}

/**
 * One subscription: replays from the store what came after its start (pulled by
 * the client, so a slow client slows only its own replay), then joins the shared
 * feed. It joins only once its replay has reached the feed's position, in the same
 * tick as the check; the subscriber then skips feed events at or before the last
 * event it replayed. So the seam has no gap and no duplicate.
 */
export class LiveStream<P extends Cursored> implements AsyncIterableIterator<P | LiveStreamEnd> {
  private readonly subscriber: LiveSubscriber<P>;
  private replay?: AsyncGenerator<P>;
  private live = false;
  private closed = false;
  private pendingEnd?: LiveStreamEnd;

  constructor(
    private readonly spec: LiveSpec<P>,
    private readonly from: StartFrom,
    private readonly options: LiveStreamOptions,
  ) {
    this.subscriber = new LiveSubscriber(spec, options.capacity, typeof from === 'object' ? from.after : START_POSITION);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<P | LiveStreamEnd>> {
    if (this.pendingEnd) {
      const last = this.pendingEnd;
      this.pendingEnd = undefined;
      this.finish();
      return { done: false, value: last };
    }
    if (this.closed) return { done: true, value: undefined };
    if (!this.live) {
      this.replay ??= this.replayThenJoin();
      const step = await this.replay.next();
      if (this.closed) return this.next();
      if (!step.done) return this.handOut(step.value);
      this.live = true;
    }
    const item = await this.subscriber.queue.take();
    if (item === undefined || this.closed) return this.finish();
    if (item instanceof LiveStreamEnd) {
      this.closed = true;
      return { done: false, value: item };
    }
    return this.handOut(item);
  }

  /** The client went away or completed: forget the subscriber at once. */
  async return(): Promise<IteratorResult<P | LiveStreamEnd>> {
    return this.finish();
  }

  /** Ends the stream from the server side with a last item (shutdown). */
  end(code: LiveStreamEnd['code'], message: string): void {
    if (this.closed) return;
    const last = new LiveStreamEnd(code, message, this.subscriber.handedOut);
    if (this.live) this.subscriber.end(last);
    else {
      this.pendingEnd = last;
      this.closed = true;
    }
  }

  /** Where a client resumes if the stream ends now. */
  get cursor(): string {
    return this.subscriber.handedOut;
  }

  private handOut(payload: P): IteratorResult<P> {
    this.subscriber.handedOut = payload.cursor;
    return { done: false, value: payload };
  }

  private finish(): IteratorResult<P | LiveStreamEnd> {
    this.closed = true;
    this.options.feed.remove(this.subscriber);
    this.subscriber.end();
    return { done: true, value: undefined };
  }

  private async *replayThenJoin(): AsyncGenerator<P> {
    const { store, feed, replayBatchSize } = this.options;
    await feed.ready();
    // What the client has already: nothing at or before this cursor is handed out.
    const resumeAfter = this.from === 'now' ? await store.headPosition() : this.from === 'start' ? undefined : this.from.after;
    this.subscriber.handedOut = resumeAfter ?? START_POSITION;
    const fresh = (payload: P | undefined): payload is P => payload !== undefined && (resumeAfter === undefined || comparePositions(payload.cursor, resumeAfter) > 0);
    let position: string;
    if (this.spec.streams && (this.from === 'start' || this.spec.foldsHistory)) {
      // Read only this subscription's streams up to a settled head, then the log after it.
      // A spec that folds history reads them from their start even to resume.
      const head = await store.headPosition();
      for await (const raw of mergedStreams(store, this.spec.streams, head, replayBatchSize)) {
        if (this.closed) return;
        const payload = this.spec.select(upcastEvent(raw));
        if (fresh(payload)) yield payload;
      }
      position = head;
    } else position = resumeAfter ?? START_POSITION;

    for (;;) {
      if (this.closed) return;
      if (comparePositions(position, feed.position) >= 0) {
        this.subscriber.position = position;
        this.options.onJoin?.(position, feed.position);
        feed.add(this.subscriber);
        return;
      }
      const events = await store.readAll({ after: position, maxCount: replayBatchSize });
      if (events.length === 0) {
        // Cannot last: the feed only routes events this read also sees.
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      for (const raw of events) {
        if (this.closed) return;
        position = raw.position;
        const payload = this.spec.select(upcastEvent(raw));
        if (fresh(payload)) yield payload;
      }
    }
  }
}
