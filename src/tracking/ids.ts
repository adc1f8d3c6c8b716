import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Run ids are MLflow's: 32 lowercase hex characters. */
export function newRunId(): string {
  return randomBytes(16).toString('hex');
}

/** Event ids are random, or derived from a client's idempotency key so that a retried command is a no-op. */
export function eventIdFor(idempotencyKey: string | undefined, index: number): string {
  if (!idempotencyKey) return randomUUID();
  const hex = createHash('sha256').update(`${idempotencyKey}\u0000${index}`).digest('hex');
  // Shape it as a version-5-style UUID so both event stores accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const ADJECTIVES = ['able', 'bold', 'brave', 'calm', 'clever', 'crisp', 'eager', 'fair', 'gentle', 'glad', 'keen', 'kind', 'lucky', 'merry', 'nimble', 'proud', 'quick', 'quiet', 'sharp', 'shiny', 'swift', 'tidy', 'warm', 'wise'];
const NOUNS = ['ant', 'bass', 'bear', 'crow', 'deer', 'doe', 'eel', 'finch', 'fox', 'goat', 'hare', 'hawk', 'lark', 'lynx', 'mole', 'newt', 'owl', 'panda', 'ram', 'seal', 'slug', 'swan', 'toad', 'wolf'];

/** A readable default run name, as MLflow gives one ("brave-owl-123"). */
export function randomRunName(): string {
  const pick = (words: string[]) => words[randomBytes(1)[0] % words.length];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomBytes(2).readUInt16BE() % 1000}`;
}
