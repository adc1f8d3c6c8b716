/**
 * The test double's storage: one transaction log ($all) in memory, with
 * EventStoreDB's documented write semantics (see test/support/esdb/esdbTestServer.ts).
 *
 * - Revisions are 0-based; a stream that does not exist is at -1.
 * - Positions are byte-like log offsets with gaps, never position + 1. A
 *   single-event append is one record (commit == prepare); a multi-event
 *   append is laid out like an explicit transaction: one prepare record per
 *   event, then a commit record, every event carrying the commit's position
 *   and its own prepare position. Both halves of a position therefore matter.
 * - Expected revision: any (no check), no_stream, stream_exists (the stream or
 *   its $$ metadata stream exists), or an exact revision.
 * - Idempotence by event id, as documented: an append whose events are already
 *   in the stream where the expected revision says they would be succeeds and
 *   writes nothing; with any/stream_exists the first event's id is looked up;
 *   a request that is part old, part new is a wrong-expected-version.
 *   (The real server keeps recent ids in a bounded cache; this keeps all.)
 */
export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

export interface LogRecord {
  streamName: string;
  revision: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** 100-ns ticks since the Unix epoch, as the server's "created". */
  created: bigint;
  position: LogPosition;
}

export type ExpectedState = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

export type AppendOutcome =
  | { ok: true; currentRevision: bigint; position: LogPosition; idempotent: boolean }
  | { ok: false; currentRevision: bigint };

const NO_STREAM = -1n;
const RECORD_OVERHEAD = 87n;
const COMMIT_RECORD_SIZE = 41n;

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  return a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;
}

export class MemoryLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  /** Per stream: event id → index, for the idempotence checks. */
  private readonly ids = new Map<string, Map<string, number>>();
  private nextOffset = 1_024n;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: { systemEventEvery?: number } = {}) {
    // A fresh server already has system events in $all; readers must skip them.
    this.writeSystem('$settings', '$settings', { $userStreamAcl: { $r: '$all' } });
    this.writeSystem('$users', '$UserCreated', { loginName: 'admin' });
  }

  currentRevision(streamName: string): bigint {
    const events = this.streams.get(streamName);
    return events ? BigInt(events.length - 1) : NO_STREAM;
  }

  stream(streamName: string): readonly LogRecord[] | undefined {
    return this.streams.get(streamName);
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  /** Calls listener after every write; returns the unsubscribe function. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(streamName: string, expected: ExpectedState, events: readonly ProposedEvent[]): AppendOutcome {
    const current = this.currentRevision(streamName);
    const stored = this.streams.get(streamName) ?? [];
    const ids = this.ids.get(streamName) ?? new Map<string, number>();
    const anyKnown = () => events.some((e) => ids.has(e.id));
    const idempotentFrom = (first: bigint): AppendOutcome | 'none' | 'partial' => {
      let matched = 0;
      for (let i = 0; i < events.length; i++) {
        const record = stored[Number(first) + i];
        if (record && record.id === events[i].id) matched++;
      }
      if (matched === events.length) {
        const last = stored[Number(first) + events.length - 1];
        return { ok: true, currentRevision: last.revision, position: last.position, idempotent: true };
      }
      return matched === 0 && !anyKnown() ? 'none' : 'partial';
    };
    const conflict: AppendOutcome = { ok: false, currentRevision: current };

    if (expected.kind === 'revision' || expected.kind === 'no_stream') {
      const revision = expected.kind === 'no_stream' ? NO_STREAM : expected.revision;
      if (revision > current) return conflict;
      if (revision < current) {
        const outcome = idempotentFrom(revision + 1n);
        return typeof outcome === 'object' ? outcome : conflict;
      }
      return this.write(streamName, events);
    }
    if (expected.kind === 'stream_exists' && current === NO_STREAM && !this.streams.has(`$$${streamName}`)) return conflict;
    const firstAt = ids.get(events[0].id) ?? -1;
    if (firstAt >= 0) {
      const outcome = idempotentFrom(BigInt(firstAt));
      return typeof outcome === 'object' ? outcome : conflict;
    }
    return anyKnown() ? conflict : this.write(streamName, events);
  }

  private write(streamName: string, events: readonly ProposedEvent[]): AppendOutcome {
    const stored = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stored);
    const ids = this.ids.get(streamName) ?? new Map<string, number>();
    this.ids.set(streamName, ids);
    const prepares = events.map((event) => {
      const prepare = this.nextOffset;
      this.nextOffset += RECORD_OVERHEAD + BigInt(event.data.length + event.customMetadata.length + event.type.length + streamName.length);
      return prepare;
    });
    let commit = prepares[0];
    if (events.length > 1) {
      commit = this.nextOffset;
      this.nextOffset += COMMIT_RECORD_SIZE;
    }
    const created = BigInt(Date.now()) * 10_000n;
    const written = events.map((event, i): LogRecord => ({
      ...event,
      streamName,
      revision: BigInt(stored.length + i),
      created,
      position: { commit, prepare: prepares[i] },
    }));
    for (const record of written) ids.set(record.id, Number(record.revision));
    stored.push(...written);
    this.records.push(...written);
    const last = written[written.length - 1];
    if (!streamName.startsWith('$') && this.options.systemEventEvery && this.records.length % this.options.systemEventEvery === 0) {
      this.writeSystem('$stats-127.0.0.1:2113', '$statsCollected', { 'proc-mem': 1_000_000 + this.records.length });
    }
    for (const listener of [...this.listeners]) listener();
    return { ok: true, currentRevision: last.revision, position: last.position, idempotent: false };
  }

  private writeSystem(streamName: string, type: string, data: unknown): void {
    const encoded = new TextEncoder().encode(JSON.stringify(data));
    this.write(streamName, [{ id: crypto.randomUUID(), type, contentType: 'application/json', data: encoded, customMetadata: new Uint8Array() }]);
  }

  /** Index of the first record at or after position (reads from a position are inclusive). */
  indexAtOrAfter(position: LogPosition): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (comparePositions(this.records[mid].position, position) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first record strictly after position (subscriptions start exclusive). */
  indexAfter(position: LogPosition): number {
    const index = this.indexAtOrAfter(position);
    return index < this.records.length && comparePositions(this.records[index].position, position) === 0 ? index + 1 : index;
  }
}
