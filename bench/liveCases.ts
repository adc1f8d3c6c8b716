import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { graphqlRequestBody, postGraphQL } from './graphqlClient.ts';
import { summarizeLatencies, type LatencySummary } from './stats.ts';

/** Subscription benchmark cases against a running server: fan-out latency and delivered points per second. */

interface Received {
  runMetrics: { points: { step: number }[] };
}

const SUBSCRIBE = `subscription ($r: [ID!]!) { runMetrics(runIds: $r, fromStart: true) { cursor points { step } } }`;

export interface Subscribers {
  count: number;
  /** Called with (subscriber index, step, receipt time) for each point received. */
  onPoint: (handler: (index: number, step: number, at: number) => void) => void;
  close(): Promise<void>;
}

/**
 * N dashboards, each on its own WebSocket, subscribed to one run from its start.
 * Resolves once every one has received the run's opening point (step -1), i.e. is
 * subscribed and past the start of its replay.
 */
export async function openSubscribers(baseUrl: string, runId: string, count: number, onPoint: (index: number, step: number, at: number) => void = () => {}): Promise<Subscribers> {
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/graphql`;
  let handler = onPoint;
  const clients: Client[] = [];
  const disposers: (() => void)[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    clients.push(client);
    ready.push(
      new Promise<void>((resolve, reject) => {
        disposers.push(
          client.subscribe<Received>(
            { query: SUBSCRIBE, variables: { r: [runId] } },
            {
              next: (result) => {
                const at = performance.now();
                if (result.errors) return reject(new Error(JSON.stringify(result.errors)));
                for (const point of result.data!.runMetrics.points) {
                  if (point.step < 0) resolve();
                  else handler(index, point.step, at);
                }
              },
              error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
              complete: () => {},
            },
          ),
        );
      }),
    );
  }
  await Promise.all(ready);
  return {
    count,
    onPoint: (h) => (handler = h),
    async close() {
      for (const dispose of disposers) dispose();
      await Promise.all(clients.map((client) => client.dispose()));
    },
  };
}

export async function createRunWithOpeningPoint(baseUrl: string): Promise<string> {
  const { createRun } = await postGraphQL<{ createRun: { id: string } }>(baseUrl, graphqlRequestBody(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`));
  await postGraphQL(baseUrl, graphqlRequestBody(`mutation ($r: ID!) { logMetric(runId: $r, key: "loss", value: 0, step: -1) { __typename } }`, { r: createRun.id }));
  return createRun.id;
}

export interface LatencyResult {
  subscribers: number;
  writes: number;
  /** Receipt minus the mutation's acknowledgement, 0 when the push arrived first. */
  afterAck: LatencySummary;
  /** Receipt minus the moment the mutation was sent. */
  afterSend: LatencySummary;
  /** Share of receipts that arrived before the acknowledgement. */
  beforeAck: number;
  missing: number;
}

/**
 * Sequential logMetric calls; for each, the time until every subscriber has the
 * point. The next call waits for that, so one write's fan-out never queues behind
 * another's.
 */
export async function measureFanOutLatency(baseUrl: string, runId: string, subscribers: Subscribers, writes: number): Promise<LatencyResult> {
  const afterAck: number[] = [];
  const afterSend: number[] = [];
  let early = 0;
  let missing = 0;
  for (let step = 0; step < writes; step++) {
    const receipts: number[] = [];
    let allIn: () => void = () => {};
    const complete = new Promise<void>((resolve) => (allIn = resolve));
    subscribers.onPoint((_index, got, at) => {
      if (got !== step) return;
      receipts.push(at);
      if (receipts.length === subscribers.count) allIn();
    });
    const sent = performance.now();
    await postGraphQL(baseUrl, graphqlRequestBody(`mutation ($r: ID!, $s: Long!) { logMetric(runId: $r, key: "loss", value: 0.5, step: $s) { __typename } }`, { r: runId, s: step }));
    const acked = performance.now();
    await Promise.race([complete, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    missing += subscribers.count - receipts.length;
    for (const at of receipts) {
      if (at < acked) early++;
      afterAck.push(Math.max(0, at - acked));
      afterSend.push(at - sent);
    }
  }
  return { subscribers: subscribers.count, writes, afterAck: summarizeLatencies(afterAck), afterSend: summarizeLatencies(afterSend), beforeAck: early / Math.max(1, afterAck.length), missing };
}

export interface DeliveryResult {
  subscribers: number;
  pointsWritten: number;
  pointsDelivered: number;
  seconds: number;
  deliveredPerSecond: number;
  writtenPerSecond: number;
}

/** One writer logs batches of 1000 points for a while; counts points received by all subscribers until the last arrives. */
export async function measureDelivery(baseUrl: string, runId: string, subscribers: Subscribers, batches: number, firstStep: number): Promise<DeliveryResult> {
  const batch = 1000;
  const expected = batches * batch * subscribers.count;
  let delivered = 0;
  let lastReceipt = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  subscribers.onPoint((_index, step, at) => {
    if (step < firstStep) return;
    delivered++;
    lastReceipt = at;
    if (delivered === expected) done();
  });
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const metrics = Array.from({ length: batch }, (_, i) => ({ key: 'loss', value: i / batch, step: firstStep + b * batch + i }));
    await postGraphQL(baseUrl, graphqlRequestBody(`mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { __typename } }`, { r: runId, m: metrics }));
  }
  const written = performance.now();
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  const seconds = ((delivered === expected ? lastReceipt : performance.now()) - start) / 1000;
  return {
    subscribers: subscribers.count,
    pointsWritten: batches * batch,
    pointsDelivered: delivered,
    seconds,
    deliveredPerSecond: delivered / seconds,
    writtenPerSecond: (batches * batch) / ((written - start) / 1000),
  };
}

export interface ReplayResult {
  subscribers: number;
  pointsEach: number;
  seconds: number;
  deliveredPerSecond: number;
}

/** `count` new subscribers replay the whole run from its start at once; time until every one has every point. */
export async function measureReplay(baseUrl: string, runId: string, count: number, pointsEach: number): Promise<ReplayResult> {
  const received = new Array<number>(count).fill(0);
  let complete = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const start = performance.now();
  // Counts every point but the opening one (step -1), which openSubscribers waits for.
  const subscribers = await openSubscribers(baseUrl, runId, count, (index) => {
    if (++received[index] === pointsEach - 1 && ++complete === count) done();
  });
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 120_000))]);
  const seconds = (performance.now() - start) / 1000;
  const delivered = received.reduce((n, r) => n + r + 1, 0);
  await subscribers.close();
  return { subscribers: count, pointsEach, seconds, deliveredPerSecond: delivered / seconds };
}
