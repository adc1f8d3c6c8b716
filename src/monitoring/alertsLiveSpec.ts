import { MonitorAlertStateChanged, monitorStream } from '../events/monitoringEvents.ts';
import type { AlertTransitionRow } from '../projections/monitoringAlertsReadModel.ts';
import type { LiveSpec } from '../subscriptions/liveSpec.ts';
import { monitoringAlertsRoute, streamRoute } from '../subscriptions/routeKeys.ts';

export type AlertPayload = AlertTransitionRow & { cursor: string };

/**
 * The alert feed for subscriptions: every alert transition of some monitors, of one
 * model's monitors, or of all, taken from the log as it is appended.
 */
export function alertsLiveSpec(filter: { modelId?: string; monitorIds?: readonly string[] }): LiveSpec<AlertPayload> {
  const monitors = filter.monitorIds && filter.monitorIds.length > 0 ? [...new Set(filter.monitorIds)].sort() : undefined;
  const wanted = monitors && new Set(monitors);
  return {
    key: `monitoring-alerts\u0000${filter.modelId ?? '*'}\u0000${monitors?.join(',') ?? ''}`,
    routes: monitors ? monitors.map((id) => streamRoute(monitorStream(id))) : [monitoringAlertsRoute(filter.modelId ?? '*')],
    streams: monitors?.map(monitorStream),
    select(event) {
      if (!MonitorAlertStateChanged.is(event)) return undefined;
      const d = event.data;
      if (wanted && !wanted.has(d.monitorId)) return undefined;
      if (filter.modelId && d.modelId !== filter.modelId) return undefined;
      return {
        cursor: event.position,
        eventId: event.metadata.eventId,
        position: event.position,
        monitorId: d.monitorId,
        monitorName: d.monitorName,
        modelId: d.modelId,
        modelName: d.modelName,
        from: d.from,
        to: d.to,
        at: d.at,
        version: d.version,
        value: d.value ?? undefined,
        baseline: d.baseline ?? undefined,
        windowStart: d.windowStart,
        windowEnd: d.windowEnd,
        count: d.count,
        labelCoverage: d.labelCoverage ?? undefined,
        reason: d.reason,
      };
    },
  };
}
