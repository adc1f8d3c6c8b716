import { createHash } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../events/eventEnvelope.ts';

/**
 * A tamper-evident chain per stream: each event's metadata carries the previous
 * event's hash (prevHash, '' for the first) and its own hash over its content.
 * Changing any stored field, or removing or reordering an event, breaks the chain
 * from that event on.
 */

/** The part of an event its hash covers: where it sits, what it is, and everything but the hash itself. */
interface HashedContent {
  streamId: string;
  revision: number;
  type: string;
  version: number;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** JSON with object keys sorted and undefined members left out, so equal content always hashes alike (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

export function eventHash(content: HashedContent): string {
  const { hash: _ignored, ...metadata } = content.metadata;
  return createHash('sha256').update(canonicalJson({ ...content, metadata })).digest('hex');
}

/**
 * Seals events about to be appended at firstRevision after an event whose hash is
 * prevHash: each gets prevHash and hash in its metadata. Called again with fresh
 * values when a concurrent write forces a retry.
 */
export function sealEvents(streamId: string, firstRevision: number, prevHash: string, events: readonly NewEvent[]): NewEvent[] {
  let previous = prevHash;
  return events.map((event, index) => {
    const metadata = { ...event.metadata, prevHash: previous };
    const hash = eventHash({ streamId, revision: firstRevision + index, type: event.type, version: event.version, data: event.data, metadata: { ...metadata } });
    previous = hash;
    return { ...event, metadata: { ...metadata, hash } };
  });
}

export interface ChainBreak {
  event: RecordedEvent;
  reason: string;
}

/** Checks one stream's events in revision order; returns the first event that does not fit the chain, or null. */
export function verifyChain(events: readonly RecordedEvent[]): ChainBreak | null {
  let previous = '';
  let expectedRevision = events[0]?.revision ?? 0;
  if (expectedRevision !== 0) return { event: events[0], reason: `the chain starts at revision ${expectedRevision}, not 0` };
  for (const event of events) {
    if (event.revision !== expectedRevision) return { event, reason: `revision ${event.revision} follows ${expectedRevision - 1}` };
    const { prevHash, hash } = event.metadata;
    if (prevHash !== previous) return { event, reason: `prevHash ${String(prevHash)} is not the previous event's hash ${previous || "''"}` };
    const recomputed = eventHash({
      streamId: event.streamId,
      revision: event.revision,
      type: event.type,
      version: event.version,
      data: event.data,
      metadata: { ...event.metadata },
    });
    if (hash !== recomputed) return { event, reason: `hash ${String(hash)} does not match the content (${recomputed})` };
    previous = hash;
    expectedRevision++;
  }
  return null;
}
