import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';

/**
 * A read model: the tables it owns and how a batch of (upcast) events changes
 * them. apply runs inside the projector's transaction, beside the checkpoint.
 */
export interface ReadModel {
  name: string;
  /** Tables dropped on rebuild. Their DDL is in schemaSql. */
  tables: readonly string[];
  schemaSql: string;
  apply(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void>;
}

/** int8 arrives as a string from pg and as a number (or bigint) from PGlite. */
export const toNumber = (value: unknown): number => Number(value);
export const toOptionalNumber = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));
