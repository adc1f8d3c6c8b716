import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { comparePositions } from '../events/position.ts';

/**
 * The events of a few streams, merged into log order, up to and including
 * `until`. Each stream is read a page at a time, so a long run costs one page of
 * memory per stream. Stream order equals log order (appends to one stream are
 * serialised before they get their position), which is what makes the merge valid;
 * `until` must be a position below which no event can still commit (a head position
 * the store reported), or a late commit in one stream could be passed over.
 */
export async function* mergedStreams(store: EventStore, streamIds: readonly string[], until: string, pageSize: number): AsyncGenerator<RecordedEvent> {
  const readers = streamIds.map((streamId) => ({ streamId, page: [] as RecordedEvent[], index: 0, nextRevision: 0, exhausted: false }));
  const fill = async (reader: (typeof readers)[number]) => {
    if (reader.index < reader.page.length || reader.exhausted) return;
    const page = await store.readStream(reader.streamId, { fromRevision: reader.nextRevision, maxCount: pageSize });
    const within = page.filter((event) => comparePositions(event.position, until) <= 0);
    reader.page = within;
    reader.index = 0;
    reader.nextRevision += page.length;
    if (page.length < pageSize || within.length < page.length) reader.exhausted = true;
  };
  for (;;) {
    await Promise.all(readers.map(fill));
    let next: (typeof readers)[number] | undefined;
    for (const reader of readers) {
      if (reader.index >= reader.page.length) continue;
      if (!next || comparePositions(reader.page[reader.index].position, next.page[next.index].position) < 0) next = reader;
    }
    if (!next) return;
    yield next.page[next.index++];
  }
}
