/** The slice of a SQL connection the event store and the read models need, on pg and PGlite alike. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

export interface TransactionOptions {
  /**
   * false: the commit need not wait for its WAL flush (Postgres synchronous_commit off).
   * Only for data that can be derived again, such as read models: a crash may lose the
   * last such commits, never an acknowledged event.
   */
  durable?: boolean;
}

export interface SqlDb extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /** Calls onNotify for each NOTIFY on channel from another connection; returns a function that stops listening. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /**
   * Sends a NOTIFY on channel in the background (a wake-up hint for other processes): it never
   * throws, and calls made while one is on its way are answered by a single further one.
   */
  notify(channel: string): void;
  close(): Promise<void>;
}

/** Quotes an identifier we generate ourselves (schema names); rejects anything unusual. */
export function safeIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsafe SQL identifier '${name}'`);
  return name;
}
