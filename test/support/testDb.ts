import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPgDb } from '../../src/db/pgDb.ts';
import { openPgliteDb } from '../../src/db/pgliteDb.ts';
import type { SqlDb } from '../../src/db/sqlDb.ts';

export const usingPostgres = Boolean(process.env.DATABASE_URL);
export const backendName = usingPostgres ? 'postgres' : 'pglite';

export interface TestDb {
  db: SqlDb;
  /** A NOTIFY channel unique to this database, so parallel test files do not wake each other. */
  channel: string;
  schema?: string;
  /** Opens another connection pool on the same data (a second server process, say). */
  reopen(): Promise<SqlDb>;
  drop(): Promise<void>;
}

/** Real Postgres in a schema of its own when DATABASE_URL is set, else in-memory PGlite. */
export async function openTestDb(): Promise<TestDb> {
  const suffix = randomBytes(6).toString('hex');
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openPgliteDb();
    return {
      db,
      channel: `mlledger_events_${suffix}`,
      reopen: async () => db,
      drop: () => db.close(),
    };
  }
  const schema = `t_${suffix}`;
  const db = await openPgDb({ connectionString: url, schema });
  return {
    db,
    schema,
    channel: `mlledger_events_${suffix}`,
    reopen: () => openPgDb({ connectionString: url, schema }),
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
