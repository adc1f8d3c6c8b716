import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName } from './support/testDb.ts';

describe(`subscriptions over server-sent events (${backendName})`, () => {
  let live: LiveTestApp;
  beforeAll(async () => {
    live = await startLiveTestApp();
  });
  afterAll(async () => {
    await live?.close();
  });

  it('replays and then streams metric points as text/event-stream', async () => {
    const { createRun } = await live.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0" }) { ... on Run { id } } }`);
    const runId = createRun.id;
    const log = (step: number, value: number | string) =>
      live.gql(`mutation ($r: ID!, $s: Long!, $v: MetricValue!) { logMetric(runId: $r, key: "loss", value: $v, step: $s) { __typename } }`, { r: runId, s: step, v: value });
    await log(0, 1.5);

    const abort = new AbortController();
    const response = await fetch(`${live.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: `subscription ($r: [ID!]!) { runMetrics(runIds: $r, fromStart: true) { cursor points { step value } } }`,
        variables: { r: [runId] },
      }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');

    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const events: { cursor: string; points: { step: number; value: number | string }[] }[] = [];
    const readUntil = async (count: number) => {
      while (events.length < count) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (block.includes('event: next') && data) events.push(JSON.parse(data.slice(5)).data.runMetrics);
        }
      }
    };
    await within(readUntil(1), 20_000, 'replayed point');
    await log(1, 'NaN');
    await within(readUntil(2), 20_000, 'live point');
    expect(events.map((e) => e.points)).toEqual([[{ step: 0, value: 1.5 }], [{ step: 1, value: 'NaN' }]]);
    expect(events[1].cursor > events[0].cursor).toBe(true);

    // Hanging up ends the subscription on the server.
    abort.abort();
    await reader.cancel().catch(() => {});
    const deadline = Date.now() + 10_000;
    while (live.app.live.openStreams > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(live.app.live.openStreams).toBe(0);
  });
});
