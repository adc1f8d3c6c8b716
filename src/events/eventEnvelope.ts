/** Who did what, when and why: carried by every stored event. */
export interface EventMetadata {
  eventId: string;
  recordedAt: string; // ISO-8601, set when the command was decided
  actor: string;
  correlationId: string;
  causationId?: string;
  /** Hash chain (registry streams): the previous event's hash in this stream, '' for the first. */
  prevHash?: string;
  /** sha256 over this event's content and prevHash (see src/registry/hashChain.ts). */
  hash?: string;
}

/** An event about to be appended. */
export interface NewEvent<T extends string = string, D = unknown> {
  type: T;
  version: number;
  data: D;
  metadata: EventMetadata;
}

/** An event as read back: what was appended plus where it landed. */
export interface RecordedEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  streamId: string;
  /** 0-based revision within its stream (EventStoreDB's convention). */
  revision: number;
  /** Opaque global position; compare with comparePositions. */
  position: string;
}

/**
 * Expected state of a stream before an append, as in EventStoreDB:
 * 'any' skips the check, 'no_stream' requires it absent, 'stream_exists' present,
 * a number the revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** Global position of the last event written (or already present, for an idempotent retry). */
  position: string;
}
