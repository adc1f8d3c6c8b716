import { applySchema } from '../db/applySchema.ts';
import type { SqlDb } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { upcastEvent } from '../events/eventCatalog.ts';
import type { EventStore, Subscription } from '../events/eventStore.ts';
import { comparePositions, START_POSITION } from '../events/position.ts';
import { DomainError } from '../tracking/domainError.ts';
import { advanceCheckpoint, advanceCheckpointWith, CHECKPOINT_MOVED, projectionCheckpointsSql, readCheckpoint, resetCheckpoint } from './projectionCheckpoints.ts';
import { plannedStatements, type ReadModel, type SqlStatement } from './readModel.ts';

export interface ProjectorOptions {
  name: string;
  batchSize?: number;
  /** Called with each batch's size after it committed (progress bars). */
  onBatch?: (events: number, checkpoint: string) => void;
  onError?: (error: unknown) => void;
  /**
   * The event types its read models read. A batch holding none of them moves the
   * checkpoint in memory only (no transaction); the stored one catches up with the
   * next batch that writes rows, or on stop. Absent: every type counts.
   */
  eventTypes?: readonly string[];
}

class CheckpointMovedError extends Error {}

/**
 * Follows the event log and keeps read models. Each batch is one transaction:
 * the checkpoint moves in the same transaction as the rows, so a projector
 * killed at any point resumes exactly where its last commit left off.
 */
export class Projector {
  private checkpoint = START_POSITION;
  /** The checkpoint as stored; behind `checkpoint` while only skipped events followed it. */
  private stored = START_POSITION;
  private readonly handles?: ReadonlySet<string>;
  private subscription?: Subscription;
  private running = false;
  private waiters = new Set<{ position: string; resolve: () => void }>();
  private loop?: Promise<void>;
  private readonly batchSize: number;
  /** Every read model only writes: a batch's statements can be gathered before any is sent. */
  private readonly writeOnly: boolean;

  constructor(
    private readonly db: SqlDb,
    private readonly store: EventStore,
    private readonly readModels: readonly ReadModel[],
    private readonly options: ProjectorOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.writeOnly = readModels.every((model) => model.writeOnly === true);
    if (options.eventTypes) this.handles = new Set(options.eventTypes);
  }

  get name(): string {
    return this.options.name;
  }

  get position(): string {
    return this.checkpoint;
  }

  async ensureSchema(): Promise<void> {
    await applySchema(this.db, projectionCheckpointsSql + this.readModels.map((m) => m.schemaSql).join('\n'));
  }

  async start(): Promise<void> {
    await this.ensureSchema();
    this.running = true;
    this.setStoredCheckpoint(await readCheckpoint(this.db, this.name));
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.subscription?.stop();
    await this.loop;
    await this.storeSkippedProgress();
  }

