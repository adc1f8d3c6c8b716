import type { RecordedEvent } from '../events/eventEnvelope.ts';

/** Where a hash-chained stream ends: what the next appended event links to. */
export interface ChainHead {
  /** Revision of the stream's last event; -1 when the stream does not exist. */
  revision: number;
  /** That event's hash; '' before the first. */
  hash: string;
}

export const emptyChainHead = (): ChainHead => ({ revision: -1, hash: '' });

/** Moves the head past an event (every fold of a chained stream calls this for each event). */
export function advanceChainHead(head: ChainHead, event: RecordedEvent): void {
  head.revision = event.revision;
  head.hash = event.metadata.hash ?? '';
}
