import { randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { NewEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { EXPERIMENTS_STREAM } from '../events/experimentEvents.ts';
import { LOGGED_MODEL_ID, loggedModelStream, type LoggedModelStatus } from '../events/loggedModelEvents.ts';
import { runStream } from '../events/runEvents.ts';
import type { Projector } from '../projections/projector.ts';
import { CommandHandler, type CommandResult } from './commandHandler.ts';
import type { CommandContext } from './commandContext.ts';
import { activeExperiment } from './experimentCommands.ts';
import { experimentsCatalogFold, type ExperimentsCatalog } from './experimentsCatalog.ts';
import { decideLoggedModel, loggedModelNotFound, type CreateLoggedModel, type KeyValue } from './loggedModelCommands.ts';
import { loggedModelStateFold, type LoggedModelState } from './loggedModelState.ts';
import { decideRunInputOutput, type LogInputs, type LogOutputs } from './runInputOutputCommands.ts';
import { runInputOutputStateFold, type RunInputOutputState } from './runInputOutputState.ts';
import { requireLoggedModels } from './requireLoggedModels.ts';
import { StreamStateCache } from './streamStateCache.ts';
import { validateRunId } from './validation.ts';

export interface ModelLoggingServiceOptions {
  store: EventStore;
  /** The tracking projector, which keeps the logged-model and run input/output read models. */
  projector: Projector;
  readDb: SqlExecutor;
  readYourWritesTimeoutMs?: number;
}

/** MLflow's model ids: 'm-' and 32 hex digits. */
export const newLoggedModelId = () => `m-${randomBytes(16).toString('hex')}`;

/**
 * The write side of model logging: MLflow 3's logged models, what runs consumed
 * and produced (log-inputs, outputs), and the 2.x runs/log-model. Like every
 * command: decided on folded stream state, appended with the exact expected
 * revision, returned once the read models show it.
 */
export class ModelLoggingService {
  private readonly commands: CommandHandler;
  private readonly experiments: StreamStateCache<ExperimentsCatalog>;
  private readonly models: StreamStateCache<LoggedModelState>;
  private readonly runs: StreamStateCache<RunInputOutputState>;
  private readonly projector: Projector;
  private readonly readDb: SqlExecutor;
  private readonly timeoutMs: number;

  constructor(options: ModelLoggingServiceOptions) {
    this.commands = new CommandHandler(options.store);
    this.experiments = new StreamStateCache(options.store, experimentsCatalogFold, 1);
    this.models = new StreamStateCache(options.store, loggedModelStateFold);
    this.runs = new StreamStateCache(options.store, runInputOutputStateFold);
    this.projector = options.projector;
    this.readDb = options.readDb;
    this.timeoutMs = options.readYourWritesTimeoutMs ?? 10_000;
  }

  /** Returns the new model's id. */
  async createLoggedModel(command: CreateLoggedModel, ctx: CommandContext): Promise<string> {
    const { state: catalog } = await this.experiments.load(EXPERIMENTS_STREAM);
    const experiment = activeExperiment(catalog, command.experimentId);
    const modelId = newLoggedModelId();
    await this.onModel(modelId, (state) => decideLoggedModel.create(state, experiment, modelId, command, ctx));
    return modelId;
  }

  async finalizeLoggedModel(modelId: string, status: LoggedModelStatus, ctx: CommandContext): Promise<void> {
    await this.onModel(modelId, (state) => decideLoggedModel.finalize(state, modelId, status, ctx));
  }

  async setLoggedModelTags(modelId: string, tags: KeyValue[], ctx: CommandContext): Promise<void> {
    await this.onModel(modelId, (state) => decideLoggedModel.setTags(state, modelId, tags, ctx));
  }

  async deleteLoggedModelTag(modelId: string, key: string, ctx: CommandContext): Promise<void> {
    await this.onModel(modelId, (state) => decideLoggedModel.deleteTag(state, modelId, key, ctx));
  }

  async logLoggedModelParams(modelId: string, params: KeyValue[], ctx: CommandContext): Promise<void> {
    await this.onModel(modelId, (state) => decideLoggedModel.logParams(state, modelId, params, ctx));
  }

  async deleteLoggedModel(modelId: string, ctx: CommandContext): Promise<void> {
    await this.onModel(modelId, (state) => decideLoggedModel.delete(state, modelId, ctx));
  }

  async logInputs(command: LogInputs, ctx: CommandContext): Promise<void> {
    await requireLoggedModels(this.readDb, command.modelIds ?? []);
    await this.onRun(command.runId, (state) => decideRunInputOutput.logInputs(state, command, ctx));
  }

  async logOutputs(command: LogOutputs, ctx: CommandContext): Promise<void> {
    await requireLoggedModels(this.readDb, command.models.map((model) => model.modelId));
    await this.onRun(command.runId, (state) => decideRunInputOutput.logOutputs(state, command, ctx));
  }

  async logModel(runId: string, modelJson: string, ctx: CommandContext): Promise<void> {
    await this.onRun(runId, (state) => decideRunInputOutput.logModel(state, runId, modelJson, ctx));
  }

  private async onModel(modelId: string, decide: (state: LoggedModelState) => NewEvent[]): Promise<CommandResult> {
    // An id this server could not have made names no model (and no stream worth reading).
    if (!LOGGED_MODEL_ID.test(modelId)) throw loggedModelNotFound(modelId);
    return this.visible(await this.commands.handle(this.models, loggedModelStream(modelId), decide));
  }

  private async onRun(runId: string, decide: (state: RunInputOutputState) => NewEvent[]): Promise<CommandResult> {
    validateRunId('run_id', runId);
    return this.visible(await this.commands.handle(this.runs, runStream(runId), decide));
  }

  private async visible(result: CommandResult): Promise<CommandResult> {
    await this.projector.waitFor(result.position, this.timeoutMs);
    return result;
  }
}
