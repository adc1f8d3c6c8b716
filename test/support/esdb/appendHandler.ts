/**
 * Streams.Append (client-streaming): an options message, then one proposed
 * message per event; the reply comes when the client ends its side, either
 * success (current revision and position) or wrong_expected_version.
 */
import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import type { Faults } from './faults.ts';
import { AppendResp, Empty, type AppendReqMessage, type AppendRespMessage } from './generatedProtocol.ts';
import type { ExpectedState, MemoryLog, ProposedEvent } from './memoryLog.ts';
import { streamNameOf, uuidOf } from './wireMessages.ts';

export function createAppendHandler(log: MemoryLog, faults: Faults) {
  return (call: ServerReadableStream<AppendReqMessage, AppendRespMessage>, callback: sendUnaryData<AppendRespMessage>) => {
    let streamName = '';
    let expected: ExpectedState = { kind: 'any' };
    const events: ProposedEvent[] = [];
    call.on('data', (request: AppendReqMessage) => {
      if (request.hasOptions()) {
        const options = request.getOptions()!;
        streamName = streamNameOf(options.getStreamIdentifier());
        expected = options.hasNoStream()
          ? { kind: 'no_stream' }
          : options.hasStreamExists()
            ? { kind: 'stream_exists' }
            : options.hasAny()
              ? { kind: 'any' }
              : { kind: 'revision', revision: BigInt(options.getRevision()) };
        return;
      }
      const message = request.getProposedMessage()!;
      const metadata = message.getMetadataMap();
      events.push({
        id: uuidOf(message.getId()),
        type: metadata.get('type') ?? '',
        contentType: metadata.get('content-type') ?? 'application/octet-stream',
        data: message.getData_asU8(),
        customMetadata: message.getCustomMetadata_asU8(),
      });
    });
    call.on('end', () => {
      const before = faults.take('append', 'before');
      if (before) return callback(before);
      const outcome = log.append(streamName, expected, events);
      const after = faults.take('append', 'after');
      if (after) return callback(after);
      const response = new AppendResp();
      if (outcome.ok) {
        const success = new AppendResp.Success().setCurrentRevision(outcome.currentRevision.toString());
        success.setPosition(new AppendResp.Position().setCommitPosition(outcome.position.commit.toString()).setPreparePosition(outcome.position.prepare.toString()));
        return callback(null, response.setSuccess(success));
      }
      const wrong = new AppendResp.WrongExpectedVersion();
      if (outcome.currentRevision < 0n) wrong.setCurrentNoStream(new Empty());
      else wrong.setCurrentRevision(outcome.currentRevision.toString());
      if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
      else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new Empty());
      else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
      else wrong.setExpectedAny(new Empty());
      callback(null, response.setWrongExpectedVersion(wrong));
    });
  };
}
