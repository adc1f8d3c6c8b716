import type { z } from 'zod';
import type { MonitorAlertStateChanged } from '../events/monitoringEvents.ts';

type AlertTransition = z.infer<(typeof MonitorAlertStateChanged)['schema']>;

/** One body per delivery, fixed when the delivery is created, so every retry sends the same bytes. */
export function webhookPayload(deliveryId: string, transitionEventId: string, alert: AlertTransition): string {
  return JSON.stringify({
    type: 'mlledger.monitoring.alert',
    deliveryId,
    transitionId: transitionEventId,
    alert: {
      monitorId: alert.monitorId,
      monitorName: alert.monitorName,
      model: alert.modelName,
      modelId: alert.modelId,
      version: alert.version,
      from: alert.from,
      to: alert.to,
      at: new Date(alert.at).toISOString(),
      value: alert.value,
      baseline: alert.baseline,
      window: { start: new Date(alert.windowStart).toISOString(), end: new Date(alert.windowEnd).toISOString() },
      count: alert.count,
      labelCoverage: alert.labelCoverage,
      reason: alert.reason,
    },
  });
}

/** Receivers dedupe on this: one per (alert transition, webhook). */
export const deliveryIdFor = (transitionEventId: string, webhookId: string) => `${transitionEventId}.${webhookId}`;
