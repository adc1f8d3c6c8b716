/**
 * A queue between a producer that must never wait (the shared feed) and one slow
 * consumer. Items carry a weight (metric points, say); when an offer would take the
 * queue past its capacity the offer is refused and the producer decides what to do
 * (end the subscriber). Memory per consumer is therefore bounded by the capacity.
 */
export class BoundedQueue<T> {
  private items: { item: T; weight: number }[] = [];
  private head = 0;
  private used = 0;
  private ended = false;
  private waiter?: () => void;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new Error(`BoundedQueue capacity must be positive, got ${capacity}`);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get weight(): number {
    return this.used;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Adds an item unless it would overflow; an item heavier than the capacity fits only into an empty queue. */
  offer(item: T, weight = 1): boolean {
    if (this.ended) return false;
    if (this.size > 0 && this.used + weight > this.capacity) return false;
    this.items.push({ item, weight });
    this.used += weight;
    this.wake();
    return true;
  }

  /** Drops everything still buffered, queues one last item, and ends after it. */
  finish(last?: T): void {
    if (this.ended) return;
    this.items = last === undefined ? [] : [{ item: last, weight: 0 }];
    this.head = 0;
    this.used = 0;
    this.ended = true;
    this.wake();
  }

  /** The next item, waiting for one; undefined once the queue has ended and drained. */
  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.size > 0) {
        const { item, weight } = this.items[this.head];
        this.items[this.head] = undefined as never;
        this.head++;
        this.used -= weight;
        // Compact now and then instead of shifting on every take.
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        return item;
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
