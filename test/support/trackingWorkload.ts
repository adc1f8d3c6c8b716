import type { SqlDb } from '../../src/db/sqlDb.ts';
import type { EventStore } from '../../src/events/eventStore.ts';
import { toStoredMetricValue } from '../../src/events/metricValue.ts';
import { MetricsLogged, runStream } from '../../src/events/runEvents.ts';
import { Projector } from '../../src/projections/projector.ts';
import { trackingReadModels } from '../../src/projections/trackingTables.ts';
import { commandContext, metadataFor } from '../../src/tracking/commandContext.ts';
import type { MetricInput } from '../../src/tracking/runCommands.ts';
import { TrackingService } from '../../src/tracking/trackingService.ts';

/** A projector that is never started and never makes a write wait for it. */
class NonWaitingProjector extends Projector {
  override waitFor(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Tracking commands that append and return at once, without read-your-writes:
 * lets a test fill the log while the real projector is stopped (or in another process).
 */
export function trackingWithoutReadYourWrites(backend: { db: SqlDb; store: EventStore }): TrackingService {
  const projector = new NonWaitingProjector(backend.db, backend.store, trackingReadModels, { name: 'writer-only-never-started' });
  return new TrackingService({ store: backend.store, projector, readDb: backend.db });
}

export interface WorkloadShape {
  experiments: number;
  runsPerExperiment: number;
  batchesPerRun: number;
  pointsPerBatch: number;
}

export interface Workload {
  experimentIds: string[];
  runIds: string[];
  /** Metric points logged (each a metric_history row). */
  metricPoints: number;
}

const ctx = () => commandContext('trainer');

/** NaN and the infinities now and then: the values a dump comparison most easily gets wrong. */
function metricValue(run: number, batch: number, point: number): number | string {
  if (point === 0 && batch % 7 === 3) return 'NaN';
  if (point === 1 && batch % 11 === 5) return Infinity;
  if (point === 2 && batch % 13 === 6) return -Infinity;
  return Math.round(1e6 / (1 + run + batch + point)) / 1e3;
}

/**
 * Something like a training session: experiments, runs with params and tags, many
 * metric batches logged concurrently across runs, then renames, tag deletes and a
 * deleted run, so every tracking table gets inserts, updates and deletes.
 */
export async function runTrainingWorkload(tracking: TrackingService, label: string, shape: WorkloadShape): Promise<Workload> {
  const experimentIds: string[] = [];
  const runIds: string[] = [];
  for (let e = 0; e < shape.experiments; e++) {
    const experimentId = await tracking.createExperiment({ name: `${label}-exp-${e}`, tags: [{ key: 'team', value: `team-${e}` }] }, ctx());
    experimentIds.push(experimentId);
    for (let r = 0; r < shape.runsPerExperiment; r++) {
      runIds.push(await tracking.createRun({ experimentId, runName: `${label}-run-${e}-${r}`, tags: [{ key: 'model', value: 'resnet' }], startTime: 1000 + r }, ctx()));
    }
  }
  let metricPoints = 0;
  await Promise.all(
    runIds.map(async (runId, r) => {
      await tracking.logBatch({ runId, params: [{ key: 'lr', value: String((r + 1) / 100) }], tags: [{ key: 'stage', value: 'train' }] }, ctx());
      for (let batch = 0; batch < shape.batchesPerRun; batch++) {
        const metrics: MetricInput[] = Array.from({ length: shape.pointsPerBatch }, (_, point) => ({
          key: point % 2 === 0 ? 'loss' : 'accuracy',
          value: metricValue(r, batch, point),
          timestamp: 10_000 + batch,
          step: batch,
        }));
        await tracking.logBatch({ runId, metrics }, ctx());
        metricPoints += metrics.length;
      }
      if (r % 3 === 0) await tracking.updateRun({ runId, status: 'FINISHED', endTime: 20_000, runName: `${label}-renamed-${r}` }, ctx());
      if (r % 4 === 1) await tracking.deleteRunTag(runId, 'stage', ctx());
      if (r % 5 === 2) await tracking.deleteRun(runId, ctx());
    }),
  );
  if (experimentIds.length > 0) await tracking.setExperimentTag({ experimentId: experimentIds[0], key: 'status', value: 'done' }, ctx());
  return { experimentIds, runIds, metricPoints };
}

/**
 * Thousands of MetricsLogged events appended straight to the run streams, many per
 * append: a backlog for a projector to chew on, written in a fraction of the time
 * one command per event takes (each commit is a WAL flush). Returns the points written.
 */
export async function appendMetricBacklog(store: EventStore, runIds: readonly string[], shape: { eventsPerRun: number; pointsPerEvent: number; eventsPerAppend: number }): Promise<number> {
  let points = 0;
  await Promise.all(
    runIds.map(async (runId, r) => {
      for (let first = 0; first < shape.eventsPerRun; first += shape.eventsPerAppend) {
        const command = commandContext('backlog');
        const count = Math.min(shape.eventsPerAppend, shape.eventsPerRun - first);
        const events = Array.from({ length: count }, (_, i) => {
          const step = first + i;
          const metrics = Array.from({ length: shape.pointsPerEvent }, (_, point) => ({
            key: `backlog-${point % 3}`,
            value: toStoredMetricValue(Number(metricValue(r, step, point))),
            timestamp: 50_000 + step,
            step,
          }));
          return MetricsLogged.create({ runId, metrics }, metadataFor(command, i));
        });
        await store.appendToStream(runStream(runId), events, { expectedRevision: 'stream_exists' });
        points += count * shape.pointsPerEvent;
      }
    }),
  );
  return points;
}
