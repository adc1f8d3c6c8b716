import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, liveClient, within } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName } from './support/testDb.ts';

const runMetrics = `subscription ($runIds: [ID!]!, $after: String) { runMetrics(runIds: $runIds, after: $after) { cursor points { key step value } } }`;

describe(`trackingCursor: the seam between a query and a subscription (${backendName})`, () => {
  let t: LiveTestApp;
  let runId: string;
  beforeAll(async () => {
    t = await startLiveTestApp();
    const created = await t.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0", runName: "seam" }) { ... on Run { id } } }`);
    runId = created.createRun.id;
  });
  afterAll(() => t?.close());

  const log = (step: number) => t.gql(`mutation ($runId: ID!, $step: Long) { logMetric(runId: $runId, key: "loss", value: ${step / 10}, step: $step) { __typename } }`, { runId, step });

  it('is a cursor the read models already reflect: subscribing after it brings what queries did not show, and nothing they did', async () => {
    await log(0);
    const { trackingCursor: cursor } = await t.gql<{ trackingCursor: string }>('{ trackingCursor }');
    expect(cursor).toMatch(/^\d{20}:\d{20}$/);
    // Logged after the cursor was read: the query side may or may not show it yet, the stream must.
    await log(1);
    await log(2);
    const client = liveClient(t.wsUrl);
    try {
      const results = await within(
        collect<{ runMetrics: { cursor: string; points: { step: number }[] } }>(client, runMetrics, { runIds: [runId], after: cursor }, (r) => r.flatMap((x) => x.data?.runMetrics.points ?? []).some((p) => p.step === 2)),
        10_000,
        'points after the cursor',
      );
      const steps = results.flatMap((r) => r.data?.runMetrics.points.map((p) => p.step) ?? []);
      // Step 0 was in the read models when the cursor was read (read-your-writes), so it is not replayed.
      expect(steps).toEqual([1, 2]);
      expect(results.every((r) => r.data!.runMetrics.cursor > cursor)).toBe(true);
    } finally {
      await client.dispose();
    }
  });
});
