import type { RecordedEvent } from './eventEnvelope.ts';
import { comparePositions } from './position.ts';

/** What one read of the log after a position found. */
export interface LoadedPage {
  events: RecordedEvent[];
  /** No transaction was open when the read began: every event committed before it is in the page or before it. */
  settled: boolean;
}

type LoadAfter = (after: string, maxCount: number) => Promise<LoadedPage>;

/** A follower's page, and whether it reaches the log's visible end as of a wake-up generation. */
export interface FollowerPage {
  events: RecordedEvent[];
  /**
   * Set when the page ends where the log ended for a read that began at this wake-up
   * generation: anything later is announced by a wake-up after it, so a follower that
   * noted an older or equal generation before reading need not ask the log again.
   */
  completeAsOf?: number;
}

/**
 * The newest stretch of the global log this process has read, shared by every
 * reader in it (the projectors, the subscription feed), so each event is fetched
 * and decoded once rather than once per reader. Readers at the head that ask at
 * the same moment share one query.
 *
 * Sound because the log only grows at its end: once an event is visible, no event
 * can later appear before it (see the store's visibility rule). So a contiguous
 * stretch read once stays exactly the log's content between its bounds, and a
 * reader served a prefix of what is now visible simply reads on from there.
 * The events are shared: readers must not mutate them.
 */
export class RecentEvents {
  /** Exclusive lower bound of the stretch; undefined while nothing is held. */
  private start: string | undefined;
  private events: RecordedEvent[] = [];
  /** The generation at which the read that last extended the stretch began, if it found the log's end (settled). */
  private endAsOf: number | undefined;
  private pending?: { after: string; loaded: Promise<FollowerPage> };

  constructor(
    private readonly load: LoadAfter,
    private readonly capacity = 1000,
    /** The wake-up generation (WakeSignal.current); without it no page is ever complete. */
    private readonly generation?: () => number,
  ) {}

  /**
   * Every visible event after `after`, up to `maxCount`: what is held, then the log
   * after it. For readers that take a short page as the end (ad hoc reads, the port).
   */
  async readAll(after: string, maxCount: number): Promise<RecordedEvent[]> {
    const held = this.slice(after, maxCount);
    if (held === undefined || held.length === 0) return (await this.fetch(after, maxCount)).events;
    if (held.length >= maxCount) return held;
    return held.concat(await this.readAll(held[held.length - 1].position, maxCount - held.length));
  }

  /**
   * For followers, which read on from their last event until a page comes back empty
   * or complete: what is held answers at once, even if the log has grown since. (Asking
   * the log for more first put a round trip between every write and its projection.)
   */
  async readOn(after: string, maxCount: number): Promise<FollowerPage> {
    const held = this.slice(after, maxCount);
    if (held === undefined || held.length === 0) return this.fetch(after, maxCount);
    const reachesEnd = held[held.length - 1].position === this.end();
    return { events: held, completeAsOf: reachesEnd ? this.endAsOf : undefined };
  }

  private async fetch(after: string, maxCount: number): Promise<FollowerPage> {
    if (this.start !== undefined && comparePositions(after, this.start) < 0) {
      return { events: (await this.load(after, maxCount)).events }; // an old reader catching up
    }
    return this.extend(after, maxCount); // nothing held yet, a reader at the end of the stretch, or one ahead of it
  }

  /** Reads what follows `after` from the log and keeps it; concurrent readers of the same point share the query. */
  private async extend(after: string, maxCount: number): Promise<FollowerPage> {
    if (this.pending?.after === after) {
      const shared = await this.pending.loaded.catch(() => undefined);
      if (shared) return shared.events.length > maxCount ? { events: shared.events.slice(0, maxCount) } : shared;
    }
    const loaded = this.readAndKeep(after, maxCount);
    this.pending = { after, loaded };
    try {
      return await loaded;
    } finally {
      if (this.pending?.loaded === loaded) this.pending = undefined;
    }
  }

  private async readAndKeep(after: string, maxCount: number): Promise<FollowerPage> {
    const asOf = this.generation?.();
    const page = await this.load(after, maxCount);
    const completeAsOf = asOf !== undefined && page.settled && page.events.length < maxCount ? asOf : undefined;
    this.keep(after, page.events, completeAsOf);
    return { events: page.events, completeAsOf };
  }

  /** What is held after `after`, or undefined when `after` is outside the stretch. */
  private slice(after: string, maxCount: number): RecordedEvent[] | undefined {
    if (this.start === undefined || comparePositions(after, this.start) < 0 || comparePositions(after, this.end()) > 0) return undefined;
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePositions(this.events[middle].position, after) <= 0) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low, low + maxCount);
  }

  private end(): string {
    return this.events.length > 0 ? this.events[this.events.length - 1].position : (this.start as string);
  }

  /** Extends the stretch with what was read after its end, or restarts it ahead of it. */
  private keep(after: string, events: RecordedEvent[], completeAsOf: number | undefined): void {
    if (this.start === undefined || comparePositions(after, this.end()) > 0) {
      this.start = after;
      this.events = [];
    } else if (after !== this.end()) {
      return; // read from inside the stretch while another reader extended it
    }
    this.events.push(...events);
    this.endAsOf = completeAsOf;
    if (this.events.length > this.capacity) {
      const dropped = this.events.splice(0, this.events.length - this.capacity);
      this.start = dropped[dropped.length - 1].position;
    }
  }
}
