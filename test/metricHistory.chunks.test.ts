import { describe, expect, it } from 'vitest';
import { applySchema } from '../src/db/applySchema.ts';
import { metricHistory, metricHistoryReadModel } from '../src/projections/metricHistoryReadModel.ts';
import { openTestDb } from './support/testDb.ts';

describe('metric history chunks', () => {
  it('folds a database with one row per point (the layout before chunks) into chunks, points unchanged', async () => {
    const { db, drop } = await openTestDb();
    try {
      await db.query(`create table metric_history (run_id text not null, key text not null, step bigint not null, timestamp bigint not null, value double precision not null)`);
      await db.query(
        `insert into metric_history values ('r1', 'loss', 0, 10, 1.5), ('r1', 'loss', 1, 11, 'NaN'), ('r1', 'loss', 2, 12, '-Infinity'), ('r1', 'acc', 0, 10, 0.5), ('r2', 'loss', 5, 50, 7)`,
      );
      await applySchema(db, metricHistoryReadModel.schemaSql);
      expect((await metricHistory(db, 'r1', 'loss', { limit: 10, offset: 0 })).map((p) => [p.step, p.timestamp, p.value])).toEqual([
        [0, 10, 1.5],
        [1, 11, NaN],
        [2, 12, -Infinity],
      ]);
      expect(await metricHistory(db, 'r2', 'loss', { limit: 10, offset: 0 })).toEqual([{ key: 'loss', step: 5, timestamp: 50, value: 7 }]);
      const { rows } = await db.query<{ chunks: number; kind: string }>(
        `select (select count(*)::int from metric_chunks) as chunks, (select table_type from information_schema.tables where table_schema = current_schema() and table_name = 'metric_history') as kind`,
      );
      expect(rows[0]).toEqual({ chunks: 3, kind: 'VIEW' });
      // Applying the schema again (every start does) changes nothing.
      await applySchema(db, metricHistoryReadModel.schemaSql);
      expect((await metricHistory(db, 'r1', 'loss', { limit: 10, offset: 1 })).map((p) => p.step)).toEqual([1, 2]);
    } finally {
      await drop();
    }
  });
});
