/**
 * Streams.Read: stream reads and $all reads, forwards and backwards, and
 * catch-up subscriptions (confirmation, backlog, caught_up, live events,
 * filtered checkpoints). Semantics as documented for EventStoreDB: reads from a
 * revision or $all position are inclusive forwards and exclusive backwards from
 * a $all position; subscription start points are exclusive; a missing stream is
 * a stream_not_found message, not an error.
 */
import { randomUUID } from 'node:crypto';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { eventFilterOf, type EventFilter } from './eventFilter.ts';
import { ReadResp, type ReadReqMessage, type ReadRespMessage } from './generatedProtocol.ts';
import { MemoryLog, type LogPosition, type LogRecord } from './memoryLog.ts';
import { allStreamPosition, eventResponse, streamIdentifier, streamNameOf } from './wireMessages.ts';

export type ReadCall = ServerWritableStream<ReadReqMessage, ReadRespMessage>;

export interface LiveSubscriptions {
  add(drop: (error: Error) => void): () => void;
}

const BACKWARDS = 1;

/** Writes one message, waiting for the client when its buffer is full (HTTP/2 flow control). */
async function send(call: ReadCall, message: ReadRespMessage): Promise<void> {
  if (call.write(message)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}

export function createReadHandler(log: MemoryLog, live: LiveSubscriptions) {
  return async (call: ReadCall): Promise<void> => {
    const options = call.request.getOptions();
    if (!options) return void call.destroy(new Error('read without options'));
    const count = Number(options.getCount() || '0');
    const backwards = options.getReadDirection() === BACKWARDS;
    const filter = eventFilterOf(options);
    if (options.hasSubscription()) return subscribe(call, log, live, options, filter);

    let records: LogRecord[];
    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const name = streamNameOf(streamOptions.getStreamIdentifier());
      const stream = log.stream(name);
      if (!stream) {
        call.write(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name))));
        return void call.end();
      }
      if (backwards) {
        const from = streamOptions.hasEnd() ? stream.length - 1 : streamOptions.hasStart() ? 0 : Math.min(Number(streamOptions.getRevision()), stream.length - 1);
        records = stream.slice(Math.max(0, from - count + 1), from + 1).reverse();
      } else {
        const from = streamOptions.hasEnd() ? stream.length : streamOptions.hasStart() ? 0 : Number(streamOptions.getRevision());
        records = stream.slice(from, from + count);
      }
    } else {
      const all = options.getAll()!;
      const matching = (record: LogRecord) => filter.matches(record);
      if (backwards) {
        const end = all.hasStart() ? 0 : all.hasEnd() ? log.records.length : log.indexAtOrAfter(positionOf(all.getPosition()!));
        records = [];
        for (let i = end - 1; i >= 0 && records.length < count; i--) if (matching(log.records[i])) records.push(log.records[i]);
      } else {
        const start = all.hasStart() ? 0 : all.hasEnd() ? log.records.length : log.indexAtOrAfter(positionOf(all.getPosition()!));
        records = [];
        for (let i = start; i < log.records.length && records.length < count; i++) if (matching(log.records[i])) records.push(log.records[i]);
      }
    }
    for (const record of records) {
      if (call.cancelled) return;
      await send(call, eventResponse(record));
    }
    call.end();
  };
}

function positionOf(position: { getCommitPosition(): string; getPreparePosition(): string }): LogPosition {
  return { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) };
}

/** One pump per subscriber: from its cursor to the end of the log, then caught_up once, then every new write. */
async function subscribe(call: ReadCall, log: MemoryLog, live: LiveSubscriptions, options: NonNullable<ReturnType<ReadReqMessage['getOptions']>>, filter: EventFilter): Promise<void> {
  let ended = false;
  let wake: (() => void) | undefined;
  const finish = () => {
    ended = true;
    wake?.();
  };
  call.on('cancelled', finish);
  call.on('close', finish);
  const unregister = live.add((error) => {
    if (ended) return;
    finish();
    call.emit('error', error);
  });
  const unlisten = log.onWrite(() => wake?.());

  let cursor: number;
  let streamName: string | undefined;
  if (options.hasStream()) {
    const streamOptions = options.getStream()!;
    streamName = streamNameOf(streamOptions.getStreamIdentifier());
    const stream = log.stream(streamName) ?? [];
    const after = streamOptions.hasStart() ? -1 : streamOptions.hasEnd() ? stream.length - 1 : Number(streamOptions.getRevision());
    const next = stream[after + 1];
    cursor = next ? log.records.indexOf(next) : log.records.length;
  } else {
    const all = options.getAll()!;
    cursor = all.hasStart() ? 0 : all.hasEnd() ? log.records.length : log.indexAfter(positionOf(all.getPosition()!));
  }

  try {
    await send(call, new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    let caughtUp = false;
    let scanned = 0;
    while (!ended) {
      if (cursor < log.records.length) {
        const record = log.records[cursor++];
        if (streamName !== undefined ? record.streamName === streamName : filter.matches(record)) await send(call, eventResponse(record));
        if (filter.checkpointEvery && ++scanned % filter.checkpointEvery === 0) {
          const position = allStreamPosition(record.position);
          await send(call, new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(position.getCommitPosition()).setPreparePosition(position.getPreparePosition())));
        }
        continue;
      }
      if (!caughtUp) {
        caughtUp = true;
        await send(call, new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (ended || cursor < log.records.length) resolve();
      });
      wake = undefined;
    }
  } finally {
    unlisten();
    unregister();
  }
}

