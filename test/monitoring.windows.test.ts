import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../src/db/sqlDb.ts';
import { lookUpModel } from '../src/monitoring/modelLookup.ts';
import { metricsWindow } from '../src/monitoring/windowQueries.ts';
import { ndjson, startMonitoringApp, T0, type MonitoringTestApp } from './support/monitoringTestApp.ts';
import { backendName } from './support/testDb.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = T0 - 3 * HOUR; // whole hours: T0 is 12:00 UTC

interface WindowJson {
  start: number;
  end: number;
  predictions: number;
  labelled: number;
  labelCoverage: number | null;
  accuracy: number | null;
  revision: number;
}

/** An executor of its own (so a cache of its own) that records the bucket reads carrying sums. */
function bucketReadCounter(db: SqlExecutor): SqlExecutor & { sumReads: unknown[][] } {
  const sumReads: unknown[][] = [];
  return {
    sumReads,
    query(sql, params) {
      if (/from monitoring_buckets/.test(sql) && /classification/.test(sql)) sumReads.push(params ?? []);
      return db.query(sql, params);
    },
  };
}

/**
 * Three segments over three hours, one prediction every 10 minutes per segment:
 * 'us' always right, 'eu' right one time in two, no segment right two times in three.
 */
interface SegmentTraffic {
  segment?: string;
  right: (i: number) => boolean;
}
const SEGMENTS: SegmentTraffic[] = [
  { segment: 'us', right: () => true },
  { segment: 'eu', right: (i: number) => i % 2 === 0 },
  { segment: undefined, right: (i: number) => i % 3 !== 0 },
];
const ROWS = 18; // 3 hours × 6
const rowsOf = (s: SegmentTraffic) =>
  Array.from({ length: ROWS }, (_, i) => ({
    version: 1,
    requestId: `${s.segment ?? 'none'}-${i}`,
    time: START + i * 600_000 + 1_000,
    predictedClass: s.right(i) ? '1' : '0',
    ...(s.segment ? { segment: s.segment } : {}),
  }));
const accuracyOf = (s: SegmentTraffic, from = 0, to = ROWS) => Array.from({ length: to - from }, (_, k) => s.right(from + k)).filter(Boolean).length / (to - from);

