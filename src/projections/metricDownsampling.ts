import type { SqlExecutor } from '../db/sqlDb.ts';
import type { MetricPoint } from './metricPoints.ts';
import { toNumber } from './readModel.ts';

/**
 * Downsampled metric history (charts), all of its SQL in this one file beside
 * metricHistoryReadModel.ts, whose chunks (one row of parallel arrays per logging
 * event and key, with their step and time bounds) it reads directly: a change of that
 * layout touches these queries and nothing else.
 *
 * M4 downsampling: the x range (step or timestamp) of each series is cut into
 * floor(maxPoints / 4) equal buckets, and each bucket keeps its first and last point
 * (by x) and the points with its smallest and largest value. So at most maxPoints come
 * back, every spike and dip survives (a line chart drawn at one bucket per pixel
 * column looks the same as one drawn from every point), and so do the first and last
 * points of the series. NaN never counts as an extreme (it cannot be drawn); ±Infinity
 * does. Chosen over LTTB because LTTB may drop a bucket's extreme, and because M4 is
 * one GROUP BY in SQL: a 1,000,000-point series is reduced where it is stored.
 */

export type MetricAxis = 'step' | 'timestamp';

export interface Bounds {
  from?: number;
  to?: number;
}

export interface DownsampleRequest {
  /** Which (run, key) series; answers come back in this order. */
  series: readonly { runId: string; key: string }[];
  maxPoints: number;
  axis: MetricAxis;
  /** Inclusive. */
  stepRange?: Bounds;
  /** Inclusive, epoch milliseconds. */
  timeRange?: Bounds;
}

export type SeriesPoint = Omit<MetricPoint, 'runId'>;

export interface DownsampledSeries {
  runId: string;
  key: string;
  /** Points of the series within the ranges, before downsampling. */
  totalPoints: number;
  downsampled: boolean;
  /** In x order (then step, timestamp, value). */
  points: SeriesPoint[];
}

/** A point as float8[3] from the aggregates: [x, other axis, value] or [value, step, timestamp]. */
type PointArray = (number | string)[] | null;

// The x column is one of two fixed names, never caller text.
const column = (axis: MetricAxis) => (axis === 'timestamp' ? 'timestamp' : 'step');

/** Numbered query parameters, so only the bounds a request sets appear in its SQL. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** The SQL conditions of the request's ranges: a chunk c overlaps them, lies wholly inside them, a point p is inside. */
function rangeConditions(request: DownsampleRequest, params: Params) {
  const overlaps: string[] = [];
  const inside: string[] = [];
  const point: string[] = [];
  const bound = (column: 'step' | 'timestamp', range: Bounds | undefined) => {
    if (range?.from !== undefined) {
      const from = params.add(range.from, 'bigint');
      overlaps.push(`c.max_${column} >= ${from}`);
      inside.push(`c.min_${column} >= ${from}`);
      point.push(`p.${column} >= ${from}`);
    }
    if (range?.to !== undefined) {
      const to = params.add(range.to, 'bigint');
      overlaps.push(`c.min_${column} <= ${to}`);
      inside.push(`c.max_${column} <= ${to}`);
      point.push(`p.${column} <= ${to}`);
    }
  };
  bound('step', request.stepRange);
  bound('timestamp', request.timeRange);
  const all = (conditions: string[]) => (conditions.length === 0 ? 'true' : conditions.join(' and '));
  return { overlaps: all(overlaps), inside: all(inside), point: all(point) };
}

/**
 * The points of the chunks of the series in s(run_id, key, n, ...) that lie in the
 * ranges, as rows p(n, step, timestamp, value, ...extra), n numbering the series. Unnest in the select list
 * walks the three arrays in lockstep several times faster than a multi-array unnest in
 * FROM (which materialises), and grouping by the series number beats grouping by text.
 */
