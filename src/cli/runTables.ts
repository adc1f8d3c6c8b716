import type { Cell, Tabular } from './outputFormat.ts';
import type { RunSummary } from './trackingReader.ts';

/** Epoch milliseconds as ISO 8601 UTC: unambiguous in every output format. */
export function isoTime(epochMillis: number | undefined): string | null {
  return epochMillis === undefined ? null : new Date(epochMillis).toISOString();
}

/**
 * Runs as mlflow.search_runs() lays out its DataFrame: run info columns, then
 * one column per metric, param and tag key found in any run (sorted by key),
 * empty where a run lacks the key.
 */
export function searchRunsTable(runs: readonly RunSummary[]): Tabular {
  const metricKeys = keysOf(runs, (run) => run.metrics);
  const paramKeys = keysOf(runs, (run) => run.params);
  const tagKeys = keysOf(runs, (run) => run.tags);
  const columns = [
    'run_id',
    'experiment_id',
    'status',
    'artifact_uri',
    'start_time',
    'end_time',
    ...metricKeys.map((k) => `metrics.${k}`),
    ...paramKeys.map((k) => `params.${k}`),
    ...tagKeys.map((k) => `tags.${k}`),
  ];
  const rows = runs.map((run) => ({
    run_id: run.runId,
    experiment_id: run.experimentId,
    status: run.status,
    artifact_uri: run.artifactUri,
    start_time: isoTime(run.startTime),
    end_time: isoTime(run.endTime),
    ...keyedCells('metrics', metricKeys, run.metrics),
    ...keyedCells('params', paramKeys, run.params),
    ...keyedCells('tags', tagKeys, run.tags),
  }));
  return { columns, rows };
}

/** The short listing: who, how it went, and the latest metrics. */
export function runListTable(runs: readonly RunSummary[]): Tabular {
  const metricKeys = keysOf(runs, (run) => run.metrics);
  const columns = ['run_id', 'run_name', 'status', 'start_time', ...metricKeys.map((k) => `metrics.${k}`)];
  const rows = runs.map((run) => ({
    run_id: run.runId,
    run_name: run.runName,
    status: run.status,
    start_time: isoTime(run.startTime),
    ...keyedCells('metrics', metricKeys, run.metrics),
  }));
  return { columns, rows };
}

function keysOf(runs: readonly RunSummary[], entries: (run: RunSummary) => readonly { key: string }[]): string[] {
  const keys = new Set(runs.flatMap((run) => entries(run).map((entry) => entry.key)));
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function keyedCells(prefix: string, keys: readonly string[], entries: readonly { key: string; value: Cell }[]): Record<string, Cell> {
  const byKey = new Map(entries.map((entry) => [entry.key, entry.value]));
  return Object.fromEntries(keys.map((key) => [`${prefix}.${key}`, byKey.get(key) ?? null]));
}
