import { randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { NewEvent } from '../events/eventEnvelope.ts';
import { WrongExpectedVersionError, type EventStore } from '../events/eventStore.ts';
import {
  alertState,
  MonitorCreated,
  MonitorDeleted,
  monitorStream,
  MonitoringWebhookRegistered,
  MonitoringWebhookRemoved,
  ReferenceProfileFrozen,
  referenceProfileStream,
  WebhookDeliveryAttempted,
  webhookStream,
  type AlertState,
  type FeatureProfile,
} from '../events/monitoringEvents.ts';
import type { Projector } from '../projections/projector.ts';
import { existingMonitorIds } from '../projections/monitoringMonitorsReadModel.ts';
import { activeWebhooks } from '../projections/monitoringWebhooksReadModel.ts';
import { CommandHandler } from '../tracking/commandHandler.ts';
import { commandContext, metadataFor, type CommandContext } from '../tracking/commandContext.ts';
import { alreadyExists, invalid, notFound } from '../tracking/domainError.ts';
import { StreamStateCache } from '../tracking/streamStateCache.ts';
import type { Clock } from './clock.ts';
import { logGroundTruth, logPredictions, type IngestResult, type Located } from './ingestion.ts';
import type { ParsedLabel, ParsedPrediction } from './ingestInput.ts';
import { lookUpModel, type MonitoredModel } from './modelLookup.ts';
import { monitorDefinitionOf, type MonitorInput } from './monitorInput.ts';
import { monitorFold, type MonitorState } from './monitorState.ts';
import { featureProfilesOf, jsonProfileNaming, profileRows, type FeatureProfileInput, type ProfileNaming } from './profileInput.ts';

export interface MonitoringServiceOptions {
  store: EventStore;
  /** The monitoring projector: writes return once its read models show them. */
  projector: Projector;
  readDb: SqlExecutor;
  clock: Clock;
  readYourWritesTimeoutMs?: number;
}

export interface WebhookInput {
  url: string;
  secret?: string;
  monitorIds?: string[];
  states?: string[];
}

/**
 * Monitoring's write side: ingestion, reference profiles, monitors, webhooks and
 * the records of their evaluation and delivery. Every write is an event; every
 * write returns once the monitoring read models show it.
 */
export class MonitoringService {
  readonly projector: Projector;
  readonly clock: Clock;
  readonly store: EventStore;
  readonly monitors: StreamStateCache<MonitorState>;
  readonly commands: CommandHandler;
  private readonly readDb: SqlExecutor;
  private readonly timeoutMs: number;
  private readonly listeners = new Set<() => void>();

  constructor(options: MonitoringServiceOptions) {
    this.store = options.store;
    this.projector = options.projector;
    this.readDb = options.readDb;
    this.clock = options.clock;
    this.timeoutMs = options.readYourWritesTimeoutMs ?? 30_000;
    this.commands = new CommandHandler(options.store);
    this.monitors = new StreamStateCache(options.store, monitorFold);
  }

  /** A command context stamped with the monitoring clock. */
  context(actor: string): CommandContext {
    return commandContext(actor, { now: new Date(this.clock.now()) });
  }

  logPredictions(predictions: Located<ParsedPrediction>[], ctx: CommandContext): Promise<IngestResult> {
    return logPredictions(this.deps(), predictions, ctx);
  }

  logGroundTruth(labels: Located<ParsedLabel>[], ctx: CommandContext): Promise<IngestResult> {
    return logGroundTruth(this.deps(), labels, ctx);
  }

  /** Freezes a version's reference profile; a version has one, for good. */
  async freezeReferenceProfile(
    request: { model: string; version: number; runId?: string; features: FeatureProfileInput[] },
    ctx: CommandContext,
    naming: ProfileNaming = jsonProfileNaming,
  ): Promise<void> {
    const model = await this.versionOf(request.model, request.version);
    const features = featureProfilesOf(request.features, naming);
    if (!(await this.freezeValidatedProfile(model, { ...request, features }, ctx))) {
      throw alreadyExists('version', `Version ${request.version} of '${model.name}' already has a reference profile; profiles are frozen once.`);
    }
  }

  /**
   * Freezes a profile validated beforehand (featureProfilesOf), for a version
   * registered or moved in the same request. Answers false, appending nothing,
   * when the version has a profile already: the first one stays.
   */
  async freezeProfileIfAbsent(request: { model: string; version: number; runId?: string; features: FeatureProfile[] }, ctx: CommandContext): Promise<boolean> {
    return this.freezeValidatedProfile(await this.versionOf(request.model, request.version), request, ctx);
  }

  private async versionOf(name: string, version: number): Promise<MonitoredModel> {
    const model = await lookUpModel(this.readDb, name, 'model');
    if (!model.versions.has(version)) throw notFound('version', `version: model '${model.name}' has no version ${version}.`);
    return model;
  }

  private async freezeValidatedProfile(model: MonitoredModel, request: { version: number; runId?: string; features: FeatureProfile[] }, ctx: CommandContext): Promise<boolean> {
    const runId = request.runId ?? model.versions.get(request.version)?.runId;
    const event = ReferenceProfileFrozen.create(
      { modelId: model.modelId, version: request.version, ...(runId ? { runId } : {}), rows: profileRows(request.features), features: request.features, frozenAt: this.clock.now() },
      metadataFor(ctx, 0),
    );
    try {
      const { position } = await this.store.appendToStream(referenceProfileStream(model.modelId, request.version), [event], { expectedRevision: 'no_stream' });
      await this.projector.waitFor(position, this.timeoutMs);
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }

  async createMonitor(model: string, input: MonitorInput, ctx: CommandContext): Promise<string> {
    const found = await lookUpModel(this.readDb, model, 'model');
    const monitorId = randomBytes(16).toString('hex');
    const definition = monitorDefinitionOf(input, { monitorId, modelId: found.modelId }, this.clock.now());
    if (definition.version !== undefined && !found.versions.has(definition.version)) throw notFound('version', `version: model '${found.name}' has no version ${definition.version}.`);
    await this.onMonitor(monitorId, (state) => {
      if (state.definition) throw alreadyExists('monitorId', `Monitor ${monitorId} exists.`);
      return [MonitorCreated.create(definition, metadataFor(ctx, 0))];
    });
    return monitorId;
  }

  async deleteMonitor(monitorId: string, ctx: CommandContext): Promise<void> {
    await this.onMonitor(monitorId, (state) => {
      if (!state.definition || state.deleted) throw notFound('monitorId', `Monitor ${monitorId} does not exist.`);
      return [MonitorDeleted.create({ monitorId }, metadataFor(ctx, 0))];
    });
  }

  /** Decides on a monitor's folded stream and appends with the exact expected revision (retried on a race). */
  async onMonitor(monitorId: string, decide: (state: MonitorState) => NewEvent[]): Promise<string | undefined> {
    const result = await this.commands.handle(this.monitors, monitorStream(monitorId), decide);
    await this.projector.waitFor(result.position, this.timeoutMs);
    return result.position;
  }

  async registerWebhook(input: WebhookInput, ctx: CommandContext): Promise<{ webhookId: string; secret: string }> {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw invalid('url', `url is not a URL: ${JSON.stringify(input.url)}.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url', `url must be http or https, got ${url.protocol}.`);
    const secret = input.secret ?? randomBytes(32).toString('hex');
    if (secret.length < 16 || secret.length > 256) throw invalid('secret', `secret must be 16 to 256 characters, got ${secret.length}.`);
    const monitorIds = input.monitorIds ?? [];
    const known = await existingMonitorIds(this.readDb, monitorIds);
    const unknown = monitorIds.find((id) => !known.has(id));
    if (unknown) throw notFound('monitorIds', `monitorIds: monitor ${unknown} does not exist.`);
    const states = (input.states ?? ['firing', 'resolved']).map((s, i): AlertState => {
      const parsed = alertState.safeParse(s);
      if (!parsed.success) throw invalid(`states[${i}]`, `states[${i}] must be one of ${alertState.options.join(', ')}, got ${JSON.stringify(s)}.`);
      return parsed.data;
    });
    if (states.length === 0) throw invalid('states', 'states must name at least one alert state.');
    const webhookId = randomBytes(16).toString('hex');
    const event = MonitoringWebhookRegistered.create({ webhookId, url: url.toString(), secret, monitorIds, states: [...new Set(states)], createdAt: this.clock.now() }, metadataFor(ctx, 0));
    const { position } = await this.store.appendToStream(webhookStream(webhookId), [event], { expectedRevision: 'no_stream' });
    await this.projector.waitFor(position, this.timeoutMs);
    return { webhookId, secret };
  }

  async removeWebhook(webhookId: string, ctx: CommandContext): Promise<void> {
    if (!(await activeWebhooks(this.readDb)).some((w) => w.webhookId === webhookId)) throw notFound('webhookId', `Webhook ${webhookId} does not exist.`);
    const { position } = await this.store.appendToStream(webhookStream(webhookId), [MonitoringWebhookRemoved.create({ webhookId }, metadataFor(ctx, 0))], { expectedRevision: 'stream_exists' });
    await this.projector.waitFor(position, this.timeoutMs);
  }

  async recordDeliveryAttempt(attempt: Parameters<typeof WebhookDeliveryAttempted.create>[0]): Promise<void> {
    const event = WebhookDeliveryAttempted.create(attempt, metadataFor(commandContext('mlledger-webhooks', { now: new Date(this.clock.now()) }), 0));
    const { position } = await this.store.appendToStream(webhookStream(attempt.webhookId), [event], { expectedRevision: 'any' });
    await this.projector.waitFor(position, this.timeoutMs);
  }

  /** Called by the monitoring projector after each batch: new data may change what monitors see. */
  notifyProjected(): void {
    for (const listener of this.listeners) listener();
  }

  /** Listens for projected batches; returns a function that stops listening. */
  onProjected(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private deps() {
    return { store: this.store, projector: this.projector, readDb: this.readDb, readYourWritesTimeoutMs: this.timeoutMs };
  }
}
