import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringDataStream } from '../src/events/monitoringEvents.ts';
import { BUCKET_MS } from '../src/monitoring/bucketTime.ts';
import { expectClose, golden, probabilityMaps } from './support/goldenMonitoring.ts';
import { ndjson, startMonitoringApp, T0, type MonitoringTestApp } from './support/monitoringTestApp.ts';
import { backendName } from './support/testDb.ts';

interface WindowJson {
  start: number;
  end: number;
  metrics: {
    predictions: number;
    labelled: number;
    labelCoverage: number | null;
    accuracy: number | null;
    scores: { average: string; precision: number | null; recall: number | null; f1: number | null }[];
    rocAuc: { macro: { value: number } | null; weighted: { value: number } | null };
    logLoss: number | null;
    revision: number;
  };
}

describe(`monitoring ingestion over REST (${backendName})`, () => {
  let t: MonitoringTestApp;
  const binary = golden.classification.find((c) => c.name.startsWith('random binary')) ?? golden.classification[0];
  const probabilities = probabilityMaps(binary);
  const from = T0 - 3 * BUCKET_MS;

  const metrics = async (query = '') => {
    const { status, body } = await t.get(`metrics?model=churn&version=1&from=${from}&to=${T0}${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body.windows as WindowJson[];
  };

  beforeAll(async () => {
    t = await startMonitoringApp();
    await t.registerModel('churn', 2);
  });
  afterAll(() => t?.close());

  it('holds labels that arrive before their predictions, then joins them', async () => {
    // The first 50 labels come first: they wait.
    const early = binary.yTrue.slice(0, 50).map((label, i) => ({ model: 'churn', requestId: `r${i}`, label, time: T0 - 60_000 }));
    const held = await t.post('ground-truth', ndjson(early));
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ accepted: 50, pending: 50, events: 1 });

    const rows = binary.yTrue.map((_, i) => ({
      model: 'churn',
      version: 1,
      requestId: `r${i}`,
      time: from + (i % 3) * BUCKET_MS + 1000,
      predictedClass: binary.yPred[i],
      probabilities: probabilities[i],
      latencyMs: 5 + (i % 7),
    }));
    const logged = await t.post('predictions', ndjson(rows));
    expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    expect(logged.body).toMatchObject({ accepted: rows.length, duplicates: 0, events: 1 });
    const [window] = await metrics();
    expect(window.metrics.predictions).toBe(rows.length);
    expect(window.metrics.labelled).toBe(50);
  });

  it('computes the window exactly as scikit-learn once every label is in, and reports coverage on the way', async () => {
    const late = binary.yTrue.slice(50).map((label, i) => ({ model: 'churn', requestId: `r${i + 50}`, label }));
    const before = (await metrics())[0].metrics.revision;
    const { body } = await t.post('ground-truth', ndjson(late));
    expect(body).toMatchObject({ accepted: late.length, pending: 0 });
    const [window] = await metrics();
    expect(window.metrics.labelCoverage).toBe(1);
    expect(window.metrics.revision).toBeGreaterThan(before);
    expectClose(window.metrics.accuracy, binary.expected.accuracy, 1e-12, 'accuracy');
    for (const s of window.metrics.scores) {
      const expected = binary.expected.scores[`${s.average}/0`];
      expectClose(s.f1, expected.f1, 1e-12, `f1 ${s.average}`);
      expectClose(s.precision, expected.precision, 1e-12, `precision ${s.average}`);
    }
    expectClose(window.metrics.rocAuc.macro?.value, binary.expected.rocAuc?.macro, 1e-12, 'auc');
    expectClose(window.metrics.logLoss, binary.expected.logLoss, 1e-12, 'log loss');
  });

  it('ignores a replayed request id (same request again, or inside one request)', async () => {
    const before = await metrics();
    const replay = [0, 1, 2].map((i) => ({ model: 'churn', version: 1, requestId: `r${i}`, time: T0 - 1000, predictedClass: '1' }));
    const { body } = await t.post('predictions', ndjson([...replay, replay[0]]));
    expect(body).toMatchObject({ accepted: 0, duplicates: 4, events: 0 });
    expect(await metrics()).toEqual(before);
  });

  it('two racing requests with the same request ids: the first in the log wins, whole, and nothing counts twice', async () => {
    await t.registerModel('race', 1);
    const ids = Array.from({ length: 200 }, (_, i) => `race-${i}`);
    const body = (predictedClass: string) => ndjson(ids.map((requestId) => ({ version: 1, requestId, time: T0 - 1000, predictedClass })));
    const answers = await Promise.all(['1', '0'].map((cls) => t.post('predictions?model=race', body(cls))));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.reduce((n, a) => n + Number(a.body.accepted) + Number(a.body.duplicates), 0)).toBe(400);
    await t.post('ground-truth?model=race', ndjson(ids.map((requestId) => ({ requestId, label: '1' }))));
    const { modelId } = (await t.app.backend.db.query<{ modelId: string }>(`select model_id as "modelId" from registered_models where name = 'race'`)).rows[0];
    const firstLogged = (await t.app.backend.store.readStream(monitoringDataStream(modelId))).find((e) => e.type === 'PredictionsLogged');
    const winner = (firstLogged?.data as { predictions: { predictedClass: string }[] }).predictions[0].predictedClass;
    const { body: answer } = await t.get(`metrics?model=race&version=1&from=${from}&to=${T0}`);
    const [window] = answer.windows as WindowJson[];
    expect(window.metrics).toMatchObject({ predictions: 200, labelled: 200, accuracy: winner === '1' ? 1 : 0 });
  });

  it('second label for a request id: the later label time wins and restates the bucket; an older one is ignored', async () => {
    const base = (await metrics())[0].metrics;
    const truth = binary.yTrue[0];
    const other = truth === '1' ? '0' : '1';
    // r0's first label time was T0 - 60 s. A correction at a later time replaces it.
    await t.post('ground-truth', ndjson([{ model: 'churn', requestId: 'r0', label: other, time: T0 - 30_000 }]));
    const corrected = (await metrics())[0].metrics;
    expect(corrected.labelled).toBe(base.labelled);
    expect(corrected.accuracy).not.toBe(base.accuracy);
    // An older label changes nothing; the original label at a newer time restores the window exactly.
    await t.post('ground-truth', ndjson([{ model: 'churn', requestId: 'r0', label: truth, time: T0 - 50_000 }]));
    expect((await metrics())[0].metrics.accuracy).toBe(corrected.accuracy);
    await t.post('ground-truth', ndjson([{ model: 'churn', requestId: 'r0', label: truth, time: T0 - 20_000 }]));
    const restored = (await metrics())[0].metrics;
    expect(restored.accuracy).toBe(base.accuracy);
    expect(restored.scores).toEqual(base.scores);
    expect(restored.revision).toBeGreaterThan(corrected.revision);
  });

  it('at equal label times the later label in the log wins, also while held before the prediction', async () => {
    await t.post('ground-truth', ndjson([
      { model: 'churn', requestId: 'late-1', label: '0', time: T0 - 10_000 },
      { model: 'churn', requestId: 'late-1', label: '1', time: T0 - 10_000 },
    ]));
    await t.post('ground-truth', ndjson([{ model: 'churn', requestId: 'late-1', label: '0', time: T0 - 20_000 }]));
    await t.post('predictions', ndjson([{ model: 'churn', version: 2, requestId: 'late-1', time: T0 - 1000, predictedClass: '1' }]));
    const { body } = await t.get(`metrics?model=churn&version=2&from=${from}&to=${T0}`);
    const [window] = body.windows as WindowJson[];
    expect(window.metrics.labelled).toBe(1);
    expect(window.metrics.accuracy).toBe(1);
  });

  it('refuses bad lines naming the line and the field, and appends nothing', async () => {
    const head = await t.app.backend.store.headPosition();
    const lines = ndjson([
      { model: 'churn', version: 1, requestId: 'ok-1', predictedClass: '1' },
      { model: 'churn', version: 1, requestId: 'bad', time: 'yesterday', predictedClass: '1' },
    ]);
    const bad = await t.post('predictions', lines);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', line: 2, field: 'time' });
    expect(String(bad.body.message)).toContain('line 2, field "time"');

    const cases: [string, string, number, string, string][] = [
      ['predictions', '{"model":"churn","version":1,"requestId":"x","predictedClass":"1","probabilities":{"1":1.5}}', 400, 'probabilities.1', 'between 0 and 1'],
      ['predictions', '{"model":"churn","version":7,"requestId":"x","predictedClass":"1"}', 404, 'version', 'no version 7'],
      ['predictions', '{"model":"nope","version":1,"requestId":"x","predictedClass":"1"}', 404, 'model', "'nope' does not exist"],
      ['predictions', '{"model":"churn","version":1,"requestId":"x"}', 400, 'predictedClass', 'needs predictedClass'],
      ['predictions', '{"model":"churn","version":1,"requestId":"x","predictedClass":"1","colour":"red"}', 400, 'colour', 'unknown field'],
      ['predictions', `{"model":"churn","version":1,"requestId":"x","predictedClass":"1","time":${T0 + 2 * 86_400_000}}`, 400, 'time', 'more than 24 hours'],
      ['predictions', '{"model":"churn","version":1,"requestId":"x","predictedValue":1.5,"predictedClass":"1"}', 400, 'predictedValue', 'not both'],
      ['ground-truth', '{"model":"churn","requestId":"x"}', 400, 'label', 'is required'],
      ['ground-truth', '{"model":"churn","requestId":"x","label":{"a":1}}', 400, 'label', 'must be a string'],
      ['predictions', '{"model":"churn",', 400, '(line)', 'not valid JSON'],
    ];
    for (const [path, line, status, field, text] of cases) {
      const answer = await t.post(path, `\n${line}\n`);
      expect(answer.status, line).toBe(status);
      expect(answer.body, line).toMatchObject({ line: 2, field });
      expect(String(answer.body.message), line).toContain(text);
    }
    expect(await t.app.backend.store.headPosition()).toBe(head);
  });

  it('accepts a JSON body with a list, and ?model= for lines without one', async () => {
    const json = await t.post('predictions', JSON.stringify({ predictions: [{ model: 'churn', version: 2, requestId: 'j1', time: T0 - 1000, predictedClass: '0' }] }), 'application/json');
    expect(json.body).toMatchObject({ accepted: 1 });
    const defaulted = await t.post('predictions?model=churn', ndjson([{ version: 2, requestId: 'j2', time: T0 - 1000, predictedClass: '0' }]));
    expect(defaulted.body).toMatchObject({ accepted: 1 });
    const listError = await t.post('predictions', JSON.stringify({ predictions: [{ model: 'churn', version: 2, requestId: '' }] }), 'application/json');
    expect(listError.body).toMatchObject({ field: 'predictions[0].requestId' });
  });

  it('serves whole hours from the window cache, and never stale after a late label', async () => {
    await t.registerModel('hours', 1);
    const hourStart = T0 - 3 * 3_600_000;
    const rows = Array.from({ length: 24 }, (_, i) => ({ version: 1, requestId: `h${i}`, time: hourStart + i * 600_000, predictedClass: '1' }));
    await t.post('predictions?model=hours', ndjson(rows));
    await t.post('ground-truth?model=hours', ndjson(rows.map((r) => ({ requestId: r.requestId, label: '1', time: T0 - 1000 }))));
    const window = async () => {
      const { body } = await t.get(`metrics?model=hours&version=1&from=${hourStart}&to=${hourStart + 4 * 3_600_000}`);
      return (body.windows as WindowJson[])[0].metrics;
    };
    const first = await window();
    expect(first).toMatchObject({ labelled: 24, accuracy: 1 });
    expect(await window()).toEqual(first);
    // A correction deep inside a cached hour.
    await t.post('ground-truth?model=hours', ndjson([{ requestId: 'h3', label: '0', time: T0 }]));
    const after = await window();
    expect(after.accuracy).toBe(23 / 24);
    expect(after.revision).toBeGreaterThan(first.revision);
  });

  it('splits a large request into events of at most 5 000 predictions', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => ({ version: 2, requestId: `bulk-${i}`, time: T0 - 1000 - i, predictedValue: i % 10, latencyMs: i % 50 }));
    const { body } = await t.post('predictions?model=churn', ndjson(rows));
    expect(body).toMatchObject({ accepted: 12_000, events: 3 });
  });
});
