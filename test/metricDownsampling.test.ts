import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDb } from './support/countingDb.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName, openTestDb } from './support/testDb.ts';

interface Point {
  step: number;
  timestamp: number;
  value: number | string;
}
interface Series {
  runId: string;
  key: string;
  totalPoints: number;
  downsampled: boolean;
  points: Point[];
}

const T0 = 1_700_000_000_000;
const SERIES = 'runId key totalPoints downsampled points { step timestamp value }';

/** A noisy curve with a few spikes, a NaN and an infinity: what a training loss looks like on a bad day. */
function spiky(count: number): Point[] {
  return Array.from({ length: count }, (_, i) => {
    let value: number | string = Math.sin(i / 50) + ((i * 7919) % 13) / 100 + i / 1e6;
    if (i === 1234) value = 50;
    if (i === 7777) value = -40;
    if (i === 5000) value = 'NaN';
    if (i === 9000) value = 'Infinity';
    // Timestamps run against steps in places, so the two axes bucket differently.
    return { step: i, timestamp: T0 + ((i * 37) % count) * 10, value };
  });
}

const num = (v: number | string) => Number(v);
const byStep = (a: Point, b: Point) => a.step - b.step || a.timestamp - b.timestamp;

/** M4 computed independently in the test from every logged point: the oracle for the server's answer. */
function m4(points: Point[], maxPoints: number, axis: 'step' | 'timestamp'): Point[] {
  const x = (p: Point) => (axis === 'step' ? p.step : p.timestamp);
  const buckets = Math.floor(maxPoints / 4);
  const lo = Math.min(...points.map(x));
  const hi = Math.max(...points.map(x));
  const groups = new Map<number, Point[]>();
  for (const p of points) {
    const b = Math.min(Math.floor(((x(p) - lo) * buckets) / (hi - lo + 1)), buckets - 1);
    groups.set(b, [...(groups.get(b) ?? []), p]);
  }
  const keep = new Set<Point>();
  const byX = (a: Point, b: Point) => x(a) - x(b) || (axis === 'step' ? a.timestamp - b.timestamp : a.step - b.step);
  for (const group of groups.values()) {
    const sorted = [...group].sort(byX);
    keep.add(sorted[0]).add(sorted[sorted.length - 1]);
    // NaN is never an extreme; ties go to the earliest point.
    const finite = group.filter((p) => !Number.isNaN(num(p.value)));
    if (finite.length > 0) {
      const values = [...finite].sort((a, b) => (num(a.value) === num(b.value) ? byStep(a, b) : num(a.value) < num(b.value) ? -1 : 1));
      keep.add(values[0]).add(values[values.length - 1]);
    }
  }
  return [...keep].sort((a, b) => byX(a, b));
}

