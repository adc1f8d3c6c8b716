import { comparePositions, isValidPosition } from '../events/position.ts';
import { peekCheckpoint } from '../projections/projectionCheckpoints.ts';
import { invalid } from '../tracking/domainError.ts';
import { builder } from './builder.ts';

/** How long `atLeast` may hold a request: as long as a registry write waits for its read models. */
const catchUpTimeoutMs = 10_000;

/**
 * The registry's seam between the log and its read models. Subscriptions (the audit trail,
 * stage changes) deliver an event as soon as it is in the log, possibly before the read models
 * show it: a client that saw one asks for this with `atLeast` set to the event's cursor and
 * then queries, and reads what the event changed.
 */
builder.queryField('registryCursor', (t) =>
  t.string({
    description:
      'The log position the registry read models (models, versions, stages, aliases) reflect at least, as a subscription cursor. ' +
      'With atLeast (a cursor from a registry subscription payload), answers once they reflect it: queries sent after the answer show that event ' +
      `(DEADLINE_EXCEEDED if they do not within ${catchUpTimeoutMs / 1000} s).`,
    args: { atLeast: t.arg.string() },
    resolve: async (_root, { atLeast }, ctx) => {
      if (atLeast === null || atLeast === undefined) return peekCheckpoint(ctx.readDb, 'registry');
      if (!isValidPosition(atLeast)) throw invalid('atLeast', `'atLeast' is not a cursor from this server: ${JSON.stringify(atLeast.slice(0, 60))}.`);
      await ctx.registry.projector.waitFor(atLeast, catchUpTimeoutMs);
      // The stored checkpoint trails the projector's while only events it skips followed; it has reached atLeast.
      const stored = await peekCheckpoint(ctx.readDb, 'registry');
      return comparePositions(stored, atLeast) >= 0 ? stored : atLeast;
    },
  }),
);
