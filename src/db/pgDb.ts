import pg from 'pg';
import { SCHEMA_LOCK_KEY } from './applySchema.ts';
import { safeIdentifier, type SqlDb, type SqlExecutor } from './sqlDb.ts';

export interface PgDbOptions {
  connectionString: string;
  /** Tables live in this schema (created when missing); lets tests and tenants share one database. */
  schema?: string;
  maxConnections?: number;
}

/** A SqlDb on a real PostgreSQL server through a pg connection pool. */
export async function openPgDb(options: PgDbOptions): Promise<SqlDb> {
  const schema = safeIdentifier(options.schema ?? 'public');
  const clientConfig = {
    connectionString: options.connectionString,
    // A stuck session that idles inside a transaction would hold back every event reader (xid horizon).
    options: `-c search_path=${schema} -c idle_in_transaction_session_timeout=60000`,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.maxConnections ?? 10 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  if (schema !== 'public') {
    // Serialised with other starting servers: concurrent CREATE SCHEMA races on catalog keys.
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      await client.query(`create schema if not exists ${schema}`);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  const listeners = new Map<string, Set<() => void>>();
  let listenClient: pg.Client | undefined;

  async function ensureListenClient(): Promise<pg.Client> {
    if (listenClient) return listenClient;
    const client = new pg.Client(clientConfig);
    client.on('error', () => {
      // Dropped connection: forget it; the slow poll behind NOTIFY keeps readers moving.
      if (listenClient === client) listenClient = undefined;
    });
    client.on('notification', (msg) => {
      for (const cb of listeners.get(msg.channel) ?? []) cb();
    });
    await client.connect();
    listenClient = client;
    for (const channel of listeners.keys()) await client.query(`listen ${safeIdentifier(channel)}`);
    return client;
  }

  const db: SqlDb = {
    kind: 'postgres',
    async query<R>(sql: string, params?: unknown[]) {
      const result = await pool.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const tx: SqlExecutor = {
          async query<R>(sql: string, params?: unknown[]) {
            const result = await client.query(sql, params as unknown[]);
            return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
          },
        };
        const value = await fn(tx);
        await client.query('commit');
        return value;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async listen(channel: string, onNotify: () => void) {
      safeIdentifier(channel);
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        const client = await ensureListenClient().catch(() => undefined);
        await client?.query(`listen ${channel}`).catch(() => {});
      }
      set.add(onNotify);
      return async () => {
        set.delete(onNotify);
      };
    },
    async close() {
      const client = listenClient;
      listenClient = undefined;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
  return db;
}