  /** Resolves once the read models include the event at position (read-your-writes). */
  waitFor(position: string | undefined, timeoutMs = 10_000): Promise<void> {
    if (!position || comparePositions(this.checkpoint, position) >= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new DomainError('DEADLINE_EXCEEDED', `The write was stored at position ${position}, but the read models did not reach it within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves when the read models include everything in the log now. */
  async catchUp(timeoutMs = 60_000): Promise<void> {
    await this.waitFor(await this.store.headPosition(), timeoutMs);
  }

  /** Drops every read model and replays the whole log into fresh tables. */
  async rebuild(onProgress?: (events: number) => void): Promise<void> {
    const wasRunning = this.running;
    await this.stop();
    try {
      await this.db.transaction(async (tx) => {
        for (const table of this.readModels.flatMap((m) => m.tables)) await tx.query(`drop table if exists ${table} cascade`);
        await resetCheckpoint(tx, this.name);
      });
      await this.ensureSchema();
      this.setStoredCheckpoint(await readCheckpoint(this.db, this.name), true);
      const head = await this.store.headPosition();
      // Replay in bounded transactions: one huge transaction would hold back every live reader.
      while (comparePositions(this.checkpoint, head) < 0) {
        const events = await this.store.readAll({ after: this.checkpoint, maxCount: this.batchSize * 4 });
        if (events.length === 0) break;
        await this.project(events);
        onProgress?.(events.length);
      }
    } finally {
      // A failed replay must not leave a running server without its projector.
      if (wasRunning) await this.start();
    }
  }

  private async follow(): Promise<void> {
    let backoff = 50;
    while (this.running) {
      this.subscription = this.store.subscribeToAll((events) => this.project(events), { after: this.checkpoint, batchSize: this.batchSize });
      try {
        await this.subscription.done;
        backoff = 50;
      } catch (error) {
        if (!(error instanceof CheckpointMovedError)) this.options.onError?.(error);
        // Someone else moved the checkpoint (another server) or the database failed: resume from what is stored,
        // even when that is behind: a database that crashed may have lost our last commits (they do not wait
        // for the disk), and those events must be projected again.
        await new Promise((r) => setTimeout(r, error instanceof CheckpointMovedError ? 5 : backoff));
        // At most a second: writers wait on this projector (read-your-writes), so once the database is back it must be too.
        backoff = Math.min(backoff * 2, 1_000);
        if (!this.running) break;
        try {
          this.setStoredCheckpoint(await readCheckpoint(this.db, this.name), true);
        } catch (readError) {
          this.options.onError?.(readError);
        }
      }
    }
  }

  private async project(raw: RecordedEvent[]): Promise<void> {
    const from = this.stored;
    const to = raw[raw.length - 1].position;
    if (this.handles && !raw.some((event) => this.handles?.has(event.type))) {
      // Nothing here changes our rows: replaying these after a crash costs nothing, so skip the round trips.
      this.setCheckpoint(to);
      this.options.onBatch?.(raw.length, to);
      return;
    }
    const events = raw.map(upcastEvent);
    const planned = this.writeOnly ? await this.plan(events, from, to) : undefined;
    if (planned && 'batch' in planned) {
      try {
        await this.db.query(planned.batch.sql, planned.batch.params);
      } catch (error) {
        if ((error as { code?: string }).code === CHECKPOINT_MOVED) throw new CheckpointMovedError('checkpoint moved');
        throw error;
      }
    } else {
      // Read models are derived from the durable log: losing the last commits in a crash only
      // means replaying them, so this transaction need not wait for its own disk flush.
      await this.db.transaction(
        async (tx) => {
          if (!(await advanceCheckpoint(tx, this.name, from, to))) throw new CheckpointMovedError('checkpoint moved');
          if (planned) for (const statement of planned.statements) await tx.query(statement.sql, statement.params);
          else for (const model of this.readModels) await model.apply(events, tx);
        },
        { durable: false },
      );
    }
    this.stored = to;
    this.setCheckpoint(to);
    this.options.onBatch?.(raw.length, to);
  }

  /** Write-only read models' statements for a batch: as one statement with the checkpoint when they can be, else in order. */
  private async plan(events: readonly RecordedEvent[], from: string, to: string): Promise<{ batch: SqlStatement } | { statements: SqlStatement[] }> {
    const statements: SqlStatement[] = [];
    for (const model of this.readModels) statements.push(...(await plannedStatements(model, events)));
    const batch = advanceCheckpointWith(this.name, from, to, statements);
    return batch ? { batch } : { statements };
  }

  /** On stop, records how far skipped batches got, so a restart does not read them again. Best effort. */
  private async storeSkippedProgress(): Promise<void> {
    if (comparePositions(this.checkpoint, this.stored) <= 0) return;
    try {
      await this.db.transaction(async (tx) => {
        if (await advanceCheckpoint(tx, this.name, this.stored, this.checkpoint)) this.stored = this.checkpoint;
      });
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private setStoredCheckpoint(position: string, reset = false): void {
    this.stored = position;
    this.setCheckpoint(position, reset);
  }

  private setCheckpoint(position: string, reset = false): void {
    if (!reset && comparePositions(position, this.checkpoint) < 0) return;
    this.checkpoint = position;
    for (const waiter of this.waiters) {
      if (comparePositions(position, waiter.position) >= 0) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
