import { peekCheckpoint } from '../projections/projectionCheckpoints.ts';
import { builder } from './builder.ts';

/**
 * The seam between a query and a subscription: queries answer from the read models,
 * subscriptions from the log. A client that reads this cursor *before* its queries and
 * subscribes with `after` set to it misses nothing in between (a point may come both ways).
 */
builder.queryField('trackingCursor', (t) =>
  t.string({
    description:
      'The log position the tracking read models (runs, params, metrics) reflect at least, as a subscription cursor. ' +
      'Read it before querying, then subscribe with `after` set to it: everything the queries did not show arrives, ' +
      'with no gap (points logged in between may come both ways).',
    resolve: (_root, _args, ctx) => peekCheckpoint(ctx.readDb, 'tracking'),
  }),
);
