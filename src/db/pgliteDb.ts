import { PGlite } from '@electric-sql/pglite';
import type { SqlDb, SqlExecutor } from './sqlDb.ts';

/**
 * A SqlDb on embedded PGlite. PGlite is a single connection: transactions queue
 * rather than interleave, which also means no event can commit out of order.
 * dataDir undefined keeps everything in memory.
 */
export async function openPgliteDb(dataDir?: string, options: { template?: Blob } = {}): Promise<SqlDb> {
  // A template (a dumped fresh cluster) skips initdb: ~1 s to open instead of ~2.5 s.
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(options.template ? { loadDataDir: options.template } : {}) });
  const wrap = (executor: Pick<PGlite, 'query'>): SqlExecutor => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await executor.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
  });
  const base = wrap(pglite);
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    async exec(sql) {
      await pglite.exec(sql);
    },
    async listen(channel, onNotify) {
      const unsubscribe = await pglite.listen(channel, () => onNotify());
      return unsubscribe;
    },
    notify() {
      // One process holds PGlite: its readers are woken in memory, no other process listens.
    },
    async close() {
      await pglite.close();
    },
  };
}

