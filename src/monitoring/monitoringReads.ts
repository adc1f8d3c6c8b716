import type { SqlExecutor } from '../db/sqlDb.ts';
import { latestMetricsOfRuns } from '../projections/latestMetricsReadModel.ts';
import { invalid } from '../tracking/domainError.ts';
import type { ZeroDivision } from './confusionMetrics.ts';
import { lookUpModel, resolveVersion, type MonitoredModel } from './modelLookup.ts';
import { alignedRange, driftWindow, metricsSeries, metricsWindow, type DriftWindow, type MetricsWindow } from './windowQueries.ts';

export interface MonitoringTarget {
  model: MonitoredModel;
  version: number;
  /** The version's source run (training metrics come from it). */
  runId?: string;
}

export interface MetricsRequest {
  from: number;
  to: number;
  segment?: string;
  /** A series: windows of windowMs every stepMs; absent, one window over [from, to). */
  windowMs?: number;
  stepMs?: number;
  posLabel?: string;
  zeroDivision?: ZeroDivision;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Monitoring's read side, shared by GraphQL and REST. */
export function monitoringReads(db: SqlExecutor) {
  async function target(modelName: string, version?: number, alias?: string): Promise<MonitoringTarget> {
    const model = await lookUpModel(db, modelName, 'model');
    const resolved = await resolveVersion(db, model, { version, alias }, version !== undefined ? 'version' : 'alias');
    return { model, version: resolved, runId: model.versions.get(resolved)?.runId };
  }

  async function metrics(t: MonitoringTarget, request: MetricsRequest): Promise<MetricsWindow[]> {
    const query = { modelId: t.model.modelId, version: t.version, segment: request.segment };
    const options = { posLabel: request.posLabel, zeroDivision: request.zeroDivision };
    if (request.windowMs === undefined) return [await metricsWindow(db, query, alignedRange(request.from, request.to), options)];
    return metricsSeries(db, query, request.from, request.to, request.windowMs, request.stepMs ?? request.windowMs, options);
  }

  async function drift(t: MonitoringTarget, request: { from: number; to: number; segment?: string; minCount?: number; features?: string[] }): Promise<DriftWindow | null> {
    return driftWindow(db, { modelId: t.model.modelId, version: t.version, segment: request.segment }, alignedRange(request.from, request.to), request.minCount, request.features);
  }

  async function trainingMetrics(t: MonitoringTarget): Promise<{ key: string; value: number; step: number; timestamp: number }[]> {
    if (!t.runId) return [];
    return (await latestMetricsOfRuns(db, [t.runId])).get(t.runId) ?? [];
  }

  function targetFromQuery(params: URLSearchParams): Promise<MonitoringTarget> {
    const model = params.get('model');
    if (!model) throw invalid('model', 'model is required.');
    const version = params.get('version');
    return target(model, version === null ? undefined : integer(version, 'version'), params.get('alias') ?? undefined);
  }

  function rangeFromQuery(params: URLSearchParams, now: number): { from: number; to: number } {
    const to = params.has('to') ? time(params.get('to') as string, 'to') : now;
    const from = params.has('from') ? time(params.get('from') as string, 'from') : to - DAY_MS;
    return { from, to };
  }

  return {
    target,
    metrics,
    drift,
    trainingMetrics,
    async metricsFromQuery(params: URLSearchParams, now: number) {
      const t = await targetFromQuery(params);
      const zd = params.get('zeroDivision');
      const windows = await metrics(t, {
        ...rangeFromQuery(params, now),
        segment: params.get('segment') ?? undefined,
        windowMs: params.has('windowMs') ? integer(params.get('windowMs') as string, 'windowMs') : undefined,
        stepMs: params.has('stepMs') ? integer(params.get('stepMs') as string, 'stepMs') : undefined,
        posLabel: params.get('posLabel') ?? undefined,
        zeroDivision: zd === null ? undefined : zeroDivision(zd),
      });
      return { model: t.model.name, version: t.version, windows, trainingMetrics: await trainingMetrics(t) };
    },
    async driftFromQuery(params: URLSearchParams, now: number) {
      const t = await targetFromQuery(params);
      const report = await drift(t, {
        ...rangeFromQuery(params, now),
        segment: params.get('segment') ?? undefined,
        minCount: params.has('minCount') ? integer(params.get('minCount') as string, 'minCount') : undefined,
      });
      return { model: t.model.name, version: t.version, drift: report };
    },
  };
}

export type MonitoringReads = ReturnType<typeof monitoringReads>;

function zeroDivision(text: string): ZeroDivision {
  if (text !== '0' && text !== '1') throw invalid('zeroDivision', `zeroDivision must be 0 or 1, got ${JSON.stringify(text)}.`);
  return text === '1' ? 1 : 0;
}

function integer(text: string, field: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw invalid(field, `${field} must be an integer, got ${JSON.stringify(text)}.`);
  return n;
}

function time(text: string, field: string): number {
  const n = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw invalid(field, `${field} must be epoch milliseconds or an ISO-8601 time, got ${JSON.stringify(text)}.`);
  return n;
}
