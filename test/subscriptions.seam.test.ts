import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../src/events/eventStore.ts';
import { comparePositions, START_POSITION } from '../src/events/position.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { MetricsLogged, runStream } from '../src/events/runEvents.ts';
import { LiveHub } from '../src/subscriptions/liveHub.ts';
import { LiveStreamEnd } from '../src/subscriptions/liveSpec.ts';
import { runMetricsSpec, type RunMetricsPayload } from '../src/subscriptions/runMetricsSpec.ts';
import { backendName, openTestDb, type TestDb } from './support/testDb.ts';

const runA = 'a'.repeat(32);
const runB = 'b'.repeat(32);

function metricEvent(runId: string, step: number) {
  return MetricsLogged.create(
    { runId, metrics: [{ key: 'loss', value: step, timestamp: 1_700_000_000_000 + step, step }] },
    { eventId: randomUUID(), recordedAt: new Date().toISOString(), actor: 'tester', correlationId: randomUUID() },
  );
}

/** Takes `count` payloads from a stream (failing on an early end). */
async function take(stream: AsyncIterator<RunMetricsPayload | LiveStreamEnd>, count: number): Promise<RunMetricsPayload[]> {
  const out: RunMetricsPayload[] = [];
  while (out.length < count) {
    const step = await stream.next();
    if (step.done) throw new Error(`stream ended after ${out.length} of ${count}`);
    if (step.value instanceof LiveStreamEnd) throw new Error(`stream ended: ${step.value.code}`);
    out.push(step.value);
  }
  return out;
}

const stepsOf = (payloads: RunMetricsPayload[]) => payloads.flatMap((p) => p.points.map((point) => point.step));

describe(`replay-to-feed seam (${backendName})`, () => {
  let testDb: TestDb;
  let store: EventStore;
  /** While closed, the feed holds each batch it reads before routing it: it stays behind the log. */
  let gate: Promise<void>;
  let openGate: () => void;
  let hub: LiveHub;
  const joins: { replay: string; feed: string }[] = [];

  beforeEach(async () => {
    testDb = await openTestDb();
    store = await createPostgresEventStore(testDb.db, { channel: testDb.channel });
    gate = Promise.resolve();
    const gated: EventStore = {
      ...store,
      subscribeToAll: (handler, options) =>
        store.subscribeToAll(async (events) => {
          await gate;
          return handler(events);
        }, options),
    };
    joins.length = 0;
    hub = new LiveHub(gated, { replayBatchSize: 2, onJoin: (replay, feed) => joins.push({ replay, feed }) });
  });
  afterEach(async () => {
    await hub.close(0);
    await store.close();
    await testDb.drop();
  });

  it('joins a feed that is behind the replay and skips what the replay already gave', async () => {
    // The feed runs: one live subscriber on another run.
    const bystander = hub.open(runMetricsSpec([runB]), 'now');
    const bystanderFirst = bystander.next();
    while (joins.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    joins.length = 0;
    // The feed routes step 0, then holds what it reads next: it stays at step 0 while steps 1–9 are written.
    await store.appendToStream(runStream(runA), [metricEvent(runA, 0)]);
    while (hub.feed.position === START_POSITION) await new Promise((resolve) => setTimeout(resolve, 1));
    gate = new Promise((resolve) => (openGate = resolve));
    for (let step = 1; step < 10; step++) await store.appendToStream(runStream(runA), [metricEvent(runA, step)]);

    // The replay reads two events at a time: steps 0 and 1 take it past the feed,
    // so the next pull joins the feed there, though the log already holds steps 2–9.
    const stream = hub.open(runMetricsSpec([runA]), { after: START_POSITION });
    const replayed = await take(stream, 2);
    const pending = stream.next();
    while (joins.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(joins).toHaveLength(1);
    expect(comparePositions(joins[0].replay, joins[0].feed)).toBeGreaterThan(0);

    // The feed goes on and routes steps 1–14: step 1, which the replay already gave, is skipped.
    openGate();
    for (let step = 10; step < 15; step++) await store.appendToStream(runStream(runA), [metricEvent(runA, step)]);
    const first = await pending;
    const live = [first.value as RunMetricsPayload, ...(await take(stream, 12))];
    expect(stepsOf(replayed)).toEqual([0, 1]);
    expect(stepsOf([...replayed, ...live])).toEqual(Array.from({ length: 15 }, (_, i) => i));
    await stream.return?.();
    await bystander.return?.();
    await bystanderFirst;
  });

  it('keeps replaying while the feed runs ahead, then joins it exactly', async () => {
    for (let step = 0; step < 20; step++) await store.appendToStream(runStream(runA), [metricEvent(runA, step)]);
    const stream = hub.open(runMetricsSpec([runA]), { after: START_POSITION });
    // Pull slowly while this process's own writes wake the feed, so it moves ahead of the replay.
    const received: RunMetricsPayload[] = [];
    let step = 20;
    while (received.length < 60) {
      received.push(...(await take(stream, 1)));
      if (step < 60) await store.appendToStream(runStream(runA), [metricEvent(runA, step++)]);
    }
    // Nothing more is written: the next pull finds the replay at the head and joins the feed.
    const pending = stream.next();
    const deadline = Date.now() + 10_000;
    while (joins.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await store.appendToStream(runStream(runA), [metricEvent(runA, 60)]);
    const last = await pending;
    received.push(last.value as RunMetricsPayload);
    expect(stepsOf(received)).toEqual(Array.from({ length: 61 }, (_, i) => i));
    // The feed started at the head (step 19): the stream could only join once its replay got there.
    expect(joins).toHaveLength(1);
    expect(comparePositions(joins[0].replay, received[19].cursor)).toBeGreaterThanOrEqual(0);
    await stream.return?.();
  });

  it('replays only the named streams from the start, up to a settled head', async () => {
    for (let step = 0; step < 7; step++) {
      await store.appendToStream(runStream(runA), [metricEvent(runA, step)]);
      await store.appendToStream(runStream(runB), [metricEvent(runB, 100 + step)]);
    }
    const stream = hub.open(runMetricsSpec([runB, runA]), 'start');
    const replayed = await take(stream, 14);
    const positions = replayed.map((p) => p.cursor);
    expect([...positions].sort(comparePositions)).toEqual(positions);
    expect(replayed.map((p) => `${p.runId[0]}${p.points[0].step}`)).toEqual(Array.from({ length: 7 }, (_, i) => [`a${i}`, `b${100 + i}`]).flat());
    await store.appendToStream(runStream(runB), [metricEvent(runB, 200)]);
    expect(stepsOf(await take(stream, 1))).toEqual([200]);
    await stream.return?.();
  });
});
