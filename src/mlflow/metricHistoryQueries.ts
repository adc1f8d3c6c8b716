import type { SqlExecutor } from '../db/sqlDb.ts';
import { toNumber } from '../projections/readModel.ts';
import type { MetricPointValue } from './mlflowJson.ts';

/** Read-side queries over metric_history for several runs at once (the UI's charts). */

export interface RunMetricPoint extends MetricPointValue {
  runId: string;
}

interface PointRow {
  runId: string;
  key: string;
  value: number;
  timestamp: unknown;
  step: unknown;
}

const toPoint = (row: PointRow): RunMetricPoint => ({ runId: row.runId, key: row.key, value: Number(row.value), timestamp: toNumber(row.timestamp), step: toNumber(row.step) });

/** Up to limit points of one metric across runs: runs in the order given, then by step and timestamp. */
export async function metricHistoryOfRuns(db: SqlExecutor, runIds: readonly string[], key: string, limit: number): Promise<RunMetricPoint[]> {
  const { rows } = await db.query<PointRow>(
    `select run_id as "runId", key, value, timestamp, step from metric_history
      where run_id = any($1::text[]) and key = $2
      order by array_position($1::text[], run_id), step, timestamp, value
      limit $3`,
    [runIds, key, limit],
  );
  return rows.map(toPoint);
}

export interface StepRange {
  startStep?: number;
  endStep?: number;
}

/**
 * get-history-bulk-interval: per run, the points at up to about maxSteps of the
 * metric's distinct steps within the range, spread evenly and always including
 * the last. MLflow samples the same way: 10 steps at max_results=5 gives
 * steps 0, 2, 4, 6, 8 and 9. When there are few steps, all of them.
 */
export async function sampledMetricHistory(db: SqlExecutor, runIds: readonly string[], key: string, range: StepRange, maxSteps: number): Promise<RunMetricPoint[]> {
  const bounds = [range.startStep ?? null, range.endStep ?? null];
  const { rows: stepRows } = await db.query<{ runId: string; step: unknown }>(
    `select distinct run_id as "runId", step from metric_history
      where run_id = any($1::text[]) and key = $2 and ($3::bigint is null or step >= $3) and ($4::bigint is null or step <= $4)
      order by 1, 2`,
    [runIds, key, ...bounds],
  );
  const stepsByRun = new Map<string, number[]>();
  for (const row of stepRows) {
    const steps = stepsByRun.get(row.runId) ?? [];
    steps.push(toNumber(row.step));
    stepsByRun.set(row.runId, steps);
  }
  const pairs = [...stepsByRun].flatMap(([runId, steps]) => sampleSteps(steps, maxSteps).map((step) => [runId, step] as const));
  if (pairs.length === 0) return [];
  const { rows } = await db.query<PointRow>(
    `select h.run_id as "runId", h.key, h.value, h.timestamp, h.step
      from metric_history h
      join unnest($2::text[], $3::bigint[]) as wanted(run_id, step) on wanted.run_id = h.run_id and wanted.step = h.step
      where h.key = $1`,
    [key, pairs.map(([runId]) => runId), pairs.map(([, step]) => step)],
  );
  const runOrder = new Map(runIds.map((id, index) => [id, index]));
  return rows
    .map(toPoint)
    .sort((a, b) => (runOrder.get(a.runId) ?? 0) - (runOrder.get(b.runId) ?? 0) || a.step - b.step || a.timestamp - b.timestamp);
}

/** Evenly spaced picks from sorted distinct steps, plus the last one. */
export function sampleSteps(steps: readonly number[], maxSteps: number): number[] {
  if (steps.length <= maxSteps) return [...steps];
  const picked = new Set<number>();
  for (let i = 0; i < maxSteps; i++) picked.add(steps[Math.floor((i * steps.length) / maxSteps)]);
  picked.add(steps[steps.length - 1]);
  return [...picked];
}
