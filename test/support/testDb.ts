import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import pg from 'pg';
import { openPgDb } from '../../src/db/pgDb.ts';
import { openPgliteDb } from '../../src/db/pgliteDb.ts';
import type { SqlDb } from '../../src/db/sqlDb.ts';
import { openTestEventStore, type TestEventStore } from './testEventStore.ts';

export const usingPostgres = Boolean(process.env.DATABASE_URL);
export const backendName = usingPostgres ? 'postgres' : 'pglite';

export interface TestDb {
  db: SqlDb;
  /** A NOTIFY channel unique to this database, so parallel test files do not wake each other. */
  channel: string;
  schema?: string;
  /** How openBackend opens the event store for this data (see testEventStore.ts); undefined: in db itself. */
  createEventStore?: TestEventStore['createEventStore'];
  testEvents: TestEventStore;
  /** Opens another connection pool on the same data (a second server process, say). */
  reopen(): Promise<SqlDb>;
  drop(): Promise<void>;
}

let template: Promise<Blob> | undefined;

/** The fresh cluster the global setup dumped (pgliteTemplate.globalSetup.ts), read once per test file. */
function pgliteTemplate(): Promise<Blob> {
  template ??= readFile(inject('pgliteTemplatePath')).then((bytes) => new Blob([bytes]));
  return template;
}

/** Real Postgres in a schema of its own when DATABASE_URL is set, else in-memory PGlite. */
export async function openTestDb(): Promise<TestDb> {
  const suffix = randomBytes(6).toString('hex');
  const url = process.env.DATABASE_URL;
  const events = await openTestEventStore();
  if (!url) {
    const db = await openPgliteDb(undefined, { template: await pgliteTemplate() });
    return {
      db,
      channel: `mlledger_events_${suffix}`,
      createEventStore: events.createEventStore,
      testEvents: events,
      reopen: async () => db,
      async drop() {
        await db.close();
        await events.close();
      },
    };
  }
  const schema = `t_${suffix}`;
  const db = await openPgDb({ connectionString: url, schema });
  return {
    db,
    schema,
    channel: `mlledger_events_${suffix}`,
    createEventStore: events.createEventStore,
    testEvents: events,
    reopen: () => openPgDb({ connectionString: url, schema }),
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
      await events.close();
    },
  };
}
