import { RunCreated, runStream, RunUpdated, type RunStatus } from '../events/runEvents.ts';
import type { LiveSpec } from './liveSpec.ts';
import { streamRoute } from './routeKeys.ts';

/** A run's status as of one event: RUNNING at creation, then each status update. */
export interface RunStatusPayload {
  cursor: string;
  runId: string;
  status: RunStatus;
  endTime?: number;
  recordedAt: string;
  actor: string;
}

export function runStatusSpec(runIds: readonly string[]): LiveSpec<RunStatusPayload> {
  const runs = [...new Set(runIds)].sort();
  const wantedRuns = new Set(runs);
  return {
    key: `status\u0000${runs.join(',')}`,
    routes: runs.map((id) => streamRoute(runStream(id))),
    streams: runs.map(runStream),
    select(event) {
      const common = { cursor: event.position, recordedAt: event.metadata.recordedAt, actor: event.metadata.actor };
      if (RunCreated.is(event) && wantedRuns.has(event.data.runId)) return { ...common, runId: event.data.runId, status: 'RUNNING' };
      if (RunUpdated.is(event) && event.data.status && wantedRuns.has(event.data.runId)) {
        return { ...common, runId: event.data.runId, status: event.data.status, endTime: event.data.endTime };
      }
      return undefined;
    },
  };
}
