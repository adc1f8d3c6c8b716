import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openBackend, type RegistryBackend } from '../../src/server/openBackend.ts';
import { usingPostgres } from './testDb.ts';
import { openTestEventStore, type TestEventStore } from './testEventStore.ts';

export interface CliDataSource {
  /** Data folder for --data-dir (the embedded store lives here; on Postgres it only holds artifacts). */
  dataDir: string;
  /** Environment for CLI processes: which database and event store, and no tracking URI inherited from the shell. */
  env: NodeJS.ProcessEnv;
  /** Where the events live (tamper tests reach behind the store through it). */
  testEvents: TestEventStore;
  /** Opens the same data in this process (to seed it); close it before a CLI process opens the folder. */
  openBackend(): Promise<RegistryBackend>;
  remove(): Promise<void>;
}

/**
 * Data a CLI process and the test share: a PGlite data folder, or a Postgres
 * schema of its own when DATABASE_URL is set; events in the test event store
 * (an EventStoreDB test server in this process with MLLEDGER_TEST_EVENT_STORE=esdb).
 */
export async function cliDataSource(prefix: string): Promise<CliDataSource> {
  const dataDir = mkdtempSync(join(tmpdir(), `mlledger-${prefix}-`));
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const databaseUrl = process.env.DATABASE_URL;
  const events = await openTestEventStore();
  const database = usingPostgres ? { MLLEDGER_DB_SCHEMA: schema } : { DATABASE_URL: '' };
  return {
    dataDir,
    testEvents: events,
    env: { ...database, ...events.env, MLFLOW_TRACKING_URI: '', LOG_LEVEL: 'info' },
    openBackend: () =>
      usingPostgres ? openBackend({ databaseUrl, schema, createEventStore: events.createEventStore }) : openBackend({ dataDir, createEventStore: events.createEventStore }),
    async remove() {
      rmSync(dataDir, { recursive: true, force: true });
      await events.close();
      if (!usingPostgres) return;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
