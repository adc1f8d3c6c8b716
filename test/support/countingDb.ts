import type { SqlDb } from '../../src/db/sqlDb.ts';

/**
 * Reads of the tracking read models (runs, params, tags, metrics). Other statements are
 * background work a request does not cause (the event store, projectors, pollers of
 * other features), so they are left out of the count.
 */
const trackingRead = /^\s*(select|with)\b[\s\S]*\b(from|join)\s+(runs|run_params|run_tags|latest_metrics|metric_chunks|metric_history|experiments)\b/i;

/** A database that counts the tracking read-model queries run through it (N+1 detection). */
export function countingDb(db: SqlDb): SqlDb & { readQueries: string[] } {
  const readQueries: string[] = [];
  const count = (sql: string) => {
    if (trackingRead.test(sql)) readQueries.push(sql);
  };
  return {
    readQueries,
    get kind() {
      return db.kind;
    },
    query(sql, params) {
      count(sql);
      return db.query(sql, params);
    },
    transaction: (fn) => db.transaction(fn),
    exec: (sql) => db.exec(sql),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    notify: (channel) => db.notify(channel),
    close: () => db.close(),
  } as SqlDb & { readQueries: string[] };
}
