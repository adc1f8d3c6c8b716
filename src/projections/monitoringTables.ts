import { monitoringEvents } from '../events/monitoringEvents.ts';
import { monitoringAlertsReadModel } from './monitoringAlertsReadModel.ts';
import { monitoringMonitorsReadModel } from './monitoringMonitorsReadModel.ts';
import { monitoringProfilesReadModel } from './monitoringProfilesReadModel.ts';
import { monitoringWebhooksReadModel } from './monitoringWebhooksReadModel.ts';
import { monitoringWindowsReadModel } from './monitoringWindowsReadModel.ts';
import type { ReadModel } from './readModel.ts';

/**
 * The read models the monitoring projector keeps, in the order it applies them:
 * profiles before windows (predictions are binned against them), monitors before
 * alerts and webhooks.
 */
export const monitoringReadModels: readonly ReadModel[] = [
  monitoringProfilesReadModel,
  monitoringWindowsReadModel,
  monitoringMonitorsReadModel,
  monitoringAlertsReadModel,
  monitoringWebhooksReadModel,
];

/** Every event type the monitoring read models read; the projector skips batches of others. */
export const monitoringEventTypes: readonly string[] = monitoringEvents.map((d) => d.type);