describe(`downsampled metric history (${backendName})`, () => {
  let live: LiveTestApp;
  let counter: ReturnType<typeof countingDb>;
  let runId: string;
  const curve = spiky(10_000);

  beforeAll(async () => {
    const testDb = await openTestDb();
    counter = countingDb(testDb.db);
    live = await startLiveTestApp({ testDb, db: counter });
    runId = await createRun('spiky');
    for (let i = 0; i < curve.length; i += 1000) await logPoints(runId, 'loss', curve.slice(i, i + 1000));
  });
  afterAll(async () => {
    await live?.close();
    await live?.testDb.drop();
  });

  async function createRun(name: string): Promise<string> {
    const { createRun } = await live.gql<{ createRun: { id: string } }>(`mutation ($n: String) { createRun(input: { experimentId: "0", runName: $n }) { ... on Run { id } } }`, { n: name });
    return createRun.id;
  }
  async function logPoints(run: string, key: string, points: Point[]): Promise<void> {
    await live.gql(`mutation ($r: ID!, $m: [MetricInput!]!) { logMetrics(runId: $r, metrics: $m) { __typename } }`, { r: run, m: points.map((p) => ({ key, ...p })) });
  }
  const runCurve = (variables: Record<string, unknown>) =>
    live.gql<{ run: { downsampledMetricHistory: Series } }>(
      `query ($r: ID!, $k: String!, $n: Int!, $s: LongRange, $t: LongRange, $a: MetricAxis) {
        run(id: $r) { downsampledMetricHistory(key: $k, maxPoints: $n, stepRange: $s, timeRange: $t, axis: $a) { ${SERIES} } } }`,
      variables,
    );

  it('keeps every spike, each bucket extreme, and the first and last points (M4 by step)', async () => {
    const { run } = await runCurve({ r: runId, k: 'loss', n: 400 });
    const series = run.downsampledMetricHistory;
    expect(series).toMatchObject({ runId, key: 'loss', totalPoints: 10_000, downsampled: true });
    expect(series.points.length).toBeLessThanOrEqual(400);
    expect(series.points).toEqual(m4(curve, 400, 'step'));
    const at = (step: number) => series.points.find((p) => p.step === step)?.value;
    expect([at(1234), at(7777), at(9000), at(0), at(9999)]).toEqual([50, -40, 'Infinity', curve[0].value, curve[9999].value]);
  });

  it('buckets along time when asked, and within step and time ranges', async () => {
    const { run } = await runCurve({ r: runId, k: 'loss', n: 100, a: 'TIMESTAMP' });
    expect(run.downsampledMetricHistory.points).toEqual(m4(curve, 100, 'timestamp'));
    expect(run.downsampledMetricHistory.points.length).toBeLessThanOrEqual(100);

    // The range cuts through the first and last of the logged batches it touches.
    const ranged = (await runCurve({ r: runId, k: 'loss', n: 40, s: { from: 1500, to: 3499 } })).run.downsampledMetricHistory;
    const inRange = curve.filter((p) => p.step >= 1500 && p.step <= 3499);
    expect(ranged.totalPoints).toBe(2000);
    expect(ranged.points).toEqual(m4(inRange, 40, 'step'));
    expect(ranged.points[0].step).toBe(1500);
    expect(ranged.points[ranged.points.length - 1].step).toBe(3499);

    const timed = (await runCurve({ r: runId, k: 'loss', n: 40, s: { to: 5000 }, t: { from: T0, to: T0 + 20_000 } })).run.downsampledMetricHistory;
    const both = curve.filter((p) => p.step <= 5000 && p.timestamp <= T0 + 20_000);
    expect(timed.totalPoints).toBe(both.length);
    expect(timed.points).toEqual(both.length <= 40 ? both : m4(both, 40, 'step'));
  });

  it('reads chunks that fall inside one bucket from their stored extremes, with the same answer as from every point', async () => {
    // Small batches: most chunks lie inside one bucket. One chunk is all NaN (no extremes stored), and a plateau makes ties.
    const plateau = curve.map((p, i) => ({ ...p, value: i >= 5000 && i < 5025 ? 'NaN' : i >= 6000 && i < 6100 ? 0.5 : p.value }));
    const small = await createRun('small-batches');
    for (let i = 0; i < plateau.length; i += 25) await logPoints(small, 'loss', plateau.slice(i, i + 25));
    const { rows } = await live.testDb.db.query<{ summarised: unknown; total: unknown }>(
      `select count(*) filter (where extremes is not null) as summarised, count(*) as total from metric_chunks where run_id = $1`,
      [small],
    );
    expect([Number(rows[0].summarised), Number(rows[0].total)]).toEqual([399, 400]);
    for (const [n, axis] of [[40, 'STEP'], [400, 'STEP'], [40, 'TIMESTAMP']] as const) {
      const { run } = await runCurve({ r: small, k: 'loss', n, a: axis });
      expect(run.downsampledMetricHistory.points).toEqual(m4(plateau, n, axis === 'STEP' ? 'step' : 'timestamp'));
    }
    const ranged = (await runCurve({ r: small, k: 'loss', n: 40, s: { from: 1510, to: 8490 } })).run.downsampledMetricHistory;
    expect(ranged.points).toEqual(m4(plateau.filter((p) => p.step >= 1510 && p.step <= 8490), 40, 'step'));
  });

  it('returns a short series whole, and an absent one empty', async () => {
    const short = spiky(30);
    const small = await createRun('short');
    await logPoints(small, 'acc', short);
    const { run } = await runCurve({ r: small, k: 'acc', n: 40 });
    expect(run.downsampledMetricHistory).toEqual({ runId: small, key: 'acc', totalPoints: 30, downsampled: false, points: [...short].sort(byStep) });
    const none = await runCurve({ r: small, k: 'nothing', n: 40 });
    expect(none.run.downsampledMetricHistory).toMatchObject({ totalPoints: 0, downsampled: false, points: [] });
  });

  it('answers many runs and one key in one request (bulk interval)', async () => {
    const others = [await createRun('b'), await createRun('c')];
    await logPoints(others[0], 'loss', spiky(2000).slice(0, 1000));
    const { metricSeries } = await live.gql<{ metricSeries: Series[] }>(
      `query ($r: [ID!]!) { metricSeries(runIds: $r, key: "loss", maxPoints: 200) { ${SERIES} } }`,
      { r: [others[1], runId, others[0]] },
    );
    expect(metricSeries.map((s) => [s.runId, s.totalPoints, s.downsampled])).toEqual([
      [others[1], 0, false],
      [runId, 10_000, true],
      [others[0], 1000, true],
    ]);
    expect(metricSeries[1].points).toEqual(m4(curve, 200, 'step'));
    expect(metricSeries[2].points).toEqual(m4(spiky(2000).slice(0, 1000), 200, 'step'));
  });

  it('builds the compare view with the same few queries for 3 runs as for 12', async () => {
    const runs: string[] = [];
    for (let r = 0; r < 12; r++) {
      const id = await createRun(`cmp-${r}`);
      runs.push(id);
      await live.gql(`mutation ($r: ID!, $p: [KeyValueInput!]) { logBatch(runId: $r, params: $p) { __typename } }`, { r: id, p: [{ key: 'lr', value: String(r / 100) }] });
      await logPoints(id, 'loss', spiky(60 + r).map((p) => ({ ...p, value: typeof p.value === 'number' ? p.value + r : p.value })));
      await logPoints(id, 'acc', spiky(10));
    }
    const compare = async (ids: string[]) => {
      counter.readQueries.length = 0;
      const body = await live.gql<{ compareRuns: { run: { id: string; name: string; params: { key: string; value: string }[]; latestMetrics: { key: string; step: number }[] }; curves: Series[] }[] }>(
        `query ($r: [ID!]!) { compareRuns(runIds: $r, metricKeys: ["loss", "acc"], maxPoints: 40) {
           run { id name params { key value } latestMetrics { key step } tags { key } }
           curves { ${SERIES} } } }`,
        { r: ids },
      );
      return { rows: body.compareRuns, queries: counter.readQueries.length };
    };
    const few = await compare(runs.slice(0, 3));
    const many = await compare(runs);
    expect(many.queries).toBe(few.queries);
    // runs, params, tags, latest metrics, and at most three for all curves together.
    expect(many.queries).toBeLessThanOrEqual(7);
    expect(many.rows.map((row) => row.run.id)).toEqual(runs);
    expect(many.rows[5].run.params).toEqual([{ key: 'lr', value: '0.05' }]);
    expect(many.rows[5].run.latestMetrics.map((m) => [m.key, m.step])).toEqual([
      ['acc', 9],
      ['loss', 64],
    ]);
    expect(many.rows[5].curves.map((c) => [c.key, c.totalPoints, c.downsampled])).toEqual([
      ['loss', 65, true],
      ['acc', 10, false],
    ]);
    expect(many.rows[5].curves[0].points.length).toBeLessThanOrEqual(40);
  });

  it('refuses bad arguments, naming the field and the limit', async () => {
    const error = async (variables: Record<string, unknown>) => {
      const response = await fetch(`${live.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query ($r: ID!, $n: Int!, $s: LongRange) { run(id: $r) { downsampledMetricHistory(key: "loss", maxPoints: $n, stepRange: $s) { totalPoints } } }`,
          variables,
        }),
      });
      return ((await response.json()) as { errors: { message: string; extensions: { code: string; field: string } }[] }).errors[0];
    };
    expect(await error({ r: runId, n: 3 })).toMatchObject({ extensions: { code: 'INVALID_PARAMETER_VALUE', field: 'maxPoints' } });
    expect((await error({ r: runId, n: 10_001 })).message).toContain('between 4 and 10000');
    expect(await error({ r: runId, n: 10, s: { from: 5, to: 4 } })).toMatchObject({ extensions: { field: 'stepRange' } });
  });
});
