import type { SqlExecutor } from '../db/sqlDb.ts';
import { MonitorAlertStateChanged, MonitoringWebhookRegistered, MonitoringWebhookRemoved, WebhookDeliveryAttempted, type AlertState } from '../events/monitoringEvents.ts';
import { deliveryIdFor, webhookPayload } from '../monitoring/webhookPayload.ts';
import type { ReadModel } from './readModel.ts';
import { toNumber, toOptionalNumber } from './readModel.ts';

export interface WebhookRow {
  webhookId: string;
  url: string;
  secret: string;
  monitorIds: string[];
  states: AlertState[];
  createdAt: number;
}

export interface DeliveryRow {
  deliveryId: string;
  webhookId: string;
  url: string;
  secret: string;
  payload: string;
  status: 'pending' | 'delivered' | 'abandoned' | 'cancelled';
  attempts: number;
  nextAttemptAt: number;
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: number;
}

/**
 * Webhooks, and one delivery per (alert transition, matching webhook), created when
 * the transition is projected and moved on by the attempts recorded as events. A
 * dispatcher starting after a restart finds its work here.
 */
export const monitoringWebhooksReadModel: ReadModel = {
  name: 'monitoring-webhooks',
  tables: ['monitoring_webhooks', 'monitoring_webhook_deliveries'],
  schemaSql: `
    create table if not exists monitoring_webhooks (
      webhook_id text primary key,
      url text not null,
      secret text not null,
      monitor_ids jsonb not null,
      states jsonb not null,
      created_at bigint not null,
      removed boolean not null default false
    );
    create table if not exists monitoring_webhook_deliveries (
      delivery_id text primary key,
      webhook_id text not null,
      payload text not null,
      status text not null,
      attempts int not null,
      next_attempt_at bigint not null,
      last_status int,
      last_error text,
      delivered_at bigint,
      created_at bigint not null
    );
    create index if not exists monitoring_webhook_deliveries_due on monitoring_webhook_deliveries (status, next_attempt_at);
    create index if not exists monitoring_webhook_deliveries_by_webhook on monitoring_webhook_deliveries (webhook_id, created_at);`,
  async apply(events, tx) {
    for (const event of events) {
      if (MonitoringWebhookRegistered.is(event)) {
        const d = event.data;
        await tx.query(`insert into monitoring_webhooks values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, false) on conflict (webhook_id) do nothing`, [
          d.webhookId,
          d.url,
          d.secret,
          JSON.stringify(d.monitorIds),
          JSON.stringify(d.states),
          d.createdAt,
        ]);
      } else if (MonitoringWebhookRemoved.is(event)) {
        await tx.query(`update monitoring_webhooks set removed = true where webhook_id = $1`, [event.data.webhookId]);
        await tx.query(`update monitoring_webhook_deliveries set status = 'cancelled' where webhook_id = $1 and status = 'pending'`, [event.data.webhookId]);
      } else if (MonitorAlertStateChanged.is(event)) {
        const d = event.data;
        const { rows } = await tx.query<{ webhookId: string }>(
          `select webhook_id as "webhookId" from monitoring_webhooks
            where not removed and states ? $1 and (jsonb_array_length(monitor_ids) = 0 or monitor_ids ? $2)`,
          [d.to, d.monitorId],
        );
        for (const { webhookId } of rows) {
          const deliveryId = deliveryIdFor(event.metadata.eventId, webhookId);
          await tx.query(
            `insert into monitoring_webhook_deliveries (delivery_id, webhook_id, payload, status, attempts, next_attempt_at, created_at)
             values ($1, $2, $3, 'pending', 0, $4, $4) on conflict (delivery_id) do nothing`,
            [deliveryId, webhookId, webhookPayload(deliveryId, event.metadata.eventId, d), d.at],
          );
        }
      } else if (WebhookDeliveryAttempted.is(event)) {
        const d = event.data;
        const status = d.outcome === 'delivered' ? 'delivered' : d.outcome === 'abandoned' ? 'abandoned' : 'pending';
        // Attempts only move forward: a stale attempt (two dispatchers) never reopens a finished delivery.
        await tx.query(
          `update monitoring_webhook_deliveries
              set status = case when status = 'pending' then $2 else status end,
                  attempts = greatest(attempts, $3), next_attempt_at = coalesce($4, next_attempt_at),
                  last_status = $5, last_error = $6, delivered_at = case when $2 = 'delivered' then coalesce(delivered_at, $7) else delivered_at end
            where delivery_id = $1`,
          [d.deliveryId, status, d.attempt, d.nextAttemptAt ?? null, d.httpStatus ?? null, d.error ?? null, d.at],
        );
      }
    }
  },
};

interface RawDelivery {
  deliveryId: string;
  webhookId: string;
  url: string;
  secret: string;
  payload: string;
  status: DeliveryRow['status'];
  attempts: unknown;
  nextAttemptAt: unknown;
  lastStatus: unknown;
  lastError: string | null;
  deliveredAt: unknown;
}

const deliveryColumns = `d.delivery_id as "deliveryId", d.webhook_id as "webhookId", w.url, w.secret, d.payload, d.status, d.attempts, d.next_attempt_at as "nextAttemptAt",
  d.last_status as "lastStatus", d.last_error as "lastError", d.delivered_at as "deliveredAt"`;

const toDelivery = (r: RawDelivery): DeliveryRow => ({
  ...r,
  attempts: toNumber(r.attempts),
  nextAttemptAt: toNumber(r.nextAttemptAt),
  lastStatus: toOptionalNumber(r.lastStatus),
  lastError: r.lastError ?? undefined,
  deliveredAt: toOptionalNumber(r.deliveredAt),
});

/** Pending deliveries whose next attempt is due at `now`, oldest first. */
export async function dueDeliveries(db: SqlExecutor, now: number, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await db.query<RawDelivery>(
    `select ${deliveryColumns} from monitoring_webhook_deliveries d join monitoring_webhooks w on w.webhook_id = d.webhook_id
      where d.status = 'pending' and d.next_attempt_at <= $1 order by d.next_attempt_at, d.delivery_id limit $2`,
    [now, limit],
  );
  return rows.map(toDelivery);
}

export async function deliveriesOfWebhook(db: SqlExecutor, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  const { rows } = await db.query<RawDelivery>(
    `select ${deliveryColumns} from monitoring_webhook_deliveries d join monitoring_webhooks w on w.webhook_id = d.webhook_id
      where d.webhook_id = $1 order by d.created_at desc, d.delivery_id limit $2`,
    [webhookId, limit],
  );
  return rows.map(toDelivery);
}

interface RawWebhook extends Omit<WebhookRow, 'createdAt'> {
  createdAt: unknown;
}

export async function activeWebhooks(db: SqlExecutor): Promise<WebhookRow[]> {
  const { rows } = await db.query<RawWebhook>(
    `select webhook_id as "webhookId", url, secret, monitor_ids as "monitorIds", states, created_at as "createdAt" from monitoring_webhooks where not removed order by created_at, webhook_id`,
  );
  return rows.map((r) => ({ ...r, createdAt: toNumber(r.createdAt) }));
}
