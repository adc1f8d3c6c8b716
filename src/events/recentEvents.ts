import type { RecordedEvent } from './eventEnvelope.ts';
import { comparePositions } from './position.ts';

type LoadAfter = (after: string, maxCount: number) => Promise<RecordedEvent[]>;

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
  private pending?: { after: string; loaded: Promise<RecordedEvent[]> };

  constructor(
    private readonly load: LoadAfter,
    private readonly capacity = 1000,
  ) {}

  /**
   * Every visible event after `after`, up to `maxCount`: what is held, then the log
   * after it. For readers that take a short page as the end (ad hoc reads, the port).
   */
  async readAll(after: string, maxCount: number): Promise<RecordedEvent[]> {
    const held = this.slice(after, maxCount);
    if (held === undefined || held.length === 0) return this.fetch(after, maxCount);
    if (held.length >= maxCount) return held;
    return held.concat(await this.readAll(held[held.length - 1].position, maxCount - held.length));
  }

  /**
   * For followers, which read on from their last event until a page comes back empty:
   * what is held answers at once, even if the log has grown since. (Asking the log for
   * more first put a round trip between every write and its projection.)
   */
  async readOn(after: string, maxCount: number): Promise<RecordedEvent[]> {
    const held = this.slice(after, maxCount);
    if (held === undefined || held.length === 0) return this.fetch(after, maxCount);
    return held;
  }

  private fetch(after: string, maxCount: number): Promise<RecordedEvent[]> {
    if (this.start !== undefined && comparePositions(after, this.start) < 0) return this.load(after, maxCount); // an old reader catching up
    return this.extend(after, maxCount); // nothing held yet, a reader at the end of the stretch, or one ahead of it
  }

  /** Reads what follows `after` from the log and keeps it; concurrent readers of the same point share the query. */
  private async extend(after: string, maxCount: number): Promise<RecordedEvent[]> {
    if (this.pending?.after === after) {
      const shared = await this.pending.loaded.catch(() => undefined);
      if (shared) return shared.slice(0, maxCount);
    }
    const loaded = this.load(after, maxCount);
    this.pending = { after, loaded };
    try {
      const events = await loaded;
      this.keep(after, events);
      return events;
    } finally {
      if (this.pending?.loaded === loaded) this.pending = undefined;
    }
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
  private keep(after: string, events: RecordedEvent[]): void {
    if (this.start === undefined || comparePositions(after, this.end()) > 0) {
      this.start = after;
      this.events = [];
    } else if (after !== this.end()) {
      return; // read from inside the stretch while another reader extended it
    }
    this.events.push(...events);
    if (this.events.length > this.capacity) {
      const dropped = this.events.splice(0, this.events.length - this.capacity);
      this.start = dropped[dropped.length - 1].position;
    }
  }
}
