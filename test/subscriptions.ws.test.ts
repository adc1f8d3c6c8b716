import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, liveClient, within, type LiveResult } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName } from './support/testDb.ts';

interface MetricsData {
  runMetrics: { cursor: string; runId: string; points: { key: string; value: number | string; step: number; timestamp: number }[] };
}

const METRICS = `subscription ($runIds: [ID!]!, $keys: [String!], $after: String, $fromStart: Boolean) {
  runMetrics(runIds: $runIds, keys: $keys, after: $after, fromStart: $fromStart) { cursor runId points { key value step timestamp } }
}`;

describe(`subscriptions over graphql-ws (${backendName})`, () => {
  let live: LiveTestApp;
  let experimentId: string;
  /** Called when a subscription ends its replay and joins the server's feed, with its replay position. */
  let onJoin = (_replayPosition: string) => {};

  beforeAll(async () => {
    // Small replay reads, so a replay takes many round trips while writes land.
    live = await startLiveTestApp({ subscriptions: { replayBatchSize: 3, onJoin: (position) => onJoin(position) } });
    const created = await live.gql<{ createExperiment: { id: string } }>(`mutation { createExperiment(input: { name: "live" }) { ... on Experiment { id } } }`);
    experimentId = created.createExperiment.id;
  });
  afterAll(async () => {
    await live?.close();
  });

  const createRun = async (name: string) =>
    (await live.gql<{ createRun: { id: string } }>(`mutation ($e: ID!, $n: String) { createRun(input: { experimentId: $e, runName: $n }) { ... on Run { id } } }`, { e: experimentId, n: name }))
      .createRun.id;

  /** Logs `count` points of `key` at steps from..from+count-1, value = step (spikes optional). */
  const logSteps = (runId: string, key: string, from: number, count: number) =>
    live.gql(`mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { __typename ... on DomainError { code message } } }`, {
      r: runId,
      m: Array.from({ length: count }, (_, i) => ({ key, value: from + i, step: from + i, timestamp: 1_700_000_000_000 + from + i })),
    });

  const stepsOf = (results: LiveResult<MetricsData>[]) => results.flatMap((r) => r.data?.runMetrics.points.map((p) => p.step) ?? []);
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

  it('replays a run from the start while writes land, then goes live: every point once, in order', async () => {
    const runId = await createRun('replay');
    for (let batch = 0; batch < 40; batch++) await logSteps(runId, 'loss', batch * 10, 10);
    const other = await createRun('noise');

    let seam: string | undefined;
    onJoin = (position) => (seam ??= position);
    // The writer's first batch is in the store before the subscriber asks: it must come from the replay.
    await logSteps(runId, 'loss', 400, 10);
    // Then it keeps logging (to this run and another) while the subscriber replays, and, once the
    // subscriber has joined the live feed, logs the rest, which can only arrive live.
    const writer = (async () => {
      for (let batch = 41; batch < 80; batch++) {
        if (batch === 60) await until(() => seam !== undefined, 'the subscriber joining the live feed');
        await logSteps(runId, 'loss', batch * 10, 10);
        await logSteps(other, 'loss', batch * 10, 10);
      }
    })();
    const client = liveClient(live.wsUrl);
    try {
      const results = await within(
        collect<MetricsData>(
          client,
          METRICS,
          { runIds: [runId], fromStart: true },
          (all) => stepsOf(all).length >= 800,
          async () => {
            // An unhurried reader.
            await new Promise((resolve) => setTimeout(resolve, 2));
          },
        ),
        30_000,
        'replay then live',
      );
      await writer;
      expect(results.every((r) => !r.errors)).toBe(true);
      expect(stepsOf(results)).toEqual(range(0, 800));
      expect(results.every((r) => r.data?.runMetrics.runId === runId)).toBe(true);
      const cursors = results.map((r) => r.data!.runMetrics.cursor);
      expect([...cursors].sort()).toEqual(cursors);
      expect(new Set(cursors).size).toBe(cursors.length);
      // The seam fell among the writer's points: some were replayed from the store, the rest came live.
      const written = results.map((r) => r.data!.runMetrics).filter((m) => m.points[0].step >= 400);
      expect(seam).toBeDefined();
      expect(written.some((m) => m.cursor <= seam!)).toBe(true);
      expect(written.some((m) => m.cursor > seam!)).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('resumes from the last cursor after a disconnect with no gap and no duplicate', async () => {
    const runId = await createRun('resume');
    const first = liveClient(live.wsUrl);
    const subscribed = collect<MetricsData>(first, METRICS, { runIds: [runId], keys: ['acc'] }, (all) => stepsOf(all).length >= 30);
    // Live from now: wait until the subscription is registered before writing.
    await waitForOpenStreams(live, 1);
    for (let batch = 0; batch < 3; batch++) {
      await logSteps(runId, 'acc', batch * 10, 10);
      await logSteps(runId, 'ignored', batch * 10, 10);
    }
    const before = await within(subscribed, 20_000, 'first connection');
    await first.dispose();
    expect(stepsOf(before)).toEqual(range(0, 30));
    const lastCursor = before[before.length - 1].data!.runMetrics.cursor;

    // Logged while nobody listened.
    for (let batch = 3; batch < 6; batch++) await logSteps(runId, 'acc', batch * 10, 10);
    const second = liveClient(live.wsUrl);
    try {
      const resumed = collect<MetricsData>(second, METRICS, { runIds: [runId], keys: ['acc'], after: lastCursor }, (all) => stepsOf(all).length >= 40);
      await waitForOpenStreams(live, 1);
      await logSteps(runId, 'acc', 60, 10);
      const after = await within(resumed, 20_000, 'resumed connection');
      expect(stepsOf(after)).toEqual(range(30, 40));
      expect(after.every((r) => r.data!.runMetrics.points.every((p) => p.key === 'acc'))).toBe(true);
    } finally {
      await second.dispose();
    }
  });

  it('streams run status changes and new runs of an experiment, each resumable', async () => {
    const client = liveClient(live.wsUrl);
    try {
      const { searchRuns } = await live.gql<{ searchRuns: { nodes: { id: string }[] } }>(`query ($e: [ID!]!) { searchRuns(experimentIds: $e) { nodes { id } } }`, { e: [experimentId] });
      const known = searchRuns.nodes.length;
      const newRuns = collect<{ newRuns: { cursor: string; runId: string; runName: string } }>(
        client,
        `subscription ($e: ID!) { newRuns(experimentId: $e, fromStart: true) { cursor runId runName } }`,
        { e: experimentId },
        (all) => all.length >= known + 2,
      );
      const a = await createRun('status-a');
      const b = await createRun('status-b');
      const runs = await within(newRuns, 20_000, 'new runs');
      expect(runs.slice(-2).map((r) => r.data!.newRuns.runName)).toEqual(['status-a', 'status-b']);
      expect(runs.slice(-2).map((r) => r.data!.newRuns.runId)).toEqual([a, b]);

      const statuses = collect<{ runStatusChanges: { runId: string; status: string; endTime: number | null } }>(
        client,
        `subscription ($r: [ID!]!) { runStatusChanges(runIds: $r, fromStart: true) { cursor runId status endTime } }`,
        { r: [a, b] },
        (all) => all.length >= 4,
      );
      await live.gql(`mutation ($r: ID!) { updateRun(input: { runId: $r, status: FINISHED, endTime: 5 }) { __typename } }`, { r: a });
      await live.gql(`mutation ($r: ID!) { updateRun(input: { runId: $r, runName: "renamed" }) { __typename } }`, { r: b });
      await live.gql(`mutation ($r: ID!) { updateRun(input: { runId: $r, status: KILLED }) { __typename } }`, { r: b });
      const changes = (await within(statuses, 20_000, 'status changes')).map((r) => r.data!.runStatusChanges);
      expect(changes.map((c) => [c.runId, c.status])).toEqual([
        [a, 'RUNNING'],
        [b, 'RUNNING'],
        [a, 'FINISHED'],
        [b, 'KILLED'],
      ]);
      expect(changes[2].endTime).toBe(5);
    } finally {
      await client.dispose();
    }
  });

  it('refuses bad arguments with the field named', async () => {
    const client = liveClient(live.wsUrl);
    try {
      const bad = async (variables: Record<string, unknown>) => (await within(collect<MetricsData>(client, METRICS, variables, () => true), 10_000, 'bad args'))[0];
      const badCursor = await bad({ runIds: ['a'.repeat(32)], after: 'yesterday' });
      expect(badCursor.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'after' });
      const both = await bad({ runIds: ['a'.repeat(32)], after: '', fromStart: true });
      expect(both.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'fromStart' });
      const none = await bad({ runIds: [] });
      expect(none.errors?.[0].extensions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'runIds' });
      const tooMany = await bad({ runIds: Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0')) });
      expect(tooMany.errors?.[0].message).toContain('at most 100');
    } finally {
      await client.dispose();
    }
  });
});

/** Waits until the server has that many subscriptions open (so "live from now" starts before the writes). */
async function waitForOpenStreams(live: LiveTestApp, count: number): Promise<void> {
  const hub = live.app.live;
  const deadline = Date.now() + 10_000;
  while (hub.openStreams < count || hub.feed.subscribers.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${hub.openStreams} subscriptions open`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(`server shutdown with open subscriptions (${backendName})`, () => {
  it('sends each subscriber a last SERVER_SHUTTING_DOWN message with its cursor', async () => {
    const live = await startLiveTestApp();
    const client = liveClient(live.wsUrl);
    try {
      const { createRun } = await live.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`);
      await live.gql(`mutation ($r: ID!) { logMetric(runId: $r, key: "loss", value: 1, step: 7) { __typename } }`, { r: createRun.id });
      let stopping: Promise<void> | undefined;
      const results = await within(
        collect<MetricsData>(client, METRICS, { runIds: [createRun.id], fromStart: true }, (all) => all.some((r) => r.errors), () => {
          stopping ??= live.app.stop();
        }),
        20_000,
        'shutdown message',
      );
      await stopping;
      expect(results).toHaveLength(2);
      expect(results[1].errors?.[0].extensions).toEqual({ code: 'SERVER_SHUTTING_DOWN', cursor: results[0].data!.runMetrics.cursor });
    } finally {
      await client.dispose();
      await live.testDb.drop();
    }
  });
});

/** Waits for a condition the test cannot otherwise await (a callback from the server having run). */
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
