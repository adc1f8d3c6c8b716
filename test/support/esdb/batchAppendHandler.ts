/**
 * Streams.BatchAppend (bidirectional, one long-lived call per client): requests
 * are grouped by correlation id until is_final, then answered on the same call
 * with success or a google.rpc.Status whose details pack the error
 * (event_store.client.WrongExpectedVersion). The call stays open until the
 * client ends it.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { Faults } from './faults.ts';
import {
  Any,
  BatchAppendResp,
  GoogleEmpty,
  Status,
  WrongExpectedVersion,
  type BatchAppendReqMessage,
  type BatchAppendRespMessage,
} from './generatedProtocol.ts';
import type { ExpectedState, MemoryLog, ProposedEvent } from './memoryLog.ts';
import { allStreamPosition, streamIdentifier, streamNameOf, uuidOf } from './wireMessages.ts';

const FAILED_PRECONDITION = 9;

interface PendingBatch {
  streamName: string;
  expected: ExpectedState;
  events: ProposedEvent[];
}

export function createBatchAppendHandler(log: MemoryLog, faults: Faults) {
  return (call: ServerDuplexStream<BatchAppendReqMessage, BatchAppendRespMessage>) => {
    const pending = new Map<string, PendingBatch>();
    call.on('data', (request: BatchAppendReqMessage) => {
      const correlation = request.getCorrelationId()!;
      const key = uuidOf(correlation);
      let batch = pending.get(key);
      if (!batch) {
        const options = request.getOptions()!;
        batch = {
          streamName: streamNameOf(options.getStreamIdentifier()),
          expected: options.hasNoStream()
            ? { kind: 'no_stream' }
            : options.hasStreamExists()
              ? { kind: 'stream_exists' }
              : options.hasAny()
                ? { kind: 'any' }
                : { kind: 'revision', revision: BigInt(options.getStreamPosition()) },
          events: [],
        };
        pending.set(key, batch);
      }
      for (const message of request.getProposedMessagesList()) {
        const metadata = message.getMetadataMap();
        batch.events.push({
          id: uuidOf(message.getId()),
          type: metadata.get('type') ?? '',
          contentType: metadata.get('content-type') ?? 'application/octet-stream',
          data: message.getData_asU8(),
          customMetadata: message.getCustomMetadata_asU8(),
        });
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);

      const before = faults.take('batchAppend', 'before');
      if (before) return void call.emit('error', before);
      const outcome = log.append(batch.streamName, batch.expected, batch.events);
      const after = faults.take('batchAppend', 'after');
      if (after) return void call.emit('error', after);

      const response = new BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(streamIdentifier(batch.streamName));
      if (outcome.ok) {
        const success = new BatchAppendResp.Success().setCurrentRevision(outcome.currentRevision.toString()).setPosition(allStreamPosition(outcome.position));
        call.write(response.setSuccess(success));
        return;
      }
      const wrong = new WrongExpectedVersion();
      if (outcome.currentRevision < 0n) wrong.setCurrentNoStream(new GoogleEmpty());
      else wrong.setCurrentStreamRevision(outcome.currentRevision.toString());
      const expected = batch.expected;
      if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
      else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new GoogleEmpty());
      else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new GoogleEmpty());
      else wrong.setExpectedAny(new GoogleEmpty());
      const details = new Any();
      details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
      const status = new Status().setCode(FAILED_PRECONDITION).setMessage('Append failed due to WrongExpectedVersion.').setDetails(details);
      call.write(response.setError(status));
    });
    call.on('end', () => call.end());
  };
}