describe(`windows: segments, any window length, merged from buckets (${backendName})`, () => {
  let t: MonitoringTestApp;
  let modelId: string;

  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await t.graphql<T>(query, variables);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data as T;
  };
  const window = async (from: number, to: number, segment?: string) =>
    (
      await gql<{ modelMonitoring: { window: WindowJson } }>(
        `query ($from: Long!, $to: Long!, $segment: String) { modelMonitoring(model: "regions", version: 1) { ... on ModelMonitoring {
          window(from: $from, to: $to, segment: $segment) { start end predictions labelled labelCoverage accuracy revision } } } }`,
        { from, to, segment },
      )
    ).modelMonitoring.window;

  beforeAll(async () => {
    t = await startMonitoringApp();
    await t.registerModel('regions', 1);
    modelId = (await lookUpModel(t.app.backend.db, 'regions', 'model')).modelId;
    // One request per segment, 'us' first: its buckets are written before those that sort ahead of it.
    for (const s of SEGMENTS) {
      const rows = rowsOf(s);
      expect((await t.post('predictions?model=regions', ndjson(rows))).body).toMatchObject({ accepted: ROWS });
      expect((await t.post('ground-truth?model=regions', ndjson(rows.map((r) => ({ requestId: r.requestId, label: '1' }))))).body).toMatchObject({ accepted: ROWS, pending: 0 });
    }
  });
  afterAll(() => t?.close());

  it('keeps each segment apart, merges them all when no segment is asked for, and lists them', async () => {
    const all = await window(START, T0);
    expect(all).toMatchObject({ predictions: 3 * ROWS, labelled: 3 * ROWS, labelCoverage: 1 });
    expect(all.accuracy).toBeCloseTo(SEGMENTS.reduce((sum, s) => sum + accuracyOf(s), 0) / 3, 12);
    for (const s of SEGMENTS) {
      const w = await window(START, T0, s.segment ?? '');
      expect(w, String(s.segment)).toMatchObject({ predictions: ROWS, labelled: ROWS, accuracy: accuracyOf(s) });
    }
    const { modelMonitoring } = await gql<{ modelMonitoring: { segments: { segment: string; predictions: number }[] } }>(
      `{ modelMonitoring(model: "regions", version: 1) { ... on ModelMonitoring { segments(from: ${START}, to: ${T0}) { segment predictions } } } }`,
    );
    expect(modelMonitoring.segments).toEqual([
      { segment: '', predictions: ROWS },
      { segment: 'eu', predictions: ROWS },
      { segment: 'us', predictions: ROWS },
    ]);
    const rest = await t.get(`metrics?model=regions&version=1&from=${START}&to=${T0}&segment=eu`);
    expect((rest.body.windows as { metrics: { accuracy: number } }[])[0].metrics.accuracy).toBe(accuracyOf(SEGMENTS[1]));
  });

  it('computes 1 h, 24 h, 7 d and custom windows, tumbling or sliding, from the same buckets', async () => {
    const hourly = await gql<{ modelMonitoring: { series: WindowJson[] } }>(
      `{ modelMonitoring(model: "regions", version: 1) { ... on ModelMonitoring { series(from: ${START}, to: ${T0}, windowMs: ${HOUR}, segment: "eu") { start end predictions accuracy } } } }`,
    );
    expect(hourly.modelMonitoring.series.map((w) => [w.start, w.end, w.predictions, w.accuracy])).toEqual(
      [0, 1, 2].map((h) => [START + h * HOUR, START + (h + 1) * HOUR, 6, accuracyOf(SEGMENTS[1], 6 * h, 6 * h + 6)]),
    );
    // Sliding: 2-hour windows every 30 minutes.
    const sliding = await gql<{ modelMonitoring: { series: WindowJson[] } }>(
      `{ modelMonitoring(model: "regions", version: 1) { ... on ModelMonitoring { series(from: ${START}, to: ${T0}, windowMs: ${2 * HOUR}, stepMs: ${HOUR / 2}, segment: "") { start predictions accuracy } } } }`,
    );
    expect(sliding.modelMonitoring.series.map((w) => [w.start, w.predictions, w.accuracy])).toEqual(
      [0, 1, 2].map((k) => [START + (k * HOUR) / 2, 12, accuracyOf(SEGMENTS[2], 3 * k, 3 * k + 12)]),
    );
    for (const length of [DAY, 7 * DAY, 25 * 60_000]) {
      const w = await window(T0 - length, T0);
      expect(w.start, String(length)).toBe(T0 - length);
      expect(w.predictions, String(length)).toBe(length >= 3 * HOUR ? 3 * ROWS : 3 * 2); // 25 minutes: the last two 10-minute slots of each segment
    }
  });

  it('serves whole hours from the cache when no bucket changed, even with several segments in a bucket', async () => {
    const db = bucketReadCounter(t.app.backend.db);
    const query = { modelId, version: 1 };
    const range = { start: START, end: T0 };
    const first = await metricsWindow(db, query, range);
    expect(db.sumReads).toHaveLength(1);
    expect(await metricsWindow(db, query, range)).toEqual(first);
    expect(db.sumReads).toHaveLength(1);
    // A late correction in the middle hour: only that hour's buckets are read again.
    await t.post('ground-truth?model=regions', ndjson([{ requestId: 'us-8', label: '0', time: T0 }]));
    const after = await metricsWindow(db, query, range);
    expect(db.sumReads).toHaveLength(2);
    const only = db.sumReads[1][5] as number[];
    expect(only.every((b) => b >= START + HOUR && b < START + 2 * HOUR)).toBe(true);
    expect(after.metrics.accuracy).toBeCloseTo(((first.metrics.accuracy as number) * 3 * ROWS - 1) / (3 * ROWS), 12);
    expect(after.metrics.revision).toBeGreaterThan(first.metrics.revision);
  });

  it('never reads raw predictions: windows stand without the join index', async () => {
    const before = await metricsWindow(bucketReadCounter(t.app.backend.db), { modelId, version: 1 }, { start: START, end: T0 });
    await t.app.backend.db.query(`delete from monitoring_predictions where model_id = $1`, [modelId]);
    const after = await metricsWindow(bucketReadCounter(t.app.backend.db), { modelId, version: 1 }, { start: START, end: T0 });
    expect(after).toEqual(before);
    expect(after.metrics.predictions).toBe(3 * ROWS);
  });
});
