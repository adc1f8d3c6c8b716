import { useEffect, useMemo, useState } from 'preact/hooks';
import { subscribeLive, type LiveStatus } from '../api/liveSubscription.ts';
import { LiveCurves, type LivePoint } from './liveCurves.ts';

const metricsSubscription = `subscription LiveMetrics($runIds: [ID!]!, $after: String) {
  runMetrics(runIds: $runIds, after: $after) { cursor runId points { key step value timestamp } }
}`;

const statusSubscription = `subscription LiveStatus($runIds: [ID!]!, $after: String) {
  runStatusChanges(runIds: $runIds, after: $after) { cursor runId status endTime }
}`;

interface MetricsPayload {
  runMetrics: { cursor: string; runId: string; points: LivePoint[] };
}

interface StatusPayload {
  runStatusChanges: { cursor: string; runId: string; status: string; endTime: number | null };
}

export interface RunLive {
  live: LiveCurves;
  status: LiveStatus;
  /** Statuses that changed while the page was open, by run id. */
  statuses: ReadonlyMap<string, { status: string; endTime: number | null }>;
}

/**
 * While any of the runs is RUNNING: their metric points and status changes through the
 * subscription API, starting right after `cursor` (read before the page's queries, so
 * nothing logged in between is missed).
 */
export function useRunLive(runIds: readonly string[], running: readonly string[], cursor: string | undefined): RunLive {
  const live = useMemo(() => new LiveCurves(), [runIds.join(',')]);
  const [status, setStatus] = useState<LiveStatus>('ended');
  const [statuses, setStatuses] = useState<ReadonlyMap<string, { status: string; endTime: number | null }>>(new Map());
  // Once started, the streams stay open while the page is: points logged just before a run
  // finished may arrive after its status change, and a finished run's stream costs nothing.
  const active = cursor !== undefined && running.length > 0;
  const key = active ? running.join(',') : '';
  const allEnded = running.every((id) => {
    const changed = statuses.get(id);
    return changed !== undefined && changed.status !== 'RUNNING';
  });

  useEffect(() => {
    if (!active) return;
    const ids = key.split(',');
    const stopMetrics = subscribeLive<MetricsPayload>({
      query: metricsSubscription,
      variables: { runIds: ids, after: cursor },
      cursorOf: (d) => d.runMetrics.cursor,
      onData: (d) => live.add(d.runMetrics.runId, d.runMetrics.points),
      onStatus: setStatus,
    });
    const stopStatus = subscribeLive<StatusPayload>({
      query: statusSubscription,
      variables: { runIds: ids, after: cursor },
      cursorOf: (d) => d.runStatusChanges.cursor,
      onData: (d) => setStatuses((current) => new Map(current).set(d.runStatusChanges.runId, { status: d.runStatusChanges.status, endTime: d.runStatusChanges.endTime })),
    });
    return () => {
      stopMetrics();
      stopStatus();
    };
  }, [key, live]);

  return { live, status: active && !allEnded ? status : 'ended', statuses };
}
