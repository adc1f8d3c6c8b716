import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { REGISTERED_MODELS_STREAM } from '../events/registryEvents.ts';
import { RunCreated } from '../events/runEvents.ts';

/**
 * The feed finds a subscriber through the keys of each event instead of asking
 * every subscriber about every event: a thousand subscribers on other runs cost
 * nothing when a metric is logged.
 */
export const streamRoute = (streamId: string) => `stream:${streamId}`;
export const experimentRunsRoute = (experimentId: string) => `experiment-runs:${experimentId}`;
export const modelCatalogRoute = (modelId: string) => `model-catalog:${modelId}`;
/** Alert transitions of one model's monitors ('*': of every model). */
export const monitoringAlertsRoute = (modelId: string) => `monitoring-alerts:${modelId}`;

export function routeKeysOf(event: RecordedEvent): string[] {
  const keys = [streamRoute(event.streamId)];
  if (RunCreated.is(event)) keys.push(experimentRunsRoute(event.data.experimentId));
  // The catalogue stream holds every model's create/rename/delete: route each to its model.
  if (event.streamId === REGISTERED_MODELS_STREAM) {
    const modelId = (event.data as { modelId?: unknown }).modelId;
    if (typeof modelId === 'string') keys.push(modelCatalogRoute(modelId));
  }
  if (event.type === 'MonitorAlertStateChanged') {
    const modelId = (event.data as { modelId?: unknown }).modelId;
    if (typeof modelId === 'string') keys.push(monitoringAlertsRoute(modelId), monitoringAlertsRoute('*'));
  }
  return keys;
}
