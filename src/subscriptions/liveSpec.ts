import type { RecordedEvent } from '../events/eventEnvelope.ts';

/** Every payload says where in the log it came from, so a client can resume right after it. */
export interface Cursored {
  cursor: string;
}

/** What one kind of subscription wants from the log. */
export interface LiveSpec<P extends Cursored> {
  /** Equal for subscribers that select identically: the feed selects once per event for all of them. */
  key: string;
  /** Route keys (see routeKeys.ts) of every event this subscription may select. */
  routes: readonly string[];
  /**
   * The streams holding every event this subscription may select, when that set is
   * known: a replay from the start then reads only these instead of the whole log.
   */
  streams?: readonly string[];
  /**
   * The spec keeps state across events (an audit trail maps each event against the
   * model as it was just before): it must see its streams from their start even when
   * resuming (payloads up to the cursor are then dropped), and its key must be unique
   * so the feed calls select for every subscriber.
   */
  foldsHistory?: boolean;
  /** The payload for an (upcast) event, or undefined when the event is not of interest. */
  select(event: RecordedEvent): P | undefined;
  /** Cost of a payload against the subscriber's buffer (metric points); 1 by default. */
  weight?(payload: P): number;
}

/** Where a subscription starts: after a cursor, at the start of the log, or at the newest event now. */
export type StartFrom = { after: string } | 'start' | 'now';

export type LiveStreamEndCode = 'SUBSCRIBER_TOO_SLOW' | 'SERVER_SHUTTING_DOWN';

/**
 * The last item of a stream that did not end by the client's wish: why, and the
 * cursor of the last payload handed out, to resume from.
 */
export class LiveStreamEnd {
  constructor(
    readonly code: LiveStreamEndCode,
    readonly message: string,
    readonly cursor: string,
  ) {}
}
