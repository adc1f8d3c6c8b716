import { describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../src/events/eventEnvelope.ts';
import { canonicalJson, sealEvents, verifyChain } from '../src/registry/hashChain.ts';

const STREAM = 'registered-model-x';

function event(i: number): NewEvent {
  return {
    type: 'RegisteredModelTagSet',
    version: 1,
    data: { modelId: 'x', key: `k${i}`, value: `v${i}` },
    metadata: { eventId: `id-${i}`, recordedAt: '2026-01-01T00:00:00.000Z', actor: 'alice', correlationId: 'c' },
  };
}

/** Seals three events as the registry would (one append, then two more) and reads them back as recorded. */
function chain(): RecordedEvent[] {
  const first = sealEvents(STREAM, 0, '', [event(0)]);
  const rest = sealEvents(STREAM, 1, first[0].metadata.hash ?? '', [event(1), event(2)]);
  return [...first, ...rest].map((e, revision) => ({ ...e, streamId: STREAM, revision, position: String(revision) }));
}

describe('registry hash chain', () => {
  it('links each event to the previous one and verifies an intact chain', () => {
    const events = chain();
    expect(events[0].metadata.prevHash).toBe('');
    expect(events[1].metadata.prevHash).toBe(events[0].metadata.hash);
    expect(events[2].metadata.prevHash).toBe(events[1].metadata.hash);
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.metadata.hash ?? ''))).toBe(true);
    expect(verifyChain(events)).toBeNull();
  });

  it('does not depend on key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    const events = chain();
    const reordered = events.map((e) => ({ ...e, data: Object.fromEntries(Object.entries(e.data as object).reverse()) }));
    expect(verifyChain(reordered)).toBeNull();
  });

  it('names the first event whose data was changed', () => {
    const events = chain();
    events[1] = { ...events[1], data: { ...(events[1].data as object), value: 'tampered' } };
    expect(verifyChain(events)?.event.revision).toBe(1);
  });

  it('names an event whose hash was replaced, and one whose metadata was changed', () => {
    const byHash = chain();
    byHash[2] = { ...byHash[2], metadata: { ...byHash[2].metadata, hash: 'f'.repeat(64) } };
    expect(verifyChain(byHash)?.event.revision).toBe(2);
    const byActor = chain();
    byActor[0] = { ...byActor[0], metadata: { ...byActor[0].metadata, actor: 'mallory' } };
    expect(verifyChain(byActor)?.event.revision).toBe(0);
  });

  it('notices a removed event', () => {
    const events = chain();
    const gap = [events[0], events[2]];
    expect(verifyChain(gap)?.event.revision).toBe(2);
    const rehashedAfterRemoval = [events[0], { ...events[2], revision: 1 }];
    expect(verifyChain(rehashedAfterRemoval)?.event.revision).toBe(1);
  });
});
