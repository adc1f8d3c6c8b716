import type { AppendExpectedRevision, WrongExpectedVersionError as EsdbWrongExpectedVersionError } from '@eventstore/db-client';
import type { ExpectedRevision } from '../eventEnvelope.ts';
import { WrongExpectedVersionError } from '../eventStore.ts';

/** The port's expected revision is EventStoreDB's, value for value: both are 0-based with the same three named states. */
export function toAppendExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`expectedRevision must be 'any', 'no_stream', 'stream_exists' or a revision (an integer >= 0), got ${String(expected)}`);
  }
  return BigInt(expected);
}

/** EventStoreDB's conflict as the port's error: the stream's actual revision, or 'no_stream'. */
export function toPortConflict(streamId: string, expected: ExpectedRevision, error: EsdbWrongExpectedVersionError): WrongExpectedVersionError {
  const actual = error.actualVersion;
  const current = actual === 'no_stream' || actual === undefined || actual < 0n ? 'no_stream' : Number(actual);
  return new WrongExpectedVersionError(streamId, expected, current, 'EventStoreDB');
}
