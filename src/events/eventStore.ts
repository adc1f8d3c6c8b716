import type { AppendResult, ExpectedRevision, NewEvent, RecordedEvent } from './eventEnvelope.ts';

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position. Default: from the start. */
  after?: string;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position, then keep delivering live ones. */
  after?: string;
  /** Largest batch handed to the handler at once. */
  batchSize?: number;
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision?: ExpectedRevision;
}

export interface EventBatchHandler {
  (events: RecordedEvent[]): Promise<void> | void;
}

export interface Subscription {
  /** Resolves once the backlog present at subscription time has been handled. */
  readonly caughtUp: Promise<void>;
  /** Resolves when the subscription ends: after stop(), or rejects when the handler failed. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** The one port every event store adapter implements (Postgres, PGlite, EventStoreDB). */
export interface EventStore {
  /** Appends atomically to one stream. Idempotent by event id: a retried append returns the original result. */
  appendToStream(streamId: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Several appends in one transaction, in list order: all land or none, and the
   * global order follows the list. Each behaves as appendToStream (checks,
   * idempotency). Only stores with multi-stream transactions have it (Postgres,
   * PGlite); the migration uses it to copy many small appends at once.
   */
  appendMany?(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** Events of one stream in revision order; an empty list when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The global log in order: every event visible now after `after`, up to `maxCount` (a short page is the end, for now). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch up from a position, then follow live events, with no gap or duplicate at the seam. */
  subscribeToAll(handler: EventBatchHandler, options?: SubscribeOptions): Subscription;
  /** Position of the newest event readers may see now (START_POSITION when empty). */
  headPosition(): Promise<string>;
  /** How many events the log holds, where the store can say cheaply (progress bars). */
  countEvents?(): Promise<number>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
    detail?: string,
  ) {
    super(`Append to stream '${streamId}' expected ${String(expected)} but the stream is at ${String(actual)}${detail ? ` (${detail})` : ''}`);
    this.name = 'WrongExpectedVersionError';
  }
}
