import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { canonicalJson } from '../registry/hashChain.ts';
import { verifyRegistryChains, type RegistryChainReport } from '../registry/verifyRegistryChains.ts';
import { describeEvent } from './copyLog.ts';
import { readLog } from './readLog.ts';

export interface CopyVerification {
  /** Events in the source's log (and, when equal, in the target's). */
  events: number;
  targetEvents: number;
  /** Streams in the source, each checked for its event count on the target. */
  streams: number;
  /** Differences found, most telling first; empty when the target is an exact copy. */
  problems: string[];
  sourceChains: RegistryChainReport;
  targetChains: RegistryChainReport;
}

const MAX_PROBLEMS = 10;

/**
 * Proves the target a copy of the source: both logs read in full, side by side,
 * every event equal in id, stream, revision, type, version, data and metadata;
 * each stream's event count equal through the target's stream reads; and every
 * registry hash chain on the target intact, with as many chained events as the source.
 */
export async function verifyCopy(source: EventStore, target: EventStore, { pageSize, onProgress }: { pageSize: number; onProgress?: (count: number) => void }): Promise<CopyVerification> {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  const streamCounts = new Map<string, number>();
  const targetLog = readLog(target, { pageSize });
  let events = 0;
  let targetEvents = 0;
  try {
    for await (const original of readLog(source, { pageSize })) {
      events++;
      onProgress?.(1);
      streamCounts.set(original.streamId, (streamCounts.get(original.streamId) ?? 0) + 1);
      const next = await targetLog.next();
      if (next.done) {
        if (events === targetEvents + 1) note(`the target ends after ${targetEvents} events; the source goes on with ${describeEvent(original)}`);
        continue;
      }
      targetEvents++;
      const difference = differenceBetween(original, next.value);
      if (difference) note(`event #${events}, ${describeEvent(original)}: ${difference}`);
    }
    for (let extra = await targetLog.next(); !extra.done; extra = await targetLog.next()) {
      targetEvents++;
      if (targetEvents === events + 1) note(`the target has events the source does not, from ${describeEvent(extra.value)}`);
    }
  } finally {
    await targetLog.return(undefined);
  }

  // The stream index is a second read path (EventStoreDB keeps it apart from $all).
  for (const problem of await streamCountProblems(target, streamCounts)) note(problem);

  const [sourceChains, targetChains] = [await verifyRegistryChains(source), await verifyRegistryChains(target)];
  for (const broken of targetChains.breaks) note(`registry hash chain broken on the target at ${describeEvent(broken.event)}: ${broken.reason}`);
  if (targetChains.streams !== sourceChains.streams || targetChains.events !== sourceChains.events) {
    note(`registry chains: the source has ${sourceChains.events} events in ${sourceChains.streams} streams, the target ${targetChains.events} in ${targetChains.streams}`);
  }
  return { events, targetEvents, streams: streamCounts.size, problems, sourceChains, targetChains };
}

function differenceBetween(original: RecordedEvent, copy: RecordedEvent): string | undefined {
  const fields: [string, unknown, unknown][] = [
    ['event id', original.metadata.eventId, copy.metadata.eventId],
    ['stream', original.streamId, copy.streamId],
    ['revision', original.revision, copy.revision],
    ['type', original.type, copy.type],
    ['version', original.version, copy.version],
    ['data', canonicalJson(original.data), canonicalJson(copy.data)],
    ['metadata', canonicalJson(original.metadata), canonicalJson(copy.metadata)],
  ];
  const differing = fields.find(([, a, b]) => a !== b);
  return differing ? `${differing[0]} differs on the target (${truncate(String(differing[2]))} instead of ${truncate(String(differing[1]))})` : undefined;
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Each stream's last revision on the target is its source count - 1, and nothing follows it; a few streams at a time. */
async function streamCountProblems(target: EventStore, counts: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  const entries = [...counts];
  const check = async ([streamId, count]: [string, number]) => {
    const tail = await target.readStream(streamId, { fromRevision: count - 1, maxCount: 2 });
    if (tail.length !== 1 || tail[0].revision !== count - 1) {
      problems.push(`stream '${streamId}': the source has ${count} events, the target ${tail.length === 0 ? 'fewer' : tail.length > 1 ? 'more' : `a different last revision (${tail[0].revision})`}`);
    }
  };
  for (let i = 0; i < entries.length; i += 8) await Promise.all(entries.slice(i, i + 8).map(check));
  return problems;
}
