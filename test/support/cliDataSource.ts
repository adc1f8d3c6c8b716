import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openBackend, type Backend } from '../../src/server/openBackend.ts';
import { usingPostgres } from './testDb.ts';

export interface CliDataSource {
  /** Data folder for --data-dir (the embedded store lives here; on Postgres it only holds artifacts). */
  dataDir: string;
  /** Environment for CLI processes: which database, and no tracking URI inherited from the shell. */
  env: NodeJS.ProcessEnv;
  /** Opens the same data in this process (to seed it); close it before a CLI process opens the folder. */
  openBackend(): Promise<Backend>;
  remove(): Promise<void>;
}

/** Data a CLI process and the test share: a PGlite data folder, or a Postgres schema of its own when DATABASE_URL is set. */
export function cliDataSource(prefix: string): CliDataSource {
  const dataDir = mkdtempSync(join(tmpdir(), `mlledger-${prefix}-`));
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const databaseUrl = process.env.DATABASE_URL;
  return {
    dataDir,
    env: usingPostgres ? { MLLEDGER_DB_SCHEMA: schema, MLFLOW_TRACKING_URI: '', LOG_LEVEL: 'info' } : { DATABASE_URL: '', MLFLOW_TRACKING_URI: '', LOG_LEVEL: 'info' },
    openBackend: () => (usingPostgres ? openBackend({ databaseUrl, schema }) : openBackend({ dataDir })),
    async remove() {
      rmSync(dataDir, { recursive: true, force: true });
      if (!usingPostgres) return;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
