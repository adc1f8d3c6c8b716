import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../src/monitoring/bucketTime.ts';
import { collect, liveClient, within } from './support/liveClient.ts';
import { ndjson, startMonitoringApp, T0, type MonitoringTestApp } from './support/monitoringTestApp.ts';
import { backendName } from './support/testDb.ts';
import { startWebhookReceiver } from './support/webhookReceiver.ts';

const PER_BUCKET = 24;
const DROP_AT = 24; // buckets: accuracy falls after 2 h …
const RECOVER_AT = 48; // … and recovers after 4 h
const STEPS = 62;
const SECRET = 'a-shared-secret-of-some-length';
const LABEL_DELAY_STEPS = 2; // labels come 10 minutes after their predictions
const RETRY_BASE_MS = 60_000;
/**
 * Where the alert must move, from the rule alone. At step k the clock reads bucket k's end; the monitor's
 * hour ends labelDelayMs (2 buckets) earlier, so it holds buckets k−13 … k−2, all labelled. With j bad
 * buckets its accuracy is (23·(12−j) + 14·j) / 288: below the bound 0.9 − 0.1 = 0.8 from j = 6, that is
 * k = DROP_AT + 2 + 5 = 31 (pending); firing 15 minutes (3 steps) later; resolved once j ≤ 4
 * (accuracy ≥ 0.8 + 0.02), at k = RECOVER_AT + 13 − 4 = 57.
 */
const EXPECTED_STEPS = { pending: 31, firing: 34, resolved: 57 };

/** Bucket k's predictions: 23 of 24 right before the drop and after recovery, 14 of 24 in between. */
function bucketRows(k: number) {
  const correct = k >= DROP_AT && k < RECOVER_AT ? 14 : 23;
  return Array.from({ length: PER_BUCKET }, (_, i) => {
    const truth = i % 2 === 0 ? '1' : '0';
    const predicted = i < correct ? truth : truth === '1' ? '0' : '1';
    return { requestId: `b${k}-${i}`, truth, predicted, time: T0 + k * BUCKET_MS + i * 1000 };
  });
}

interface Transition {
  from: string;
  to: string;
  at: number;
  value: number | null;
  baseline: number | null;
  version: number;
  reason: string;
}

