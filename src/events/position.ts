/**
 * Global positions are opaque strings made of two zero-padded numbers
 * ("<major>:<minor>"): Postgres uses (transaction id, sequence), EventStoreDB
 * (commit, prepare). Padding makes string order equal to log order.
 */
const WIDTH = 20;

export const START_POSITION = '';

export function encodePosition(major: bigint | number | string, minor: bigint | number | string): string {
  return `${String(major).padStart(WIDTH, '0')}:${String(minor).padStart(WIDTH, '0')}`;
}

export function decodePosition(position: string): [bigint, bigint] {
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(position);
  if (!match) throw new Error(`Invalid position '${position}'`);
  return [BigInt(match[1]), BigInt(match[2])];
}

export function comparePositions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isValidPosition(position: string): boolean {
  return position === START_POSITION || /^\d{20}:\d{20}$/.test(position);
}
