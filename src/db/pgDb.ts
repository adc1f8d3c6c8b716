import { createHash } from 'node:crypto';
import pg from 'pg';
import { SCHEMA_LOCK_KEY } from './applySchema.ts';
import { safeIdentifier, type SqlDb, type SqlExecutor, type TransactionOptions } from './sqlDb.ts';

export interface PgDbOptions {
  connectionString: string;
  /** Tables live in this schema (created when missing); lets tests and tenants share one database. */
  schema?: string;
  maxConnections?: number;
}

/**
 * Repeated statements run as named prepared statements: each connection parses and plans
 * them once (about 0.1–0.25 ms saved per statement on the write path). Bounded, so that
 * ad hoc SQL (searches) cannot fill the server with plans.
 */
class StatementNames {
  private readonly seen = new Map<string, string | null>();
  private named = 0;

  constructor(private readonly limit = 256) {}

  config(text: string, params: unknown[] | undefined): pg.QueryConfig {
    if (!params || params.length === 0) return { text };
    let name = this.seen.get(text);
    if (name === undefined) {
      // First sight: run it unnamed; a statement that comes back is worth preparing.
      this.seen.set(text, this.seen.size < this.limit * 8 ? '' : null);
      return { text, values: params };
    }
    if (name === '' && this.named < this.limit) {
      name = `mlledger_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.named++;
      this.seen.set(text, name);
    }
    return name ? { name, text, values: params } : { text, values: params };
  }

  /** A table changed under a prepared statement ("cached plan must not change result type"): stop preparing it. */
  forget(text: string, error: unknown): void {
    if ((error as { code?: string }).code === '0A000') this.seen.set(text, null);
  }
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
  const statements = new StatementNames();
  const run = async (executor: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => {
    try {
      return await executor.query(statements.config(sql, params));
    } catch (error) {
      statements.forget(sql, error);
      throw error;
    }
  };
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
  let connecting: Promise<pg.Client> | undefined;
  let relistening = false;
  /** Channels with a NOTIFY on its way, and whether another was asked for meanwhile. */
  const notifying = new Map<string, { again: boolean }>();
  let closed = false;

  function ensureListenClient(): Promise<pg.Client> {
    if (listenClient) return Promise.resolve(listenClient);
    connecting ??= connectListenClient().finally(() => (connecting = undefined));
    return connecting;
  }

  async function connectListenClient(): Promise<pg.Client> {
    // Named, so that operators (and tests) can tell the wake-up connection among the sessions.
    const client = new pg.Client({ ...clientConfig, application_name: 'mlledger listener' });
    const lost = () => {
      if (listenClient !== client) return;
      listenClient = undefined;
      client.end().catch(() => {});
      relisten();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (msg) => {
      // Our own hints come back on this connection: this process woke its readers already.
      if (msg.processId === (client as pg.Client & { processID?: number }).processID) return;
      for (const cb of listeners.get(msg.channel) ?? []) cb();
    });
    try {
      await client.connect();
      for (const channel of listeners.keys()) await client.query(`listen ${safeIdentifier(channel)}`);
      if (closed) throw new Error('The database was closed.');
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    listenClient = client;
    return client;
  }

  /**
   * The notification connection dropped (the server restarted): the slow poll keeps readers
   * moving meanwhile; connect and LISTEN again in the background, backing off, then wake
   * every listener once, since hints sent in between were lost.
   */
  function relisten(): void {
    if (closed || relistening) return;
    relistening = true;
    void (async () => {
      for (let delay = 100; !closed; delay = Math.min(delay * 2, 5_000)) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        if (closed) break;
        try {
          await ensureListenClient();
        } catch {
          continue;
        }
        for (const set of listeners.values()) for (const cb of set) cb();
        break;
      }
      relistening = false;
    })();
  }

  const db: SqlDb = {
    kind: 'postgres',
    async query<R>(sql: string, params?: unknown[]) {
      const result = await run(pool, sql, params);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      const client = await pool.connect();
      // A checked-out client whose server goes away between queries emits 'error'; unheard, it would end the process.
      // The next query on it fails instead, and release(error) below keeps it out of the pool.
      let lost: Error | undefined;
      const onLost = (error: Error) => {
        lost = error;
      };
      client.on('error', onLost);
      try {
        // One round trip either way: a simple query may hold two statements.
        await client.query(options.durable === false ? 'begin; set local synchronous_commit = off' : 'begin');
        const tx: SqlExecutor = {
          async query<R>(sql: string, params?: unknown[]) {
            const result = await run(client, sql, params);
            return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
          },
        };
        const value = await fn(tx);
        await client.query('commit');
        return value;
      } catch (error) {
        // A rollback that fails means the connection is gone: do not give it back to the pool.
        await client.query('rollback').catch((rollbackError: Error) => {
          lost ??= rollbackError;
        });
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(lost);
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
        // Unreachable now: LISTEN happens when the connection is made again.
        const client = await ensureListenClient().catch(() => {
          relisten();
          return undefined;
        });
        await client?.query(`listen ${channel}`).catch(() => {});
      }
      set.add(onNotify);
      return async () => {
        set.delete(onNotify);
      };
    },
    notify(channel: string) {
      // Listeners in this process hear it at once; the NOTIFY is for other processes (ours are skipped).
      for (const cb of listeners.get(channel) ?? []) cb();
      const state = notifying.get(channel);
      if (state) {
        state.again = true;
        return;
      }
      const next = { again: false };
      notifying.set(channel, next);
      void (async () => {
        // Once this turn of the event loop is over: the readers woken above send their reads first.
        await new Promise((resolve) => setImmediate(resolve));
        do {
          next.again = false;
          try {
            // Sent from the listening connection when there is one, so that it can tell its own hints apart.
            if (listenClient && listeners.has(channel)) await listenClient.query('select pg_notify($1, $2)', [channel, '']);
            else await pool.query('select pg_notify($1, $2)', [channel, '']);
          } catch {
            // A lost hint only delays other processes until their next poll.
          }
        } while (next.again && !closed);
        notifying.delete(channel);
      })();
    },
    async close() {
      closed = true;
      const client = listenClient;
      listenClient = undefined;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
  return db;
}
