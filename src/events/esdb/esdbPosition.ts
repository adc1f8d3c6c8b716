import { START, type Position } from '@eventstore/db-client';
import { decodePosition, encodePosition, START_POSITION } from '../position.ts';

/**
 * EventStoreDB's $all position is (commit, prepare): events of one legacy
 * transaction share a commit position and differ by prepare position, so both
 * halves go into the port's opaque string, commit first, each zero-padded to 20
 * digits (a uint64 fits): string order is log order and the string round-trips.
 */
export function fromEsdbPosition(position: Position): string {
  return encodePosition(position.commit, position.prepare);
}

export function toEsdbPosition(position: string): Position | typeof START {
  if (position === START_POSITION) return START;
  const [commit, prepare] = decodePosition(position);
  return { commit, prepare };
}
