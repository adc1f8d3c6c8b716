import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect, liveClient, within } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName } from './support/testDb.ts';

interface MetricsData {
  runMetrics: { cursor: string; points: { step: number }[] };
}
interface ProtocolMessage {
  id?: string;
  type: string;
  payload?: { data?: MetricsData | null; errors?: { message: string; extensions?: { code?: string; cursor?: string } }[] };
}

const METRICS = `subscription ($runIds: [ID!]!, $after: String) { runMetrics(runIds: $runIds, after: $after) { cursor points { step } } }`;
// The slow dashboard asks for the long key ten times over (aliases): a few KB per point, so the
// socket buffers between it and the server (tens of MB on loopback) fill after a few batches.
const HEAVY = `subscription ($runIds: [ID!]!) { runMetrics(runIds: $runIds) { cursor points { step ${Array.from({ length: 10 }, (_, i) => `k${i}: key`).join(' ')} } } }`;
const KEY = `loss_${'x'.repeat(240)}`;
const BATCHES = 12;
const BATCH = 1000;
const CAPACITY = 2000;

/** A graphql-transport-ws client that stops reading its socket on request: the slow (or frozen) dashboard. */
async function rawSubscriber(wsUrl: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const messages: ProtocolMessage[] = [];
  let onMessage: (() => void) | undefined;
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as ProtocolMessage);
    onMessage?.();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  const until = async (predicate: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${messages.map((m) => m.type).join(',')}`);
      await new Promise<void>((resolve) => {
        onMessage = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  await until(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: HEAVY, variables } }));
  return { socket, messages, until };
}

describe(`a slow subscriber (${backendName})`, () => {
  let live: LiveTestApp;
  beforeAll(async () => {
    live = await startLiveTestApp({ subscriptions: { subscriberBufferCapacity: CAPACITY } });
  });
  afterAll(async () => {
    await live?.close();
  });

  it('is closed with SUBSCRIBER_TOO_SLOW and its cursor while a fast one keeps receiving; it resumes from the cursor', async () => {
    const hub = live.app.live;
    const { createRun } = await live.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`);
    const runId = createRun.id;
    const total = BATCHES * BATCH;

    const fast = liveClient(live.wsUrl);
    const fastStream = collect<MetricsData>(fast, METRICS, { runIds: [runId] }, (all) => all.reduce((n, r) => n + (r.data?.runMetrics.points.length ?? 0), 0) >= total);
    const slow = await rawSubscriber(live.wsUrl, { runIds: [runId] });
    const deadline = Date.now() + 10_000;
    while (hub.feed.subscribers.size < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hub.feed.subscribers.size).toBe(2);
    // Stops reading: the kernel buffers fill, then the server's sends stop completing.
    slow.socket.pause();

    let slowDroppedAtBatch = -1;
    for (let batch = 0; batch < BATCHES; batch++) {
      await live.gql(`mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { __typename } }`, {
        r: runId,
        m: Array.from({ length: BATCH }, (_, i) => ({ key: KEY, value: i, step: batch * BATCH + i, timestamp: 1 })),
      });
      if (slowDroppedAtBatch < 0 && hub.feed.subscribers.size === 1) slowDroppedAtBatch = batch;
    }

    // The fast subscriber got every point, in order, while the slow one was dropped along the way.
    const fastResults = await within(fastStream, 60_000, 'fast subscriber');
    const fastSteps = fastResults.flatMap((r) => r.data!.runMetrics.points.map((p) => p.step));
    expect(fastSteps).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(slowDroppedAtBatch).toBeGreaterThanOrEqual(0);
    expect(slowDroppedAtBatch).toBeLessThan(BATCHES - 1);
    await fast.dispose();

    // Reading again, the slow client finds what got through, then the last message and the end.
    slow.socket.resume();
    await slow.until(() => slow.messages.some((m) => m.type === 'complete'), 'complete');
    const nexts = slow.messages.filter((m) => m.type === 'next');
    const final = nexts[nexts.length - 1].payload!;
    expect(final.data ?? null).toBeNull();
    expect(final.errors?.[0].extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
    const received = nexts.slice(0, -1).map((m) => m.payload!.data!.runMetrics);
    const cursor = final.errors![0].extensions!.cursor!;
    expect(cursor).toBe(received.length > 0 ? received[received.length - 1].cursor : cursor);
    expect(received.length * BATCH).toBeLessThan(total);
    slow.socket.close();

    // Resuming from that cursor yields exactly the rest.
    const again = liveClient(live.wsUrl);
    try {
      const rest = await within(
        collect<MetricsData>(again, METRICS, { runIds: [runId], after: cursor }, (all) => all.reduce((n, r) => n + (r.data?.runMetrics.points.length ?? 0), 0) >= total - received.length * BATCH),
        60_000,
        'resume',
      );
      const steps = [...received, ...rest.map((r) => r.data!.runMetrics)].flatMap((m) => m.points.map((p) => p.step));
      expect(steps).toEqual(Array.from({ length: total }, (_, i) => i));
    } finally {
      await again.dispose();
    }
  }, 180_000);
});