describe(`a model whose accuracy drops, with late labels, alerts once and recovers (${backendName})`, () => {
  let t: MonitoringTestApp;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const transitionsAtStep = new Map<number, string[]>();
  const verdictAtStep = new Map<number, { verdict: string; value: number | null }>();
  let lastHourCoverage: number | null = null;

  const gql = async <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await t.graphql<T>(query, variables);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data as T;
  };

  beforeAll(async () => {
    // Nothing runs by itself: the test moves the clock and calls the evaluator and the dispatcher, as their schedules
    // would. The only real time left is HTTP to a local receiver, given a timeout no load reaches.
    t = await startMonitoringApp({
      monitoring: {
        evaluateEveryMs: 0,
        deliverEveryMs: 0,
        onNewDataAfterMs: 0,
        dispatcher: { timeoutMs: 120_000, backoff: { baseDelayMs: RETRY_BASE_MS, maxDelayMs: 600_000, maxAttempts: 10 } },
      },
    });
    receiver = await startWebhookReceiver(SECRET, 2);
    const run = await gql<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0", runName: "train" }) { ... on Run { id } } }`);
    const runId = run.createRun.id;
    await gql(`mutation ($run: ID!) { logBatch(runId: $run, metrics: [{ key: "accuracy", value: 0.9 }]) { __typename } }`, { run: runId });
    await gql(`mutation { createRegisteredModel(input: { name: "fraud" }) { __typename } }`);
    await gql(`mutation ($run: String!, $source: String!) { createModelVersion(input: { name: "fraud", source: $source, runId: $run }) { __typename } }`, { run: runId, source: `runs:/${runId}/model` });
    await gql(`mutation { setRegisteredModelAlias(name: "fraud", alias: "champion", version: 1) { __typename } }`);
    const hook = await gql<{ registerMonitoringWebhook: { id: string; secret: string } }>(
      `mutation ($url: String!, $secret: String!) { registerMonitoringWebhook(input: { url: $url, secret: $secret }) { ... on RegisteredWebhook { id secret } ... on DomainError { message } } }`,
      { url: receiver.url, secret: SECRET },
    );
    expect(hook.registerMonitoringWebhook.secret).toBe(SECRET);
    const monitor = await gql<{ createMonitor: { id?: string; message?: string; state?: string; greaterIsBetter?: boolean } }>(
      `mutation { createMonitor(input: {
          model: "fraud", name: "champion accuracy", alias: "champion", metric: "accuracy", windowMs: 3600000,
          minAbsoluteChange: 0.1, recoveryMargin: 0.02, minLabelCoverage: 0.5, labelDelayMs: 600000, forMs: 900000, minCount: 50
        }) { ... on Monitor { id state greaterIsBetter } ... on DomainError { message } } }`,
    );
    expect(monitor.createMonitor.message).toBeUndefined();
    expect(monitor.createMonitor).toMatchObject({ state: 'OK', greaterIsBetter: true });

    // Every 5 minutes: that bucket's predictions; labels 10 minutes late; then evaluate and deliver, as the schedule would.
    for (let k = 0; k < STEPS; k++) {
      t.clock.set(T0 + (k + 1) * BUCKET_MS);
      const rows = bucketRows(k);
      const logged = await t.post('predictions?model=fraud', ndjson(rows.map((r) => ({ version: 1, requestId: r.requestId, time: r.time, predictedClass: r.predicted, latencyMs: 12 }))));
      expect(logged.status).toBe(200);
      if (k >= LABEL_DELAY_STEPS) {
        const labelled = await t.post('ground-truth?model=fraud', ndjson(bucketRows(k - LABEL_DELAY_STEPS).map((r) => ({ requestId: r.requestId, label: r.truth }))));
        expect(labelled.body).toMatchObject({ accepted: PER_BUCKET, pending: 0 });
      }
      if (k === EXPECTED_STEPS.pending) {
        // The last hour up to now: its two newest buckets have no labels yet.
        const { body } = await t.get(`metrics?model=fraud&version=1&from=${t.clock.now() - 3_600_000}&to=${t.clock.now()}`);
        lastHourCoverage = (body.windows as { metrics: { labelCoverage: number } }[])[0].metrics.labelCoverage;
      }
      const outcomes = await t.app.monitoring.evaluateNow();
      const moved = outcomes.flatMap((o) => o.transitions);
      verdictAtStep.set(k, { verdict: outcomes[0].evaluation.verdict, value: outcomes[0].evaluation.value });
      if (moved.length > 0) transitionsAtStep.set(k, moved);
      await t.app.monitoring.deliverNow();
      // A restart in the middle: after the alert fired and its first delivery failed.
      if (k === 34) await t.restart();
    }
  }, 900_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('fires exactly one alert, after the pending period, and resolves past the recovery margin', async () => {
    const history = await gql<{ alertHistory: Transition[] }>(`{ alertHistory(model: "fraud") { from to at value baseline version reason } }`);
    const transitions = [...history.alertHistory].reverse();
    expect(transitions.map((a) => `${a.from}->${a.to}`)).toEqual(['OK->PENDING', 'PENDING->FIRING', 'FIRING->RESOLVED']);
    const [pending, firing, resolved] = transitions;
    expect(firing.at - pending.at).toBeGreaterThanOrEqual(900_000);
    expect(firing.at - pending.at).toBeLessThan(900_000 + BUCKET_MS);
    expect(firing.baseline).toBe(0.9);
    expect(firing.value).toBeLessThan(0.8);
    expect(firing.reason).toContain('min_absolute_change bound 0.8');
    expect(resolved.value).toBeGreaterThanOrEqual(0.82);
    expect(resolved.at).toBeGreaterThan(T0 + RECOVER_AT * BUCKET_MS);
    expect(transitions.every((a) => a.version === 1)).toBe(true);
    const steps = [...transitionsAtStep.entries()];
    expect(steps).toEqual([
      [EXPECTED_STEPS.pending, ['pending']],
      [EXPECTED_STEPS.firing, ['firing']],
      [EXPECTED_STEPS.resolved, ['resolved']],
    ]);
    // Nothing before the drop at T (plus the label delay) was even a breach.
    for (let k = 0; k < DROP_AT + LABEL_DELAY_STEPS; k++) expect(verdictAtStep.get(k)?.verdict, `step ${k}`).not.toBe('breach');
    expect(pending.at).toBe(T0 + (EXPECTED_STEPS.pending + 1) * BUCKET_MS);
    expect(firing.at).toBe(T0 + (EXPECTED_STEPS.firing + 1) * BUCKET_MS);
    // Hysteresis: the step before the resolution saw 231/288 = 0.802 (five bad buckets in the window): no longer a
    // breach of 0.8, but inside the 0.02 recovery margin, so the alert kept firing.
    const resolvedStep = steps[2][0];
    expect(verdictAtStep.get(resolvedStep - 1)).toEqual({ verdict: 'hold', value: 231 / 288 });
    expect(verdictAtStep.get(resolvedStep)).toEqual({ verdict: 'clear', value: 240 / 288 });
    // Labels 10 minutes late: no verdict until enough labelled rows were in, and the newest hour is never fully labelled.
    expect(verdictAtStep.get(0)?.verdict).toBe('unknown');
    expect(lastHourCoverage).toBe(10 / 12);
    const { monitors } = await gql<{ monitors: { state: string; stateSince: number; alerts: { to: string }[] }[] }>(`{ monitors(model: "fraud") { state stateSince alerts { to } } }`);
    expect(monitors).toEqual([{ state: 'RESOLVED', stateSince: resolved.at, alerts: [{ to: 'RESOLVED' }, { to: 'FIRING' }, { to: 'PENDING' }] }]);
  });

  it('delivered both transitions to the webhook at least once, signed, retrying through the failures and the restart', async () => {
    const successes = receiver.received.filter((r) => r.answered === 200);
    expect(successes.map((r) => r.body.alert.to)).toEqual(['firing', 'resolved']);
    // Nothing else was sent (no crash came between a 2xx and its record, so at-least-once was exactly once here).
    expect(receiver.received).toHaveLength(4);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    const firingKey = successes[0].idempotencyKey;
    // The firing transition: failed twice (once before the restart, once after), then delivered, always under one key.
    const firingAttempts = receiver.received.filter((r) => r.idempotencyKey === firingKey);
    expect(firingAttempts.map((r) => r.answered)).toEqual([500, 500, 200]);
    // The first attempt right when the alert fired; each retry no sooner than the backoff allowed (1 min, then 2 min).
    const signedAt = firingAttempts.map((r) => r.signedAt as number);
    expect(signedAt[0]).toBe(T0 + (EXPECTED_STEPS.firing + 1) * BUCKET_MS);
    expect(signedAt[1] - signedAt[0]).toBeGreaterThanOrEqual(RETRY_BASE_MS);
    expect(signedAt[2] - signedAt[1]).toBeGreaterThanOrEqual(2 * RETRY_BASE_MS);
    expect(receiver.received.every((r) => r.body.deliveryId === r.idempotencyKey)).toBe(true);
    expect(successes[0].body.alert).toMatchObject({ from: 'pending', to: 'firing', monitorName: 'champion accuracy', model: 'fraud' });
    const hooks = await gql<{ monitoringWebhooks: { deliveries: { id: string; status: string; attempts: number }[] }[] }>(`{ monitoringWebhooks { deliveries { id status attempts } } }`);
    const deliveries = hooks.monitoringWebhooks[0].deliveries;
    expect(deliveries.map((d) => [d.status, d.attempts]).sort()).toEqual([
      ['delivered', 1],
      ['delivered', 3],
    ]);
  });

  it('shows training metrics next to the live series, with full label coverage once labels are in', async () => {
    const data = await gql<{ modelMonitoring: { version: number; trainingMetrics: { key: string; value: number }[]; series: { accuracy: number | null; labelCoverage: number | null; predictions: number; latencyP50: number }[] } }>(
      `query ($from: Long!, $to: Long!) { modelMonitoring(model: "fraud", alias: "champion") { ... on ModelMonitoring {
          version trainingMetrics { key value } series(from: $from, to: $to, windowMs: 3600000) { accuracy labelCoverage predictions latencyP50 } } } }`,
      { from: T0, to: T0 + 5 * 3_600_000 },
    );
    const m = data.modelMonitoring;
    expect(m.version).toBe(1);
    expect(m.trainingMetrics).toEqual([{ key: 'accuracy', value: 0.9 }]);
    expect(m.series.map((w) => w.accuracy)).toEqual([23 / 24, 23 / 24, 14 / 24, 14 / 24, 23 / 24]);
    expect(m.series.every((w) => w.labelCoverage === 1 && w.predictions === 12 * PER_BUCKET)).toBe(true);
    expect(Math.abs(m.series[0].latencyP50 - 12) / 12).toBeLessThanOrEqual(0.01);
  });

  it('streams the same transitions to a GraphQL subscription (replayed from the log)', async () => {
    const client = liveClient(`${t.url.replace(/^http/, 'ws')}/graphql`);
    try {
      const results = await within(
        collect<{ monitoringAlerts: { to: string; monitorName: string } }>(client, `subscription { monitoringAlerts(model: "fraud", fromStart: true) { to monitorName cursor } }`, {}, (r) => r.length >= 3),
        120_000,
        'alert subscription',
      );
      expect(results.map((r) => r.data?.monitoringAlerts.to)).toEqual(['PENDING', 'FIRING', 'RESOLVED']);
    } finally {
      await client.dispose();
    }
  }, 180_000);
});
