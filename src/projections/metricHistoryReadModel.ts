import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { StoredMetricValue } from '../events/metricValue.ts';
import { MetricsLogged } from '../events/runEvents.ts';
import type { MetricPoint } from './metricPoints.ts';
import { chunkExtremes, type ChunkExtremes } from './metricChunkExtremes.ts';
import { toNumber, type ReadModel } from './readModel.ts';

/**
 * Every metric point ever logged, with step and timestamp: MLflow's get-history.
 *
 * Stored as chunks: one row per (logging event, key) holding that event's points of
 * the key as parallel arrays. A 1000-point batch is then about ten rows and ten index
 * entries instead of a thousand of each, which is what lets ingestion keep up; the
 * view `metric_history` spreads the chunks back into one row per point, so queries
 * read points. Chunks depend only on the events, so a rebuild makes the same rows.
 */
export const metricHistoryReadModel: ReadModel = {
  name: 'metric_history',
  tables: ['metric_chunks'],
  schemaSql: `
    create table if not exists metric_chunks (
      run_id text not null,
      key text not null,
      min_step bigint not null,
      max_step bigint not null,
      min_timestamp bigint not null,
      max_timestamp bigint not null,
      steps bigint[] not null,
      timestamps bigint[] not null,
      "values" double precision[] not null,
      extremes double precision[]
    );
    -- Chunks from before the summary have none (null): downsampling reads their points instead.
    alter table metric_chunks add column if not exists extremes double precision[];
    create index if not exists metric_chunks_by_key on metric_chunks (run_id, key, min_step);
    do $$ begin
      -- Databases from before chunks kept one row per point in a table of this name: fold them into chunks.
      if exists (select 1 from pg_tables where schemaname = current_schema() and tablename = 'metric_history') then
        insert into metric_chunks
        select run_id, key, min(step), max(step), min(timestamp), max(timestamp), array_agg(step), array_agg(timestamp), array_agg(value)
          from metric_history group by run_id, key;
        drop table metric_history;
      end if;
    end $$;
    create or replace view metric_history as
      select c.run_id, c.key, p.step, p.timestamp, p.value
        from metric_chunks c
        cross join lateral unnest(c.steps, c.timestamps, c."values") as p(step, timestamp, value);`,
  writeOnly: true,
  async apply(events, tx) {
    const chunks = metricChunksOf(events);
    if (chunks.length === 0) return;
    // One statement per batch, however many points: the ingestion hot path. JSON carries
    // the arrays (NaN and infinities as the strings float8 reads), at native speed both ends.
    await tx.query(
      `insert into metric_chunks
       select c.run_id, c.key, c.min_step, c.max_step, c.min_timestamp, c.max_timestamp, c.steps, c.timestamps, c."values", c.extremes
         from json_to_recordset($1::json) as c(run_id text, key text, min_step bigint, max_step bigint, min_timestamp bigint, max_timestamp bigint,
                                                steps bigint[], timestamps bigint[], "values" double precision[], extremes double precision[])`,
      [JSON.stringify(chunks)],
    );
  },
};

interface MetricChunk {
  run_id: string;
  key: string;
  min_step: number;
  max_step: number;
  min_timestamp: number;
  max_timestamp: number;
  steps: number[];
  timestamps: number[];
  values: StoredMetricValue[];
  extremes: ChunkExtremes | null;
}

/** Each MetricsLogged event's points, grouped by key in the order logged. */
function metricChunksOf(events: readonly RecordedEvent[]): MetricChunk[] {
  const chunks: MetricChunk[] = [];
  for (const event of events) {
    if (!MetricsLogged.is(event)) continue;
    const byKey = new Map<string, MetricChunk>();
    for (const m of event.data.metrics) {
      let chunk = byKey.get(m.key);
      if (!chunk) {
        chunk = { run_id: event.data.runId, key: m.key, min_step: m.step, max_step: m.step, min_timestamp: m.timestamp, max_timestamp: m.timestamp, steps: [], timestamps: [], values: [], extremes: null };
        byKey.set(m.key, chunk);
        chunks.push(chunk);
      }
      chunk.steps.push(m.step);
      chunk.timestamps.push(m.timestamp);
      chunk.values.push(m.value);
      if (m.step < chunk.min_step) chunk.min_step = m.step;
      if (m.step > chunk.max_step) chunk.max_step = m.step;
      if (m.timestamp < chunk.min_timestamp) chunk.min_timestamp = m.timestamp;
      if (m.timestamp > chunk.max_timestamp) chunk.max_timestamp = m.timestamp;
    }
  }
  for (const chunk of chunks) chunk.extremes = chunkExtremes(chunk.steps, chunk.timestamps, chunk.values.map(Number));
  return chunks;
}

