import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../events/eventEnvelope.ts';
import { eventIdFor } from './ids.ts';

/** Who issues a command and how to recognise a retry of it. */
export interface CommandContext {
  actor: string;
  correlationId: string;
  /** A retried command with the same key appends nothing new. */
  idempotencyKey?: string;
  now: Date;
  /** The actor was proven by credentials: user names a client sends (a run's user_id) give way to it. */
  authenticated?: boolean;
}

export function commandContext(actor: string, options: Partial<Omit<CommandContext, 'actor'>> = {}): CommandContext {
  return { actor, correlationId: options.correlationId ?? randomUUID(), idempotencyKey: options.idempotencyKey, now: options.now ?? new Date(), authenticated: options.authenticated };
}

/** Metadata for the index-th event a command produces. */
export function metadataFor(ctx: CommandContext, index: number): EventMetadata {
  return { eventId: eventIdFor(ctx.idempotencyKey, index), recordedAt: ctx.now.toISOString(), actor: ctx.actor, correlationId: ctx.correlationId };
}
