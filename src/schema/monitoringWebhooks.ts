import { activeWebhooks, deliveriesOfWebhook, type DeliveryRow, type WebhookRow } from '../projections/monitoringWebhooksReadModel.ts';
import { builder } from './builder.ts';
import { AlertStateEnum, alertStateName } from './monitoringMonitors.ts';
import { LongScalar } from './scalars.ts';

const DeliveryType = builder.objectRef<DeliveryRow>('WebhookDelivery').implement({
  description: 'One alert transition for one webhook, delivered at least once: `id` is the idempotency-key header receivers dedupe on.',
  fields: (t) => ({
    id: t.exposeID('deliveryId'),
    status: t.string({ description: 'pending, delivered, abandoned (after the last retry) or cancelled (webhook removed).', resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts'),
    nextAttemptAt: t.field({ type: LongScalar, resolve: (d) => d.nextAttemptAt }),
    lastStatus: t.int({ nullable: true, resolve: (d) => d.lastStatus ?? null }),
    lastError: t.string({ nullable: true, resolve: (d) => d.lastError ?? null }),
    deliveredAt: t.field({ type: LongScalar, nullable: true, resolve: (d) => d.deliveredAt ?? null }),
    payload: t.exposeString('payload'),
  }),
});

const WebhookType = builder.objectRef<WebhookRow>('MonitoringWebhook').implement({
  fields: (t) => ({
    id: t.exposeID('webhookId'),
    url: t.exposeString('url'),
    monitorIds: t.exposeIDList('monitorIds'),
    states: t.field({ type: [AlertStateEnum], resolve: (w) => w.states.map(alertStateName) }),
    createdAt: t.field({ type: LongScalar, resolve: (w) => w.createdAt }),
    deliveries: t.field({ type: [DeliveryType], args: { first: t.arg.int({ defaultValue: 50 }) }, resolve: (w, args, ctx) => deliveriesOfWebhook(ctx.readDb, w.webhookId, Math.min(args.first ?? 50, 1000)) }),
  }),
});

const RegisteredWebhookType = builder.objectRef<{ webhookId: string; secret: string }>('RegisteredWebhook').implement({
  fields: (t) => ({
    id: t.exposeID('webhookId'),
    secret: t.exposeString('secret', { description: 'The HMAC-SHA256 key: shown here once (generated when not given).' }),
  }),
});

const RemovedWebhookType = builder.objectRef<{ id: string }>('RemovedMonitoringWebhook').implement({ fields: (t) => ({ id: t.exposeID('id') }) });

const RegisterWebhookInput = builder.inputType('RegisterMonitoringWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true }),
    secret: t.string({ description: '16 to 256 characters; generated when omitted.' }),
    monitorIds: t.idList({ description: "Only these monitors' alerts; every monitor's when omitted." }),
    states: t.field({ type: [AlertStateEnum], description: 'Transitions into these states are delivered; default FIRING and RESOLVED.' }),
  }),
});

builder.queryFields((t) => ({
  monitoringWebhooks: t.field({ type: [WebhookType], resolve: (_root, _args, ctx) => activeWebhooks(ctx.readDb) }),
}));

builder.mutationFields((t) => ({
  registerMonitoringWebhook: t.field({
    type: RegisteredWebhookType,
    errors: {},
    description:
      'Alert transitions are POSTed as JSON to the URL, at least once, retried with exponential backoff (1 s doubling, up to 1 h, 10 attempts), ' +
      'with headers idempotency-key and x-mlledger-signature: t=<ms>,v1=hex(HMAC-SHA256(secret, "<ms>.<body>")).',
    args: { input: t.arg({ type: RegisterWebhookInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.monitoring.registerWebhook(
        { url: input.url, secret: input.secret ?? undefined, monitorIds: input.monitorIds?.map(String), states: input.states?.map((s) => s.toLowerCase()) },
        ctx.monitoring.context(ctx.actor),
      ),
  }),
  removeMonitoringWebhook: t.field({
    type: RemovedWebhookType,
    errors: {},
    description: 'Stops deliveries to the webhook; its pending deliveries are cancelled.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.monitoring.removeWebhook(String(id), ctx.monitoring.context(ctx.actor));
      return { id: String(id) };
    },
  }),
}));
