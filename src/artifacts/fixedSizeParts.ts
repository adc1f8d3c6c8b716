/** One piece of a stream cut into equal parts; `last` says no more follow (so a one-part upload can be a plain PUT). */
export interface StreamPart {
  bytes: Buffer;
  last: boolean;
}

/**
 * Cuts a byte stream into parts of exactly `size` bytes (the last one shorter,
 * possibly empty when the stream is). Holds at most about two parts in memory.
 */
export async function* fixedSizeParts(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<StreamPart> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // A full part is held back until we know whether another follows it.
  let full: Buffer | undefined;
  for await (const chunk of source) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= size) {
      if (full) yield { bytes: full, last: false };
      const joined = Buffer.concat(pending, pendingBytes);
      full = joined.subarray(0, size);
      const rest = joined.subarray(size);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (pendingBytes === 0) {
    yield { bytes: full ?? Buffer.alloc(0), last: true };
    return;
  }
  if (full) yield { bytes: full, last: false };
  yield { bytes: Buffer.concat(pending, pendingBytes), last: true };
}
