import type { SqlDb } from './sqlDb.ts';

// Any constant will do: it only has to be the same in every mlledger process.
export const SCHEMA_LOCK_KEY = 7_242_901_113;

/**
 * Runs DDL so that servers starting at the same moment do not deadlock or race
 * on catalog rows: on Postgres, one at a time behind an advisory lock, in one
 * transaction. PGlite has a single connection, so there is nothing to race.
 */
export async function applySchema(db: SqlDb, ddl: string): Promise<void> {
  if (db.kind === 'pglite') return db.exec(ddl);
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    // No parameters: pg sends it as a simple query, which may hold several statements.
    await tx.query(ddl);
  });
}


