import type { SqlExecutor } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { EXPERIMENTS_STREAM } from '../events/experimentEvents.ts';
import { runStream } from '../events/runEvents.ts';
import type { Projector } from '../projections/projector.ts';
import { CommandHandler, type CommandResult } from './commandHandler.ts';
import type { CommandContext } from './commandContext.ts';
import { activeExperiment, decideExperiment, type CreateExperiment, type RenameExperiment, type SetExperimentTag } from './experimentCommands.ts';
import { experimentsCatalogFold, type ExperimentsCatalog } from './experimentsCatalog.ts';
import { newRunId } from './ids.ts';
import { activeRun, decideRun, type CreateRun, type LogBatch, type UpdateRun } from './runCommands.ts';
import { runStateFold, type RunState } from './runState.ts';
import { requireLoggedModels } from './requireLoggedModels.ts';
import { StreamStateCache } from './streamStateCache.ts';
import { validateRunId } from './validation.ts';

export interface TrackingServiceOptions {
  store: EventStore;
  projector: Projector;
  /** Where the read models live, for queries. */
  readDb: SqlExecutor;
  /** Root of default artifact locations, e.g. 'mlflow-artifacts:'. */
  artifactRoot?: string;
  /** How long a write waits for its events to reach the read models. */
  readYourWritesTimeoutMs?: number;
  /** The identity projector: a new experiment is returned once its creator's MANAGE grant is readable too. */
  creatorGrants?: Projector;
}

/**
 * The write side of tracking: every method validates a command, appends its
 * events and returns once the read models show them (read-your-writes).
 */
export class TrackingService {
  readonly store: EventStore;
  readonly projector: Projector;
  readonly readDb: SqlExecutor;
  private readonly commands: CommandHandler;
  private readonly experiments: StreamStateCache<ExperimentsCatalog>;
  private readonly runs: StreamStateCache<RunState>;
  private readonly artifactRoot: string;
  private readonly timeoutMs: number;
  private readonly creatorGrants?: Projector;

  constructor(options: TrackingServiceOptions) {
    this.store = options.store;
    this.projector = options.projector;
    this.readDb = options.readDb;
    this.commands = new CommandHandler(options.store);
    this.experiments = new StreamStateCache(options.store, experimentsCatalogFold, 1);
    this.runs = new StreamStateCache(options.store, runStateFold);
    this.artifactRoot = options.artifactRoot ?? 'mlflow-artifacts:';
    this.timeoutMs = options.readYourWritesTimeoutMs ?? 10_000;
    this.creatorGrants = options.creatorGrants;
  }

  /** Experiment 0, "Default", exists from the start. Safe to call from many servers at once. */
  async ensureDefaultExperiment(ctx: CommandContext): Promise<void> {
    await this.onExperiments((catalog) => decideExperiment.ensureDefault(catalog, ctx, this.artifactRoot));
  }

  async createExperiment(command: CreateExperiment, ctx: CommandContext): Promise<string> {
    const result = await this.onExperiments((catalog) => decideExperiment.create(catalog, command, ctx, this.artifactRoot));
    // The creator's next request (a search listing it, a delete) must find their grant.
    await this.creatorGrants?.waitFor(result.position, this.timeoutMs);
    return (result.events[0].data as { experimentId: string }).experimentId;
  }

  async renameExperiment(command: RenameExperiment, ctx: CommandContext): Promise<void> {
    await this.onExperiments((catalog) => decideExperiment.rename(catalog, command, ctx));
  }

  async deleteExperiment(experimentId: string, ctx: CommandContext): Promise<void> {
    await this.onExperiments((catalog) => decideExperiment.delete(catalog, experimentId, ctx));
  }

  async restoreExperiment(experimentId: string, ctx: CommandContext): Promise<void> {
    await this.onExperiments((catalog) => decideExperiment.restore(catalog, experimentId, ctx));
  }

  async setExperimentTag(command: SetExperimentTag, ctx: CommandContext): Promise<void> {
    await this.onExperiments((catalog) => decideExperiment.setTag(catalog, command, ctx));
  }

  async deleteExperimentTag(experimentId: string, key: string, ctx: CommandContext): Promise<void> {
    await this.onExperiments((catalog) => decideExperiment.deleteTag(catalog, experimentId, key, ctx));
  }

  async createRun(command: CreateRun, ctx: CommandContext): Promise<string> {
    const { state: catalog } = await this.experiments.load(EXPERIMENTS_STREAM);
    const experiment = activeExperiment(catalog, command.experimentId);
    const runId = newRunId();
    await this.onRun(runId, (state) => decideRun.create(state, experiment, runId, command, ctx));
    return runId;
  }

  async updateRun(command: UpdateRun, ctx: CommandContext): Promise<void> {
    await this.onRun(command.runId, (state) => decideRun.update(state, command, ctx));
  }

  async deleteRun(runId: string, ctx: CommandContext): Promise<void> {
    await this.onRun(runId, (state) => decideRun.delete(state, runId, ctx));
  }

  async restoreRun(runId: string, ctx: CommandContext): Promise<void> {
    await this.onRun(runId, (state) => decideRun.restore(state, runId, ctx));
  }

  async logBatch(command: LogBatch, ctx: CommandContext): Promise<void> {
    const modelIds = (command.metrics ?? []).map((m) => m.modelId).filter((id) => id !== undefined && id !== '');
    if (modelIds.length > 0) {
      // A point on a logged model needs the model, looked up on the read side before the run's decision;
      // a missing or inactive run is reported first, as MLflow does.
      validateRunId('run_id', command.runId);
      activeRun((await this.runs.load(runStream(command.runId))).state, command.runId);
      await requireLoggedModels(this.readDb, modelIds);
    }
    await this.onRun(command.runId, (state) => decideRun.logBatch(state, command, ctx));
  }

  async deleteRunTag(runId: string, key: string, ctx: CommandContext): Promise<void> {
    await this.onRun(runId, (state) => decideRun.deleteTag(state, runId, key, ctx));
  }

  private async onExperiments(decide: (catalog: ExperimentsCatalog) => ReturnType<typeof decideExperiment.create>): Promise<CommandResult> {
    return this.visible(await this.commands.handle(this.experiments, EXPERIMENTS_STREAM, decide));
  }

  private async onRun(runId: string, decide: (state: RunState) => ReturnType<typeof decideRun.logBatch>): Promise<CommandResult> {
    validateRunId('run_id', runId);
    return this.visible(await this.commands.handle(this.runs, runStream(runId), decide));
  }

  private async visible(result: CommandResult): Promise<CommandResult> {
    await this.projector.waitFor(result.position, this.timeoutMs);
    return result;
  }
}
