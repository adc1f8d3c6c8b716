import { GraphQLError } from 'graphql';
import { isValidPosition } from '../events/position.ts';
import { LiveStreamEnd, type StartFrom } from '../subscriptions/liveSpec.ts';
import { invalid } from '../tracking/domainError.ts';
import { builder } from './builder.ts';

builder.subscriptionType({
  description:
    'Live streams over graphql-ws (WebSocket) or server-sent events on /graphql. Each payload carries a `cursor`; ' +
    'subscribe again with `after: <last cursor seen>` to resume with no gap and no duplicate. A stream the server ' +
    'ends (SUBSCRIBER_TOO_SLOW, SERVER_SHUTTING_DOWN) sends a last error whose extensions carry `code` and `cursor`.',
});

export const liveArgDescriptions = {
  after: 'Replay what was logged after this cursor (from a payload), then go live.',
  fromStart: 'Replay from the beginning, then go live. Without `after` or `fromStart`, only what happens from now on.',
};

/** Where a subscription starts, from its `after` and `fromStart` arguments. */
export function startFrom(after: string | null | undefined, fromStart: boolean | null | undefined): StartFrom {
  if (after !== null && after !== undefined) {
    if (fromStart) throw invalid('fromStart', 'Give either after or fromStart, not both.');
    if (!isValidPosition(after)) throw invalid('after', `'after' is not a cursor from this server: ${JSON.stringify(after.slice(0, 60))}.`);
    return { after };
  }
  return fromStart ? 'start' : 'now';
}

/** A list argument within its bounds: at least one, at most max. */
export function checkListSize(field: string, values: readonly unknown[], max: number): void {
  if (values.length === 0) throw invalid(field, `'${field}' must name at least one item.`);
  if (values.length > max) throw invalid(field, `'${field}' may name at most ${max} items, got ${values.length}.`);
}

/** A payload, or the stream's last message as an error with its code and resume cursor. */
export function unwrapLive<P>(item: P | LiveStreamEnd): P {
  if (item instanceof LiveStreamEnd) throw new GraphQLError(item.message, { extensions: { code: item.code, cursor: item.cursor } });
  return item;
}