function pointsOf(series: string, where: { overlaps: string; point: string }, extra = ''): string {
  return `(select s.n, unnest(c.steps) as step, unnest(c.timestamps) as timestamp, unnest(c."values") as value${extra}
             from ${series} join metric_chunks c on c.run_id = s.run_id and c.key = s.key
            where ${where.overlaps}) p
     where ${where.point}`;
}

/**
 * Every series asked for, in the order asked, downsampled to at most maxPoints each.
 * Three queries at most, whatever the number of series: sizes and x bounds (from the
 * chunks' own bounds where a chunk lies wholly inside the ranges, so only the chunks at
 * the edges are opened), then the small series whole, then M4 over the large ones.
 */
export async function downsampledSeries(db: SqlExecutor, request: DownsampleRequest): Promise<DownsampledSeries[]> {
  const pairs = request.series;
  if (pairs.length === 0) return [];
  const seriesId = (runId: string, key: string) => `${runId}\u0000${key}`;
  const x = column(request.axis);
  const other = x === 'step' ? 'timestamp' : 'step';
  const distinct = [...new Map(pairs.map((p) => [seriesId(p.runId, p.key), p])).values()];

  const sizeParams = new Params();
  const seriesSql = `unnest(${sizeParams.add(distinct.map((p) => p.runId), 'text[]')}, ${sizeParams.add(distinct.map((p) => p.key), 'text[]')}) with ordinality as s(run_id, key, n)`;
  const sizeRanges = rangeConditions(request, sizeParams);
  const { rows: sizes } = await db.query<{ n: unknown; total: unknown; lo: unknown; hi: unknown }>(
    `select n, sum(total) as total, min(lo) as lo, max(hi) as hi from (
       select s.n, cardinality(c.steps) as total, c.min_${x} as lo, c.max_${x} as hi
         from ${seriesSql} join metric_chunks c on c.run_id = s.run_id and c.key = s.key
        where ${sizeRanges.inside}
       union all
       select p.n, count(*), min(p.${x}), max(p.${x})
         from ${pointsOf(seriesSql, { overlaps: `${sizeRanges.overlaps} and not (${sizeRanges.inside})`, point: sizeRanges.point })}
        group by p.n
     ) t group by n`,
    sizeParams.values,
  );
  const byId = new Map<string, DownsampledSeries & { lo: number; hi: number }>();
  distinct.forEach(({ runId, key }) => byId.set(seriesId(runId, key), { runId, key, totalPoints: 0, downsampled: false, points: [], lo: 0, hi: 0 }));
  for (const row of sizes) {
    const series = byId.get(seriesId(distinct[toNumber(row.n) - 1].runId, distinct[toNumber(row.n) - 1].key))!;
    Object.assign(series, { totalPoints: toNumber(row.total), downsampled: toNumber(row.total) > request.maxPoints, lo: toNumber(row.lo), hi: toNumber(row.hi) });
  }
  const small = [...byId.values()].filter((s) => s.totalPoints > 0 && !s.downsampled);
  const large = [...byId.values()].filter((s) => s.downsampled);

  if (small.length > 0) {
    const params = new Params();
    const series = `unnest(${params.add(small.map((s) => s.runId), 'text[]')}, ${params.add(small.map((s) => s.key), 'text[]')}) with ordinality as s(run_id, key, n)`;
    const { rows } = await db.query<{ n: unknown; step: unknown; timestamp: unknown; value: number }>(
      `select p.n, p.step, p.timestamp, p.value from ${pointsOf(series, rangeConditions(request, params))}`,
      params.values,
    );
    for (const row of rows) {
      const target = small[toNumber(row.n) - 1];
      target.points.push(point(target.key, row.step as number, row.timestamp as number, row.value));
    }
  }

  if (large.length > 0) {
    const params = new Params();
    const buckets = Math.floor(request.maxPoints / 4);
    const series = `unnest(${params.add(large.map((s) => s.runId), 'text[]')}, ${params.add(large.map((s) => s.key), 'text[]')},
                           ${params.add(large.map((s) => s.lo), 'bigint[]')}, ${params.add(large.map((s) => s.hi), 'bigint[]')}) with ordinality as s(run_id, key, lo, hi, n)`;
    const count = params.add(buckets, 'bigint');
    // Integer bucketing where (x - lo) × buckets cannot overflow a bigint (steps near 2^53 could); float otherwise.
    const exact = large.every((s) => (s.hi - s.lo + 1) * buckets < 2 ** 62);
    const bucketOf = (at: string, of = 's') =>
      exact ? `(${at} - ${of}.lo) * ${count} / (${of}.hi - ${of}.lo + 1)` : `least(floor((${at} - ${of}.lo)::float8 * ${count} / (${of}.hi - ${of}.lo + 1))::bigint, ${count} - 1)`;
    const ranges = rangeConditions(request, params);
    // A chunk wholly inside the ranges and inside one bucket gives that bucket its stored extremes
    // (metricChunkExtremes.ts) instead of its points: most chunks of a long series, so few points are read.
    const summarised = `c.extremes is not null and ${ranges.inside} and ${bucketOf(`c.min_${x}`)} = ${bucketOf(`c.max_${x}`)}`;
    const [first, last] = x === 'step' ? ['c.extremes[1:3]', 'c.extremes[4:6]'] : ['c.extremes[7:9]', 'c.extremes[10:12]'];
    const valued = `case when p.value <> 'NaN' then array[p.value, p.step, p.timestamp] end`;
    // M4 in one pass: per bucket the first and last point along x, and the lowest and highest value.
    const { rows } = await db.query<{ n: unknown; first: PointArray; last: PointArray; lo: PointArray; hi: PointArray }>(
      `select n, min(first) as first, max(last) as last, min(lo) as lo, max(hi) as hi from (
         select s.n, ${bucketOf(`c.min_${x}`)} as b, ${first} as first, ${last} as last, c.extremes[13:15] as lo, c.extremes[16:18] as hi
           from ${series} join metric_chunks c on c.run_id = s.run_id and c.key = s.key
          where ${summarised}
         union all
         select p.n, ${bucketOf(`p.${x}`, 'p')}, array[p.${x}, p.${other}, p.value], array[p.${x}, p.${other}, p.value], ${valued}, ${valued}
           from ${pointsOf(series, { overlaps: `${ranges.overlaps} and not (${summarised})`, point: ranges.point }, ', s.lo, s.hi')}
       ) t
       group by n, b`,
      params.values,
    );
    for (const row of rows) {
      const target = large[toNumber(row.n) - 1];
      const key = target.key;
      const alongX = (a: PointArray) => a && (x === 'step' ? point(key, a[0], a[1], a[2]) : point(key, a[1], a[0], a[2]));
      for (const p of [alongX(row.first), alongX(row.last), row.lo && point(key, row.lo[1], row.lo[2], row.lo[0]), row.hi && point(key, row.hi[1], row.hi[2], row.hi[0])]) {
        if (p) target.points.push(p);
      }
    }
  }

  const order = (a: SeriesPoint, b: SeriesPoint) =>
    (x === 'step' ? a.step - b.step || a.timestamp - b.timestamp : a.timestamp - b.timestamp || a.step - b.step) || compareValues(a.value, b.value);
  return pairs.map(({ runId, key }) => {
    const { lo: _lo, hi: _hi, ...series } = byId.get(seriesId(runId, key))!;
    const sorted = [...series.points].sort(order);
    // A bucket's first point may also be its minimum: keep each point once.
    const unique = series.downsampled ? sorted.filter((p, i) => i === 0 || order(p, sorted[i - 1]) !== 0) : sorted;
    return { ...series, points: unique };
  });
}

function point(key: string, step: number | string, timestamp: number | string, value: number | string): SeriesPoint {
  return { key, step: Number(step), timestamp: Number(timestamp), value: Number(value) };
}

/** float8 order: NaN above every number. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
