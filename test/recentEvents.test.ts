import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../src/events/eventEnvelope.ts';
import { encodePosition, START_POSITION } from '../src/events/position.ts';
import { RecentEvents } from '../src/events/recentEvents.ts';

/** A log that grows at its end, as the store's visible log does, counting what reads fetch from it. */
function growingLog() {
  const events: RecordedEvent[] = [];
  const stats = { queries: 0, fetched: 0 };
  return {
    events,
    stats,
    append(n: number) {
      for (let i = 0; i < n; i++) {
        const index = events.length + 1;
        events.push({ streamId: 's', revision: index - 1, position: encodePosition(index, index), type: 'T', version: 1, data: { index }, metadata: { eventId: `${index}`, recordedAt: '', actor: 'a', correlationId: 'c' } });
      }
    },
    async load(after: string, maxCount: number) {
      stats.queries++;
      await new Promise((r) => setTimeout(r, 5));
      const found = events.filter((e) => e.position > after).slice(0, maxCount);
      stats.fetched += found.length;
      return { events: found, settled: true };
    },
  };
}

const indexes = (events: RecordedEvent[]) => events.map((e) => (e.data as { index: number }).index);

describe('RecentEvents', () => {
  it("tells a follower when a page reaches the log's end as of a wake-up generation, and not otherwise", async () => {
    const log = growingLog();
    let generation = 7;
    let settled = true;
    const recent = new RecentEvents(async (after, max) => ({ ...(await log.load(after, max)), settled }), 1000, () => generation);
    log.append(3);
    // Read from the log, shorter than asked, nothing open: complete as of the generation the read began at.
    expect(await recent.readOn(START_POSITION, 10)).toMatchObject({ completeAsOf: 7 });
    // A full page may have more behind it.
    log.append(2);
    generation = 8;
    expect(await recent.readOn(log.events[2].position, 2)).toMatchObject({ completeAsOf: undefined });
    // From memory: complete only if it reaches the held end, as of the read that got there.
    expect((await recent.readOn(START_POSITION, 2)).completeAsOf).toBeUndefined();
    log.append(1);
    generation = 9;
    expect(await recent.readOn(log.events[4].position, 10)).toMatchObject({ completeAsOf: 9 });
    expect(await recent.readOn(log.events[3].position, 10)).toMatchObject({ completeAsOf: 9 });
    // A transaction was open during the read: an earlier commit may still be invisible.
    settled = false;
    log.append(1);
    expect(await recent.readOn(log.events[5].position, 10)).toMatchObject({ completeAsOf: undefined });
    expect(await recent.readOn(log.events[4].position, 10)).toMatchObject({ completeAsOf: undefined });
  });

  it('fetches each event of the head once for all readers, serving what it holds before asking for more', async () => {
    const log = growingLog();
    const recent = new RecentEvents((after, max) => log.load(after, max));
    log.append(5);
    expect(indexes(await recent.readAll(START_POSITION, 10))).toEqual([1, 2, 3, 4, 5]);
    expect(indexes(await recent.readAll(START_POSITION, 10))).toEqual([1, 2, 3, 4, 5]);
    expect(indexes(await recent.readAll(log.events[1].position, 2))).toEqual([3, 4]); // a full answer from memory alone
    expect(log.stats.fetched).toBe(5);
    // Events appended since: a reader inside the stretch gets what is held at once, with no query,
    // and finds the new ones when it reads on from there.
    log.append(3);
    const queries = log.stats.queries;
    expect(indexes((await recent.readOn(log.events[2].position, 10)).events)).toEqual([4, 5]);
    expect(log.stats.queries).toBe(queries);
    expect(indexes((await recent.readOn(log.events[4].position, 10)).events)).toEqual([6, 7, 8]);
    expect(indexes(await recent.readAll(START_POSITION, 100))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.stats.fetched).toBe(8);
  });

  it('gives a reader that is not following a full page: what is held, then the log after it', async () => {
    const log = growingLog();
    const recent = new RecentEvents((after, max) => log.load(after, max));
    log.append(2);
    expect(indexes((await recent.readOn(START_POSITION, 10)).events)).toEqual([1, 2]);
    // A reader that asks again from the same place (it waits for its own events to show) must see the new ones.
    log.append(3);
    expect(indexes(await recent.readAll(START_POSITION, 10))).toEqual([1, 2, 3, 4, 5]);
    expect(indexes(await recent.readAll(START_POSITION, 4))).toEqual([1, 2, 3, 4]);
    expect(log.stats.fetched).toBe(5);
  });

  it('lets readers at the head share one query', async () => {
    const log = growingLog();
    const recent = new RecentEvents((after, max) => log.load(after, max));
    log.append(4);
    const results = await Promise.all([recent.readAll(START_POSITION, 10), recent.readAll(START_POSITION, 10), recent.readAll(START_POSITION, 2)]);
    expect(results.map(indexes)).toEqual([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2]]);
    expect(log.stats.queries).toBe(1);
  });

  it('sends readers behind the stretch to the log, drops its oldest events beyond capacity, and restarts ahead of a reader who jumped', async () => {
    const log = growingLog();
    const recent = new RecentEvents((after, max) => log.load(after, max), 3);
    log.append(6);
    expect(indexes(await recent.readAll(START_POSITION, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    // Only 4, 5, 6 are held: a reader from the start goes to the log, and does not disturb the stretch.
    expect(indexes(await recent.readAll(START_POSITION, 2))).toEqual([1, 2]);
    expect(log.stats.fetched).toBe(8);
    expect(indexes(await recent.readAll(log.events[3].position, 2))).toEqual([5, 6]);
    expect(log.stats.fetched).toBe(8);
    // A reader beyond the stretch (it learnt a newer position elsewhere) starts a new one.
    log.append(4);
    expect(indexes(await recent.readAll(log.events[7].position, 10))).toEqual([9, 10]);
    expect(indexes(await recent.readAll(log.events[8].position, 1))).toEqual([10]);
    expect(log.stats.fetched).toBe(10);
  });

  it('does not keep a failed read, and the next reader asks again', async () => {
    let fail = true;
    const log = growingLog();
    log.append(2);
    const recent = new RecentEvents(async (after, max) => {
      if (fail) throw new Error('connection lost');
      return log.load(after, max);
    });
    await expect(recent.readAll(START_POSITION, 10)).rejects.toThrow('connection lost');
    fail = false;
    expect(indexes(await recent.readAll(START_POSITION, 10))).toEqual([1, 2]);
  });
});
