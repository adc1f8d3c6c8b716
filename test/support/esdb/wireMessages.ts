/** Conversions between the test double's log records and the generated protobuf messages. */
import { AllStreamPosition, Empty, ReadResp, StreamIdentifier, UUID, type StreamIdentifierMessage } from './generatedProtocol.ts';
import type { LogPosition, LogRecord } from './memoryLog.ts';

export function streamNameOf(identifier: StreamIdentifierMessage | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

export function streamIdentifier(name: string): StreamIdentifierMessage {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

export function uuidOf(uuid: InstanceType<typeof UUID> | undefined): string {
  if (!uuid) throw new Error('proposed message without an id');
  if (uuid.hasString()) return uuid.getString();
  // Structured: two signed 64-bit halves, most significant first.
  const structured = uuid.getStructured();
  const hex = [structured?.getMostSignificantBits() ?? '0', structured?.getLeastSignificantBits() ?? '0']
    .map((half) => BigInt.asUintN(64, BigInt(half)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function allStreamPosition(position: LogPosition): InstanceType<typeof AllStreamPosition> {
  return new AllStreamPosition().setCommitPosition(position.commit.toString()).setPreparePosition(position.prepare.toString());
}

/** A ReadResp carrying one event, as the server sends it for stream, $all and subscription reads. */
export function eventResponse(record: LogRecord): InstanceType<typeof ReadResp> {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(record.id))
    .setStreamIdentifier(streamIdentifier(record.streamName))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.commit.toString())
    .setPreparePosition(record.position.prepare.toString())
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded.getMetadataMap().set('type', record.type).set('content-type', record.contentType).set('created', record.created.toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.commit.toString());
  return new ReadResp().setEvent(event);
}

export function emptyMessage(): InstanceType<typeof Empty> {
  return new Empty();
}
