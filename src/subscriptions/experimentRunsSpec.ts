import { RunCreated } from '../events/runEvents.ts';
import type { LiveSpec } from './liveSpec.ts';
import { experimentRunsRoute } from './routeKeys.ts';

/** A run created in the experiment, as the RunCreated event tells it. */
export interface NewRunPayload {
  cursor: string;
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  startTime: number;
  tags: { key: string; value: string }[];
  recordedAt: string;
}

/** New runs of one experiment. Runs live in streams of their own, so a replay reads the log itself. */
export function experimentRunsSpec(experimentId: string): LiveSpec<NewRunPayload> {
  return {
    key: `new-runs\u0000${experimentId}`,
    routes: [experimentRunsRoute(experimentId)],
    select(event) {
      if (!RunCreated.is(event) || event.data.experimentId !== experimentId) return undefined;
      const d = event.data;
      return { cursor: event.position, runId: d.runId, experimentId: d.experimentId, runName: d.runName, userId: d.userId, startTime: d.startTime, tags: d.tags, recordedAt: event.metadata.recordedAt };
    },
  };
}