/**
 * One page of a metric's history in (step, timestamp, value) order.
 *
 * Read from the chunks rather than the point view: sorting every point of a long
 * history for each page (100,000 points spill to disk) cost ~0.8 s a page. Chunks
 * whose step ranges overlap or touch can interleave, so they form a group sorted as
 * one; groups follow each other in step order. The chunks' sizes place the page
 * among the groups, and only the groups it touches are read, as arrays, and sorted
 * here, with Postgres's order of float8 (NaN above every number).
 */
export async function metricHistory(
  db: SqlExecutor,
  runId: string,
  key: string,
  options: { limit: number; offset: number },
): Promise<Omit<MetricPoint, 'runId'>[]> {
  const { rows: chunks } = await db.query<{ minStep: unknown; maxStep: unknown; points: unknown }>(
    `select min_step as "minStep", max_step as "maxStep", cardinality(steps) as points
       from metric_chunks where run_id = $1 and key = $2 order by min_step`,
    [runId, key],
  );
  const groups: { firstMinStep: number; lastMinStep: number; maxStep: number; start: number; points: number }[] = [];
  let position = 0;
  for (const chunk of chunks) {
    const [minStep, maxStep, points] = [toNumber(chunk.minStep), toNumber(chunk.maxStep), toNumber(chunk.points)];
    const current = groups[groups.length - 1];
    if (!current || minStep > current.maxStep) groups.push({ firstMinStep: minStep, lastMinStep: minStep, maxStep, start: position, points });
    else {
      current.lastMinStep = minStep;
      current.maxStep = Math.max(current.maxStep, maxStep);
      current.points += points;
    }
    position += points;
  }
  const end = options.offset + options.limit;
  const wanted = groups.filter((group) => group.start < end && group.start + group.points > options.offset);
  if (wanted.length === 0) return [];
  // One JSON text for all the arrays: parsing it is native work, parsing array literals element by element is not.
  // float8 NaN and infinities arrive as the strings "NaN", "Infinity", "-Infinity", which Number() reads.
  const { rows } = await db.query<{ chunks: string }>(
    `select coalesce(json_agg(json_build_array(steps, timestamps, "values") order by min_step), '[]')::text as chunks
       from metric_chunks where run_id = $1 and key = $2 and min_step between $3 and $4`,
    [runId, key, wanted[0].firstMinStep, wanted[wanted.length - 1].lastMinStep],
  );
  const points: Omit<MetricPoint, 'runId'>[] = [];
  for (const [steps, timestamps, values] of JSON.parse(rows[0].chunks) as [number[], number[], (number | string)[]][]) {
    for (let i = 0; i < steps.length; i++) points.push({ key, step: steps[i], timestamp: timestamps[i], value: Number(values[i]) });
  }
  if (!isSorted(points)) points.sort(comparePoints);
  const skip = options.offset - wanted[0].start;
  return points.slice(Math.max(0, skip), skip + options.limit);
}

/** (step, timestamp, value), with NaN above every number as Postgres orders float8. */
function comparePoints(a: Omit<MetricPoint, 'runId'>, b: Omit<MetricPoint, 'runId'>): number {
  if (a.step !== b.step) return a.step - b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (Number.isNaN(a.value) || Number.isNaN(b.value)) return Number.isNaN(a.value) ? (Number.isNaN(b.value) ? 0 : 1) : -1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

function isSorted(points: readonly Omit<MetricPoint, 'runId'>[]): boolean {
  for (let i = 1; i < points.length; i++) if (comparePoints(points[i - 1], points[i]) > 0) return false;
  return true;
}
