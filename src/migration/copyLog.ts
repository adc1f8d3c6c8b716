import type { NewEvent, RecordedEvent } from '../events/eventEnvelope.ts';
import { WrongExpectedVersionError, type EventStore, type StreamAppend } from '../events/eventStore.ts';
import { START_POSITION } from '../events/position.ts';
import { MigrationError } from './migrationError.ts';
import { readLog, readLogPages } from './readLog.ts';

export interface CopyOptions {
  /** Events read from the source at a time; also the most appended at once. */
  pageSize: number;
  /** Called as events are found already copied (resuming) and as they are copied. */
  onProgress?: (phase: 'checked' | 'copied', count: number) => void;
}

export interface CopyResult {
  /** Events the target already held from an earlier, interrupted run. */
  alreadyCopied: number;
  copied: number;
  /** Target position of the last event this run appended (START_POSITION when it appended none). */
  lastPosition: string;
}

/** Where an event sits, for messages. */
export function describeEvent(event: RecordedEvent): string {
  return `${event.type} ${event.metadata.eventId} (stream '${event.streamId}' revision ${event.revision})`;
}

/**
 * Copies the source's log into the target in global order, each event with its
 * id, stream, revision, type, version, data and metadata (hash chain included).
 *
 * Resuming is exact: the target is only ever written in the source's order, one
 * atomic append at a time, so what an interrupted run left there is a prefix of
 * the source's log. The target's log is read alongside the source's from the
 * start; every event must match (id, stream, revision) or the run stops, and the
 * copy goes on after the last match. Each append also names the revision the
 * stream must be at, so a writer racing on the target cannot slip in unnoticed.
 */
export async function copyLog(source: EventStore, target: EventStore, options: CopyOptions): Promise<CopyResult> {
  const { resumeAfter, alreadyCopied } = await findResumePoint(source, target, options);
  let copied = 0;
  let lastPosition = START_POSITION;
  for await (const page of readLogPages(source, { after: resumeAfter, pageSize: options.pageSize })) {
    const groups = [...sameStreamRuns(page)];
    if (target.appendMany) {
      // A page in one transaction: one commit instead of one per stream run, in the same order.
      lastPosition = await appendCopies(target, groups);
      copied += page.length;
      options.onProgress?.('copied', page.length);
      continue;
    }
    for (const group of groups) {
      lastPosition = await appendCopies(target, [group]);
      copied += group.length;
      options.onProgress?.('copied', group.length);
    }
  }
  return { alreadyCopied, copied, lastPosition };
}

async function findResumePoint(source: EventStore, target: EventStore, options: CopyOptions): Promise<{ resumeAfter: string; alreadyCopied: number }> {
  const sourceLog = readLog(source, { pageSize: options.pageSize });
  let resumeAfter = START_POSITION;
  let alreadyCopied = 0;
  try {
    for await (const copy of readLog(target, { pageSize: options.pageSize })) {
      const next = await sourceLog.next();
      if (next.done) throw new MigrationError(`the target holds more events than the source: ${describeEvent(copy)} has no counterpart; migrate into an empty store`);
      const original = next.value;
      if (original.metadata.eventId !== copy.metadata.eventId || original.streamId !== copy.streamId || original.revision !== copy.revision) {
        throw new MigrationError(
          `the target is not a copy of the source: its event #${alreadyCopied + 1} is ${describeEvent(copy)} where the source has ${describeEvent(original)}; migrate into an empty store`,
        );
      }
      alreadyCopied++;
      resumeAfter = original.position;
      options.onProgress?.('checked', 1);
    }
  } finally {
    await sourceLog.return(undefined);
  }
  return { resumeAfter, alreadyCopied };
}

/** Consecutive events of one stream: each run is one atomic append on the target. */
function* sameStreamRuns(events: readonly RecordedEvent[]): Generator<RecordedEvent[]> {
  let run: RecordedEvent[] = [];
  for (const event of events) {
    if (run.length > 0 && run[0].streamId !== event.streamId) {
      yield run;
      run = [];
    }
    run.push(event);
  }
  if (run.length > 0) yield run;
}

/**
 * Atomic appends at the revisions the source has: one stream run through
 * appendToStream, or several through appendMany (one transaction). Appending
 * events the target already holds (same ids) succeeds without writing: both
 * stores are idempotent by event id, which covers a resume point found early
 * (Postgres readers may see the newest commits a moment late).
 * Returns the target position of the last event.
 */
async function appendCopies(target: EventStore, groups: readonly RecordedEvent[][]): Promise<string> {
  const appends: StreamAppend[] = groups.map((events) => ({
    streamId: events[0].streamId,
    events: events.map(({ type, version, data, metadata }): NewEvent => ({ type, version, data, metadata })),
    expectedRevision: events[0].revision === 0 ? 'no_stream' : events[0].revision - 1,
  }));
  try {
    const results = groups.length === 1 || !target.appendMany ? [await target.appendToStream(appends[0].streamId, appends[0].events, appends[0])] : await target.appendMany(appends);
    groups.forEach((events, i) => {
      const last = events[events.length - 1];
      if (results[i].nextExpectedRevision !== last.revision) {
        throw new MigrationError(`stream '${last.streamId}' on the target reached revision ${results[i].nextExpectedRevision}, not ${last.revision} as in the source`);
      }
    });
    return results[results.length - 1].position;
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) {
      const group = groups.find((events) => events[0].streamId === error.streamId) ?? groups[0];
      throw new MigrationError(
        `stream '${error.streamId}' on the target is at ${String(error.actual)}, not at revision ${group[0].revision - 1} as the copy expects: is something else writing to the target? Stop it and run migrate again`,
      );
    }
    throw error;
  }
}
