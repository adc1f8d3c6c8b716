import type { RecordedEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { START_POSITION } from '../events/position.ts';

/** The global log in pages, from after a position to its end as it is when each page is read. */
export async function* readLogPages(store: EventStore, { after = START_POSITION, pageSize }: { after?: string; pageSize: number }): AsyncGenerator<RecordedEvent[]> {
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: pageSize });
    if (page.length === 0) return;
    yield page;
    position = page[page.length - 1].position;
  }
}

/** The global log one event at a time (see readLogPages). */
export async function* readLog(store: EventStore, options: { after?: string; pageSize: number }): AsyncGenerator<RecordedEvent> {
  for await (const page of readLogPages(store, options)) yield* page;
}
