import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp, type App } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';

export type BackendName = 'pglite' | 'postgres';

/** A running server on a random port, and how to tear down everything it created. */
export interface BenchServer {
  backend: BackendName;
  app: App;
  url: string;
  /** Free-form facts printed with the results (where the data lives, server settings). */
  description: string;
  /** Stops the server and deletes its data (temp folder or schema). Safe to call twice. */
  dispose(): Promise<void>;
  /** Pids of the local Postgres processes doing this server's work, for CPU accounting; absent for PGlite or a remote server. */
  listPostgresPids?: () => Promise<number[]>;
}

const silentLogger = () => createLogger('silent');

/** Embedded PGlite as `mlledger serve` runs it by default: file-backed, in a folder of its own. */
export async function startPgliteServer(): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mlledger-bench-'));
  let app: App | undefined;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await app?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    app = await buildApp({ port: 0, dataDir, user: 'bench', logger: silentLogger() });
    const url = await app.start();
    return { backend: 'pglite', app, url, description: `PGlite, file-backed in ${dataDir}`, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Postgres server settings that change ingest figures by a lot, printed beside them. */
async function describePostgres(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ name: string; setting: string }>(
    `select name, setting from pg_settings where name in ('server_version', 'synchronous_commit', 'fsync', 'shared_buffers') order by name`,
  );
  return `PostgreSQL ${rows.map((row) => `${row.name}=${row.setting}`).join(', ')}`;
}

/**
 * Real Postgres in a fresh schema (and NOTIFY channel) of its own, dropped afterwards.
 * Answers { unreachable } when the server cannot be reached, so the run can go on without it.
 */
export async function startPostgresServer(databaseUrl: string): Promise<BenchServer | { unreachable: string }> {
  const admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (error) {
    return { unreachable: `${databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}: ${(error as Error).message}` };
  }
  const suffix = randomBytes(6).toString('hex');
  const schema = `bench_${suffix}`;
  // Our sessions carry their own application_name, so their CPU can be told apart from other users of the server.
  const applicationName = `mlledger_bench_${suffix}`;
  const serverUrl = new URL(databaseUrl);
  serverUrl.searchParams.set('application_name', applicationName);
  const isLocal = ['127.0.0.1', 'localhost', '[::1]', ''].includes(serverUrl.hostname);
  const listPostgresPids = async () => {
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where application_name = $1 or backend_type in ('walwriter', 'checkpointer', 'background writer', 'autovacuum worker')`,
      [applicationName],
    );
    return rows.map((row) => row.pid);
  };
  let app: App | undefined;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    try {
      await app?.stop();
    } finally {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  };
  try {
    const settings = await describePostgres(admin);
    app = await buildApp({ port: 0, databaseUrl: serverUrl.toString(), schema, channel: applicationName, user: 'bench', logger: silentLogger() });
    const url = await app.start();
    return { backend: 'postgres', app, url, description: `${settings}; schema ${schema}`, dispose, listPostgresPids: isLocal ? listPostgresPids : undefined };
  } catch (error) {
    await dispose();
    throw error;
  }
}
