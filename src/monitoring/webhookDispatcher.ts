import type { SqlExecutor } from '../db/sqlDb.ts';
import { dueDeliveries, type DeliveryRow } from '../projections/monitoringWebhooksReadModel.ts';
import type { MonitoringService } from './monitoringService.ts';
import { defaultBackoff, retryDelay, type BackoffPolicy } from './webhookBackoff.ts';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhookSignature.ts';

export interface DispatcherOptions {
  backoff?: BackoffPolicy;
  timeoutMs?: number;
  batchSize?: number;
}

/**
 * Delivers alert webhooks at least once. Work comes from the deliveries read model
 * (so a restarted server resumes where the log says it stopped); every attempt is
 * recorded as an event before the next is considered. A crash between a receiver's
 * 2xx and that record means one more delivery of the same idempotency key.
 */
export class WebhookDispatcher {
  private readonly inFlight = new Set<string>();
  private readonly backoff: BackoffPolicy;
  private readonly timeoutMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly monitoring: MonitoringService,
    private readonly readDb: SqlExecutor,
    options: DispatcherOptions = {},
  ) {
    this.backoff = options.backoff ?? defaultBackoff;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.batchSize = options.batchSize ?? 20;
  }

  /** Attempts every delivery due now, once each; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const due = (await dueDeliveries(this.readDb, this.monitoring.clock.now(), this.batchSize)).filter((d) => !this.inFlight.has(d.deliveryId));
      if (due.length === 0) return attempted;
      await Promise.all(due.map((d) => this.attempt(d)));
      attempted += due.length;
    }
  }

  private async attempt(delivery: DeliveryRow): Promise<void> {
    this.inFlight.add(delivery.deliveryId);
    try {
      const attempt = delivery.attempts + 1;
      const at = this.monitoring.clock.now();
      const { ok, httpStatus, error } = await this.post(delivery, at);
      const base = { webhookId: delivery.webhookId, deliveryId: delivery.deliveryId, attempt, at, ...(httpStatus !== undefined ? { httpStatus } : {}), ...(error ? { error } : {}) };
      if (ok) await this.monitoring.recordDeliveryAttempt({ ...base, outcome: 'delivered' });
      else if (attempt >= this.backoff.maxAttempts) await this.monitoring.recordDeliveryAttempt({ ...base, outcome: 'abandoned' });
      else await this.monitoring.recordDeliveryAttempt({ ...base, outcome: 'failed', nextAttemptAt: at + retryDelay(this.backoff, attempt) });
    } finally {
      this.inFlight.delete(delivery.deliveryId);
    }
  }

  private async post(delivery: DeliveryRow, timestamp: number): Promise<{ ok: boolean; httpStatus?: number; error?: string }> {
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'mlledger-webhooks',
          [IDEMPOTENCY_HEADER]: delivery.deliveryId,
          [SIGNATURE_HEADER]: signatureHeader(delivery.secret, timestamp, delivery.payload),
        },
        body: delivery.payload,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? { ok: true, httpStatus: response.status } : { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message.slice(0, 500) : 'request failed' };
    }
  }
}
