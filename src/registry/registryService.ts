import { randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { NewEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { REGISTERED_MODELS_STREAM, registeredModelStream } from '../events/registryEvents.ts';
import type { Projector } from '../projections/projector.ts';
import { CommandHandler, type CommandResult } from '../tracking/commandHandler.ts';
import type { CommandContext } from '../tracking/commandContext.ts';
import { DomainError } from '../tracking/domainError.ts';
import { StreamStateCache } from '../tracking/streamStateCache.ts';
import { decideApproval, gatedStages, type ApprovalDecision } from './approvals/approvalCommands.ts';
import type { ChainHead } from './chainHead.ts';
import { RegistryHistory } from './history/registryHistory.ts';
import { sealEvents } from './hashChain.ts';
import { modelsCatalogFold, type ModelsCatalog } from './modelsCatalog.ts';
import { registeredModelFold, type RegisteredModelState } from './registeredModelState.ts';
import { decideCatalog, decideModel, existingModelId, type CreateRegisteredModel, type TransitionStage } from './registryCommands.ts';
import { resolveVersionSource } from './modelVersionSource.ts';
import { validateModelName } from './registryValidation.ts';

export interface RegistryServiceOptions {
  store: EventStore;
  /** The registry projector: writes return once its read models show them. */
  projector: Projector;
  /** Read models, for run lookups when a version is created from a run. */
  readDb: SqlExecutor;
  readYourWritesTimeoutMs?: number;
  /** The identity projector: a new registered model is returned once its creator's MANAGE grant is readable too. */
  creatorGrants?: Projector;
}

export interface CreateModelVersionRequest {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  description?: string;
  tags?: { key: string; value: string }[];
  comment?: string;
  /** MLflow 3: the logged model the version is made from (see modelVersionSource.ts). */
  modelId?: string;
}

export interface TransitionStageRequest extends TransitionStage {
  name: string;
}

/**
 * The write side of the model registry. Every command is decided on folded stream
 * state, sealed into the stream's hash chain, appended with the exact expected
 * revision (retried on a concurrent write), and returns once the registry read
 * models show it.
 */
export class RegistryService {
  readonly projector: Projector;
  /** Audit trails, time travel and chain checks, read from the events themselves. */
  readonly history: RegistryHistory;
  private readonly readDb: SqlExecutor;
  private readonly commands: CommandHandler;
  private readonly catalog: StreamStateCache<ModelsCatalog>;
  private readonly models: StreamStateCache<RegisteredModelState>;
  private readonly timeoutMs: number;
  private readonly creatorGrants?: Projector;

  constructor(options: RegistryServiceOptions) {
    this.projector = options.projector;
    this.history = new RegistryHistory(options.store);
    this.readDb = options.readDb;
    this.commands = new CommandHandler(options.store);
    this.catalog = new StreamStateCache(options.store, modelsCatalogFold, 1);
    this.models = new StreamStateCache(options.store, registeredModelFold);
    this.timeoutMs = options.readYourWritesTimeoutMs ?? 10_000;
    this.creatorGrants = options.creatorGrants;
  }

  async createRegisteredModel(command: CreateRegisteredModel, ctx: CommandContext): Promise<string> {
    const modelId = randomBytes(16).toString('hex');
    const result = await this.onCatalog((catalog) => decideCatalog.create(catalog, command, modelId, ctx));
    // The creator's next request (a search listing it, a new version) must find their grant.
    await this.creatorGrants?.waitFor(result.position, this.timeoutMs);
    return modelId;
  }

  async renameRegisteredModel(name: string, newName: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onCatalog((catalog) => decideCatalog.rename(catalog, name, newName, comment, ctx));
  }

  async deleteRegisteredModel(name: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onCatalog((catalog) => decideCatalog.delete(catalog, name, comment, ctx));
  }

  async updateRegisteredModel(name: string, description: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (_state, modelId) => decideModel.updateDescription(modelId, description, comment, ctx));
  }

  async setRegisteredModelTag(name: string, key: string, value: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (_state, modelId) => decideModel.setTag(modelId, key, value, comment, ctx));
  }

  async deleteRegisteredModelTag(name: string, key: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (_state, modelId) => decideModel.deleteTag(modelId, key, comment, ctx));
  }

  /** Returns the new version's number. */
  async createModelVersion(request: CreateModelVersionRequest, ctx: CommandContext): Promise<number> {
    validateModelName('name', request.name);
    const { runId, storageLocation } = await this.resolveSource(request);
    const command = { ...request, runId, storageLocation };
    const result = await this.onModel(request.name, (state, modelId) => decideModel.createVersion(state, modelId, command, ctx));
    return (result.events[0].data as { version: number }).version;
  }

  async updateModelVersion(name: string, version: number, description: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId) => decideModel.updateVersionDescription(state, name, modelId, version, description, comment, ctx));
  }

  async setModelVersionTag(name: string, version: number, key: string, value: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId) => decideModel.setVersionTag(state, name, modelId, version, key, value, comment, ctx));
  }

  async deleteModelVersionTag(name: string, version: number, key: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId) => decideModel.deleteVersionTag(state, name, modelId, version, key, comment, ctx));
  }

  async deleteModelVersion(name: string, version: number, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId) => decideModel.deleteVersion(state, name, modelId, version, comment, ctx));
  }

  /** Refused with ApprovalRequiredError when the model gates the target stage: see requestModelVersionStageTransition. */
  async transitionModelVersionStage(request: TransitionStageRequest, ctx: CommandContext): Promise<void> {
    await this.onModel(request.name, (state, modelId, catalog) =>
      decideModel.transitionStage(state, request.name, modelId, request, gatedStages(state, catalog, modelId), ctx),
    );
  }

  /** Which target stages need another user's approval; an empty list lifts the gate. */
  async setApprovalPolicy(name: string, stages: readonly string[], ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId, catalog) => decideApproval.setPolicy(gatedStages(state, catalog, modelId), modelId, stages, comment, ctx));
  }

  /** Records a request to move a version (for any stage, gated or not); answers the request's number. */
  async requestModelVersionStageTransition(request: TransitionStageRequest, ctx: CommandContext): Promise<number> {
    const result = await this.onModel(request.name, (state, modelId) => decideApproval.request(state, request.name, modelId, request, ctx));
    return (result.events[0].data as { requestId: number }).requestId;
  }

  /** Approves and carries out a pending request made by someone else. */
  async approveTransitionRequest(name: string, requestId: number, decision: ApprovalDecision, ctx: CommandContext): Promise<void> {
    await this.onModel(name, (state, modelId) => decideApproval.approve(state, name, modelId, requestId, decision, ctx));
  }

  async rejectTransitionRequest(name: string, requestId: number, comment: string, ctx: CommandContext): Promise<void> {
    await this.onModel(name, (state, modelId) => decideApproval.reject(state, name, modelId, requestId, comment, ctx));
  }

  async setRegisteredModelAlias(name: string, alias: string, version: number, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId) => decideModel.setAlias(state, name, modelId, alias, version, comment, ctx));
  }

  async deleteRegisteredModelAlias(name: string, alias: string, ctx: CommandContext, comment?: string): Promise<void> {
    await this.onModel(name, (state, modelId) => decideModel.deleteAlias(state, modelId, alias, comment, ctx));
  }

  /** The version's run and where its files are: runs:/ and models:/ sources resolved as MLflow 3 does. */
  private resolveSource(request: CreateModelVersionRequest): Promise<{ runId?: string; storageLocation: string }> {
    return resolveVersionSource(this.readDb, request);
  }

  private async onCatalog(decide: (catalog: ModelsCatalog) => NewEvent[]): Promise<CommandResult> {
    const result = await withBackoff(() =>
      this.commands.handle(this.catalog, REGISTERED_MODELS_STREAM, (catalog) => sealed(REGISTERED_MODELS_STREAM, catalog.head, decide(catalog))),
    );
    return this.visible(result);
  }

  private async onModel(name: string, decide: (state: RegisteredModelState, modelId: string, catalog: ModelsCatalog) => NewEvent[]): Promise<CommandResult> {
    const { state: catalog } = await this.catalog.load(REGISTERED_MODELS_STREAM);
    const modelId = existingModelId(catalog, name);
    const streamId = registeredModelStream(modelId);
    const result = await withBackoff(() => this.commands.handle(this.models, streamId, (state) => sealed(streamId, state.head, decide(state, modelId, catalog))));
    return this.visible(result);
  }

  private async visible(result: CommandResult): Promise<CommandResult> {
    await this.projector.waitFor(result.position, this.timeoutMs);
    return result;
  }
}

/** Links the decided events into the stream's hash chain, after the head the decision saw (recomputed on every retry). */
function sealed(streamId: string, head: ChainHead, events: NewEvent[]): NewEvent[] {
  return events.length === 0 ? events : sealEvents(streamId, head.revision + 1, head.hash, events);
}

const BACKOFF_ROUNDS = 6;

/**
 * The command handler retries a lost race at once, a few times; servers racing
 * for one model (many versions created at the same moment) can lose all of those
 * in a row. Here each further round waits a random, growing while, so every
 * writer gets through instead of failing with RESOURCE_CONFLICT.
 */
async function withBackoff<T>(attempt: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'RESOURCE_CONFLICT' || round >= BACKOFF_ROUNDS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** round));
    }
  }
}
