import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET_MS } from '../src/monitoring/bucketTime.ts';
import { expectClose, golden } from './support/goldenMonitoring.ts';
import { collect, liveClient, within } from './support/liveClient.ts';
import { ndjson, startMonitoringApp, T0, type MonitoringTestApp } from './support/monitoringTestApp.ts';
import { backendName } from './support/testDb.ts';
import { startWebhookReceiver } from './support/webhookReceiver.ts';

const HOUR = 3_600_000;

describe(`monitors, GraphQL ingestion and webhook delivery (${backendName})`, () => {
  let t: MonitoringTestApp;
  beforeAll(async () => {
    t = await startMonitoringApp({
      monitoring: { evaluateEveryMs: 0, deliverEveryMs: 0, onNewDataAfterMs: 0, dispatcher: { backoff: { baseDelayMs: 1000, maxDelayMs: 4000, maxAttempts: 3 } } },
    });
    await t.registerModel('rent', 2);
  });
  afterAll(() => t?.close());

  const createMonitor = (input: string) =>
    t.graphql<{ createMonitor: { id?: string; code?: string; field?: string; message?: string } }>(
      `mutation { createMonitor(input: { ${input} }) { ... on Monitor { id } ... on DomainError { code field message } } }`,
    );

  it('logs predictions and labels through GraphQL; regression metrics match scikit-learn', async () => {
    const doc = golden.regression[0];
    const logged = await t.graphql<{ logPredictions: { accepted?: number; field?: string } }>(
      `mutation ($p: [PredictionInput!]!) { logPredictions(model: "rent", predictions: $p) { ... on IngestResult { accepted } ... on DomainError { field } } }`,
      {
        p: doc.yPred.map((v, i) => ({ requestId: `g${i}`, version: 1, time: T0 - 2 * BUCKET_MS, predictedValue: v, latencyMs: 10 * (i + 1), features: [{ name: 'rooms', number: i }] })),
      },
    );
    expect(logged.data?.logPredictions.accepted).toBe(doc.yPred.length);
    await t.graphql(`mutation ($p: [PredictionInput!]!) { logPredictions(model: "rent", predictions: $p) { __typename } }`, {
      p: [{ requestId: 'failed', version: 1, time: T0 - 2 * BUCKET_MS, error: 'timeout', latencyMs: 1000 }],
    });
    const labelled = await t.graphql<{ logGroundTruth: { accepted: number; pending: number } }>(
      `mutation ($l: [GroundTruthInput!]!) { logGroundTruth(model: "rent", labels: $l) { ... on IngestResult { accepted pending } } }`,
      { l: [...doc.yTrue.map((y, i) => ({ requestId: `g${i}`, label: String(y) })), { requestId: 'failed', label: '1' }] },
    );
    expect(labelled.data?.logGroundTruth).toEqual({ accepted: doc.yTrue.length + 1, pending: 0 });
    const window = await t.graphql<{ modelMonitoring: { window: Record<string, number | null> } }>(
      `{ modelMonitoring(model: "rent", version: 1) { ... on ModelMonitoring { window(from: ${T0 - HOUR}, to: ${T0}) { mse rmse mae r2 predictions errors errorRate labelled labelCoverage latencyP99 accuracy } } } }`,
    );
    const w = window.data?.modelMonitoring.window ?? {};
    expectClose(w.mse, doc.expected.mse, 1e-12, 'mse');
    expectClose(w.rmse, doc.expected.rmse, 1e-12, 'rmse');
    expectClose(w.mae, doc.expected.mae, 1e-12, 'mae');
    expectClose(w.r2, doc.expected.r2, 1e-12, 'r2');
    expect(w).toMatchObject({ predictions: 5, errors: 1, errorRate: 0.2, labelled: 4, labelCoverage: 0.8, accuracy: null });
    // numpy's order statistic of rank floor(0.99 · 4) among 10, 20, 30, 40, 1000 ms is 40.
    expect(Math.abs((w.latencyP99 ?? 0) - 40) / 40).toBeLessThanOrEqual(0.01);
  });

  it('refuses a bad GraphQL prediction naming its index and field', async () => {
    const bad = await t.graphql<{ logPredictions: { code: string; field: string; message: string } }>(
      `mutation { logPredictions(model: "rent", predictions: [{ requestId: "ok", version: 1, predictedValue: 1 }, { requestId: "x", version: 1, predictedValue: 1, latencyMs: -3 }]) {
        ... on DomainError { code field message } } }`,
    );
    expect(bad.data?.logPredictions).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', field: 'predictions[1].latencyMs' });
    expect(bad.data?.logPredictions.message).toContain('at least 0');
  });

  it('validates monitor definitions with the field at fault', async () => {
    const cases: [string, string, string][] = [
      ['model: "rent", name: "m", version: 1, alias: "champion", metric: "mse", windowMs: 3600000, threshold: 1', 'version', 'not both'],
      ['model: "rent", name: "m", version: 1, metric: "mape", windowMs: 3600000, threshold: 1', 'metric', 'must be one of'],
      ['model: "rent", name: "m", version: 1, metric: "mse", windowMs: 1000, threshold: 1', 'windowMs', 'multiple of 300000'],
      ['model: "rent", name: "m", version: 1, metric: "mse", windowMs: 3600000', 'threshold', 'needs a threshold'],
      ['model: "rent", name: "m", version: 1, driftFeature: "rooms", driftStatistic: "psi", windowMs: 3600000, minAbsoluteChange: 0.1', 'minAbsoluteChange', 'threshold only'],
      ['model: "rent", name: "m", version: 9, metric: "mse", windowMs: 3600000, threshold: 1', 'version', 'no version 9'],
      ['model: "nope", name: "m", version: 1, metric: "mse", windowMs: 3600000, threshold: 1', 'model', 'does not exist'],
      ['model: "rent", name: "m", version: 1, metric: "accuracy", windowMs: 3600000, threshold: 1, minLabelCoverage: 2', 'minLabelCoverage', 'between 0 and 1'],
    ];
    for (const [input, field, text] of cases) {
      const { data } = await createMonitor(input);
      expect(data?.createMonitor.field, input).toBe(field);
      expect(data?.createMonitor.message, input).toContain(text);
    }
    const { data } = await t.graphql<{ monitors: unknown[] }>(`{ monitors(model: "rent") { id } }`);
    expect(data?.monitors).toEqual([]);
  });

  it('a monitor on an alias follows the alias when it moves', async () => {
    await t.graphql(`mutation { setRegisteredModelAlias(name: "rent", alias: "champion", version: 1) { __typename } }`);
    const created = await createMonitor('model: "rent", name: "champion latency", alias: "champion", metric: "latency_p99", windowMs: 3600000, threshold: 30');
    const id = created.data?.createMonitor.id;
    expect(id).toBeDefined();
    const current = async () =>
      (await t.graphql<{ monitor: { current: { version: number; value: number | null; verdict: string } } }>(`{ monitor(id: "${id}") { current { version value verdict } } }`)).data?.monitor.current;
    expect(await current()).toMatchObject({ version: 1, verdict: 'BREACH' });
    await t.graphql(`mutation { setRegisteredModelAlias(name: "rent", alias: "champion", version: 2) { __typename } }`);
    expect(await current()).toMatchObject({ version: 2, verdict: 'UNKNOWN', value: null });
    await t.graphql(`mutation { deleteMonitor(id: "${id}") { __typename } }`);
    const outcomes = await t.app.monitoring.evaluateNow();
    expect(outcomes.map((o) => o.monitorId)).not.toContain(id);
  });

  it('abandons a delivery after the last retry, and a removed webhook gets nothing more', async () => {
    const receiver = await startWebhookReceiver('0123456789abcdef', 1_000);
    try {
      const hook = await t.graphql<{ registerMonitoringWebhook: { id: string } }>(
        `mutation { registerMonitoringWebhook(input: { url: "${receiver.url}", secret: "0123456789abcdef", states: [FIRING] }) { ... on RegisteredWebhook { id } } }`,
      );
      const created = await createMonitor('model: "rent", name: "error rate", version: 1, metric: "error_rate", windowMs: 3600000, threshold: 0.1');
      expect(created.data?.createMonitor.id).toBeDefined();
      const outcomes = await t.app.monitoring.evaluateNow();
      expect(outcomes.find((o) => o.monitorId === created.data?.createMonitor.id)?.transitions).toEqual(['pending', 'firing']);
      for (let i = 0; i < 5; i++) {
        await t.app.monitoring.deliverNow();
        t.clock.advance(5_000);
      }
      expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 500]);
      const deliveries = async () =>
        (await t.graphql<{ monitoringWebhooks: { id: string; deliveries: { status: string; attempts: number; lastStatus: number }[] }[] }>(`{ monitoringWebhooks { id deliveries { status attempts lastStatus } } }`)).data
          ?.monitoringWebhooks ?? [];
      expect((await deliveries()).find((w) => w.id === hook.data?.registerMonitoringWebhook.id)?.deliveries).toEqual([{ status: 'abandoned', attempts: 3, lastStatus: 500 }]);
      const removed = await t.graphql(`mutation { removeMonitoringWebhook(id: "${hook.data?.registerMonitoringWebhook.id}") { __typename } }`);
      expect(removed.data).toEqual({ removeMonitoringWebhook: { __typename: 'RemovedMonitoringWebhook' } });
      expect(await deliveries()).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe(`the evaluator and the dispatcher run by themselves on new data (${backendName})`, () => {
  it('fires, streams and delivers without being called', async () => {
    const t = await startMonitoringApp({ monitoring: { evaluateEveryMs: 0, deliverEveryMs: 100, onNewDataAfterMs: 50 } });
    const receiver = await startWebhookReceiver('fedcba9876543210', 0);
    try {
      await t.registerModel('auto', 1);
      await t.graphql(`mutation { registerMonitoringWebhook(input: { url: "${receiver.url}", secret: "fedcba9876543210" }) { __typename } }`);
      await t.graphql(`mutation { createMonitor(input: { model: "auto", name: "volume", version: 1, metric: "prediction_count", windowMs: 3600000, threshold: 3, greaterIsBetter: false }) { __typename } }`);
      // A live subscriber, joined at the log's head now (so it cannot miss what follows, however late its socket opens).
      const client = liveClient(`${t.url.replace(/^http/, 'ws')}/graphql`);
      const streamed = within(
        collect<{ monitoringAlerts: { to: string; value: number } }>(client, `subscription ($after: String) { monitoringAlerts(after: $after) { to value } }`, { after: await t.app.backend.store.headPosition() }, (r) => r.length >= 2),
        120_000,
        'live alerts',
      ).finally(() => client.dispose());
      await t.post('predictions?model=auto', ndjson([1, 2, 3, 4].map((i) => ({ version: 1, requestId: `q${i}`, time: T0 - 60_000 * i, predictedValue: i }))));
      await until(() => receiver.received.length > 0, 'a delivery');
      expect(receiver.received.map((r) => [r.body.alert.to, r.signatureValid])).toEqual([['firing', true]]);
      expect((await streamed).map((r) => r.data?.monitoringAlerts)).toEqual([
        { to: 'PENDING', value: 4 },
        { to: 'FIRING', value: 4 },
      ]);
    } finally {
      await receiver.close();
      await t.close();
    }
  }, 300_000);

  it('evaluates on its schedule when no new data comes', async () => {
    // Data first, then the monitor: the only thing left to evaluate it is the schedule.
    const t = await startMonitoringApp({ monitoring: { evaluateEveryMs: 100, deliverEveryMs: 0, onNewDataAfterMs: 0 } });
    try {
      await t.registerModel('scheduled', 1);
      await t.post('predictions?model=scheduled', ndjson([1, 2].map((i) => ({ version: 1, requestId: `s${i}`, time: T0 - 60_000 * i, predictedValue: i, error: 'timeout' }))));
      await t.graphql(`mutation { createMonitor(input: { model: "scheduled", name: "errors", version: 1, metric: "error_rate", windowMs: 3600000, threshold: 0.5 }) { __typename } }`);
      const history = async () => (await t.graphql<{ alertHistory: { to: string; value: number }[] }>(`{ alertHistory(model: "scheduled") { to value } }`)).data?.alertHistory ?? [];
      await until(async () => (await history()).length >= 2, 'the scheduled evaluation');
      expect(await history()).toEqual([
        { to: 'FIRING', value: 1 },
        { to: 'PENDING', value: 1 },
      ]);
    } finally {
      await t.close();
    }
  }, 300_000);
});

/** Waits for a condition (polled), failing after a limit no loaded machine reaches. */
async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`waited ${limitMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
