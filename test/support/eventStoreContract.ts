import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/eventEnvelope.ts';
import { WrongExpectedVersionError, type EventStore } from '../../src/events/eventStore.ts';
import { comparePositions } from '../../src/events/position.ts';
import { testEvent } from './eventFactory.ts';

export interface ContractHarness {
  store: EventStore;
  /** Ends the server side of every live subscription (a leader change, a restart); returns how many. */
  dropSubscriptions?(): Promise<number>;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** The harness can drop subscriptions server-side; where it cannot, that test is skipped and says why. */
  dropsSubscriptions?: string | true;
}

const stream = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

/** The event-store port's contract: every adapter must pass it unchanged. */
export function eventStoreContract(backend: string, open: () => Promise<ContractHarness>, options: ContractOptions = {}) {
  describe(`event store contract on ${backend}`, () => {
    let harness: ContractHarness;
    let store: EventStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(() => harness?.close());

    it('appends with no_stream, then exact revisions, and reads the stream back in order', async () => {
      const s = stream('order');
      const first = await store.appendToStream(s, [testEvent('A', { n: 1 }), testEvent('B', { n: 2 })], { expectedRevision: 'no_stream' });
      expect(first.nextExpectedRevision).toBe(1);
      const second = await store.appendToStream(s, [testEvent('C', { n: 3 })], { expectedRevision: 1 });
      expect(second.nextExpectedRevision).toBe(2);
      expect(comparePositions(second.position, first.position)).toBe(1);
      const events = await store.readStream(s);
      expect(events.map((e) => [e.type, e.revision, (e.data as { n: number }).n])).toEqual([
        ['A', 0, 1],
        ['B', 1, 2],
        ['C', 2, 3],
      ]);
      expect(events[0].metadata.actor).toBe('tester');
      expect(await store.readStream(s, { fromRevision: 2 })).toHaveLength(1);
    });

    it('rejects a wrong expected revision and writes nothing', async () => {
      const s = stream('conflict');
      await store.appendToStream(s, [testEvent()], { expectedRevision: 'no_stream' });
      const error = await store.appendToStream(s, [testEvent()], { expectedRevision: 5 }).catch((e) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error.actual).toBe(0);
      await expect(store.appendToStream(s, [testEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      const missing = await store.appendToStream(stream('missing'), [testEvent()], { expectedRevision: 'stream_exists' }).catch((e) => e);
      expect(missing).toBeInstanceOf(WrongExpectedVersionError);
      expect(missing.actual).toBe('no_stream');
      expect(await store.readStream(s)).toHaveLength(1);
    });

    it('stream_exists and any append to existing streams', async () => {
      const s = stream('exists');
      await store.appendToStream(s, [testEvent()], { expectedRevision: 'any' });
      const r = await store.appendToStream(s, [testEvent()], { expectedRevision: 'stream_exists' });
      expect(r.nextExpectedRevision).toBe(1);
    });

    it('is idempotent by event id: a retried append writes nothing and returns the same result', async () => {
      const s = stream('idem');
      const events = [testEvent('A'), testEvent('B')];
      const first = await store.appendToStream(s, events, { expectedRevision: 'no_stream' });
      const retry = await store.appendToStream(s, events, { expectedRevision: 'no_stream' });
      expect(retry).toEqual(first);
      const retryAny = await store.appendToStream(s, events);
      expect(retryAny).toEqual(first);
      // Half old, half new is a conflict, not a partial write.
      await expect(store.appendToStream(s, [events[0], testEvent('C')])).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it("returns the position of the append's last event, as the global log reports it", async () => {
      const s = stream('where');
      const start = await store.headPosition();
      const single = await store.appendToStream(s, [testEvent('P', { i: 0 })]);
      const batch = await store.appendToStream(s, [testEvent('P', { i: 1 }), testEvent('P', { i: 2 }), testEvent('P', { i: 3 })]);
      let all: RecordedEvent[] = [];
      await waitForAsync(async () => (all = (await store.readAll({ after: start, maxCount: 10_000 })).filter((e) => e.streamId === s)).length === 4);
      expect(single.position).toBe(all[0].position);
      expect(batch.position).toBe(all[3].position);
      expect(comparePositions(all[1].position, all[2].position)).toBe(-1);
    });

    it('reads an unknown stream as empty', async () => {
      expect(await store.readStream(stream('nothing'))).toEqual([]);
    });

    it('keeps unicode, quotes, backslashes and nested data intact, appended alone or with others', async () => {
      const s = stream('unicode');
      const data = { text: 'ŝtraße ✓ 日本 "quoted" back\\slash {braces}, commas\ttab\nline', nested: { list: [1, 2.5, null, true, '"', '\\'] } };
      // One event and several take different paths into some stores (plain values, arrays).
      await store.appendToStream(s, [testEvent('U', data)]);
      await store.appendToStream(s, [testEvent('U', data), testEvent('U', { ...data, second: '"\\' })]);
      const stored = await store.readStream(s);
      expect(stored.map((e) => e.data)).toEqual([data, data, { ...data, second: '"\\' }]);
    });

    it('reads the global log in append order from a position, exclusive', async () => {
      const s = stream('global');
      const start = await store.headPosition();
      for (let i = 0; i < 5; i++) await store.appendToStream(s, [testEvent('G', { i })]);
      // Committed events become readable once no older transaction is open anywhere on the server (other test files may hold one briefly).
      let all: RecordedEvent[] = [];
      await waitForAsync(async () => (all = (await store.readAll({ after: start, maxCount: 10_000 })).filter((e) => e.streamId === s)).length === 5);
      expect(all.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
      const rest = (await store.readAll({ after: all[1].position, maxCount: 10_000 })).filter((e) => e.streamId === s);
      expect(rest.map((e) => (e.data as { i: number }).i)).toEqual([2, 3, 4]);
      const positions = all.map((e) => e.position);
      expect([...positions].sort(comparePositions)).toEqual(positions);
    });

    it('serialises concurrent appends on one stream: exactly one wins each revision', async () => {
      const s = stream('race');
      await store.appendToStream(s, [testEvent()], { expectedRevision: 'no_stream' });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream(s, [testEvent()], { expectedRevision: 0 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('subscribes: catches up, then delivers live events, with no gap or duplicate at the seam', async () => {
      const s = stream('sub');
      const start = await store.headPosition();
      for (let i = 0; i < 30; i++) await store.appendToStream(s, [testEvent('S', { i })]);
      const seen: RecordedEvent[] = [];
      let landed = 0;
      const sub = store.subscribeToAll(
        async (events) => {
          // Writes land while the backlog is being handled.
          if (landed < 20) {
            landed += 10;
            await Promise.all(Array.from({ length: 10 }, (_, k) => store.appendToStream(s, [testEvent('S', { i: 100 + landed + k })])));
          }
          seen.push(...events.filter((e) => e.streamId === s));
        },
        { after: start, batchSize: 7 },
      );
      await sub.caughtUp;
      for (let i = 0; i < 10; i++) await store.appendToStream(s, [testEvent('S', { i: 1000 + i })]);
      await waitFor(() => seen.length >= 60);
      await sub.stop();
      const ids = seen.map((e) => e.metadata.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(seen).toHaveLength(60);
      expect((await store.readStream(s)).map((e) => e.metadata.eventId).sort()).toEqual([...ids].sort());
      const positions = seen.map((e) => e.position);
      expect([...positions].sort(comparePositions)).toEqual(positions);
    });

    it('resumes a stopped subscription from the last position it handled', async () => {
      const s = stream('resume');
      const start = await store.headPosition();
      await store.appendToStream(s, [testEvent('R', { i: 0 }), testEvent('R', { i: 1 })]);
      const firstRun: RecordedEvent[] = [];
      const sub = store.subscribeToAll((events) => void firstRun.push(...events.filter((e) => e.streamId === s)), { after: start });
      await waitFor(() => firstRun.length === 2);
      await sub.stop();
      await store.appendToStream(s, [testEvent('R', { i: 2 })]);
      const secondRun: RecordedEvent[] = [];
      const again = store.subscribeToAll((events) => void secondRun.push(...events.filter((e) => e.streamId === s)), {
        after: firstRun[1].position,
      });
      await waitFor(() => secondRun.length === 1);
      await again.stop();
      expect((secondRun[0].data as { i: number }).i).toBe(2);
    });

    const dropReason = options.dropsSubscriptions === true ? '' : ` (skipped: ${options.dropsSubscriptions ?? 'this harness cannot drop subscriptions'})`;
    it.skipIf(options.dropsSubscriptions !== true)(`resumes after the server drops the subscription, with no gap or duplicate${dropReason}`, async () => {
      const s = stream('dropped');
      const start = await store.headPosition();
      for (let i = 0; i < 20; i++) await store.appendToStream(s, [testEvent('D', { i })]);
      const seen: RecordedEvent[] = [];
      let drops = 0;
      const sub = store.subscribeToAll(
        async (events) => {
          seen.push(...events.filter((e) => e.streamId === s));
          // Dropped in the middle of the backlog: the batches after this one were in flight.
          if (drops === 0) drops += await harness.dropSubscriptions!();
        },
        { after: start, batchSize: 3 },
      );
      await sub.caughtUp;
      expect(drops).toBeGreaterThan(0);
      for (let i = 20; i < 25; i++) await store.appendToStream(s, [testEvent('D', { i })]);
      await waitFor(() => seen.length >= 25);
      expect(await harness.dropSubscriptions!()).toBeGreaterThan(0);
      for (let i = 25; i < 30; i++) await store.appendToStream(s, [testEvent('D', { i })]);
      await waitFor(() => seen.length >= 30);
      await sub.stop();
      expect(seen.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const positions = seen.map((e) => e.position);
      expect([...positions].sort(comparePositions)).toEqual(positions);
    });
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function waitForAsync(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
