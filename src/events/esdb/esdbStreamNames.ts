/**
 * Names starting with '$' belong to EventStoreDB itself (system streams such as
 * $settings or $stats-…, metadata streams $$<name>, system event types like
 * $metadata). mlledger's log is everything else.
 */
export function isSystemName(name: string): boolean {
  return name.startsWith('$');
}

/** Refuses stream ids and event types the log would hide, before anything is sent. */
export function assertUserStream(streamId: string, types: readonly string[]): void {
  if (streamId.length === 0) throw new RangeError('appendToStream: the stream id is empty');
  if (isSystemName(streamId)) throw new RangeError(`appendToStream: stream id '${streamId}' starts with '$', which EventStoreDB reserves for system streams`);
  const system = types.find(isSystemName);
  if (system !== undefined) throw new RangeError(`appendToStream: event type '${system}' starts with '$', which EventStoreDB reserves for system events`);
}
