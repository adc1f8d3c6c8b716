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
  /**
   * apply only writes: it never reads what its statements return (nor their row counts), and
   * its statements read no table but the one they write. The projector may then gather them,
   * with other models', and send them as one statement instead of one round trip each (where
   * all of them see the same snapshot).
   */
  writeOnly?: boolean;
}

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** The statements a write-only read model's apply runs for a batch, in order, without running them. */
export async function plannedStatements(model: ReadModel, events: readonly RecordedEvent[]): Promise<SqlStatement[]> {
  const statements: SqlStatement[] = [];
  await model.apply(events, {
    async query<R>(sql: string, params: unknown[] = []) {
      statements.push({ sql, params });
      return { rows: [] as R[], rowCount: 0 };
    },
  });
  return statements;
}

/** int8 arrives as a string from pg and as a number (or bigint) from PGlite. */
export const toNumber = (value: unknown): number => Number(value);
export const toOptionalNumber = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));
