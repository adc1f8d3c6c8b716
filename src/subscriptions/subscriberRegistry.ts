import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { Cursored } from './liveSpec.ts';
import type { LiveSubscriber, SelectionCache } from './liveSubscriber.ts';
import { routeKeysOf } from './routeKeys.ts';

type AnySubscriber = LiveSubscriber<Cursored>;

/** Subscribers indexed by route key, so routing an event touches only those that may want it. */
export class SubscriberRegistry {
  private byRoute = new Map<string, Set<AnySubscriber>>();
  private all = new Set<AnySubscriber>();

  get size(): number {
    return this.all.size;
  }

  add<P extends Cursored>(subscriber: LiveSubscriber<P>): void {
    const s = subscriber as unknown as AnySubscriber;
    this.all.add(s);
    for (const route of s.spec.routes) {
      let set = this.byRoute.get(route);
      if (!set) this.byRoute.set(route, (set = new Set()));
      set.add(s);
    }
  }

  remove<P extends Cursored>(subscriber: LiveSubscriber<P>): void {
    const s = subscriber as unknown as AnySubscriber;
    if (!this.all.delete(s)) return;
    for (const route of s.spec.routes) {
      const set = this.byRoute.get(route);
      set?.delete(s);
      if (set?.size === 0) this.byRoute.delete(route);
    }
  }

  /** Hands each event to its subscribers, synchronously and in log order. */
  route(events: readonly RecordedEvent[]): void {
    if (this.all.size === 0) return;
    for (const event of events) {
      const cache: SelectionCache = new Map();
      for (const key of routeKeysOf(event)) {
        const set = this.byRoute.get(key);
        if (!set) continue;
        // A subscriber that overflows removes itself meanwhile: Set iteration allows that.
        for (const subscriber of set) subscriber.deliver(event, cache);
      }
    }
  }

  /** Ends every subscriber (server shutdown). */
  endAll(end: (subscriber: AnySubscriber) => void): void {
    for (const subscriber of [...this.all]) end(subscriber);
    this.all.clear();
    this.byRoute.clear();
  }
}
