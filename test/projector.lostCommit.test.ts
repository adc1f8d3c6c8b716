import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '../src/db/sqlDb.ts';
import { openBackend, type RegistryBackend } from '../src/server/openBackend.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { dumpTable } from './support/readModelDump.ts';
import { backendName, openTestDb, type TestDb } from './support/testDb.ts';

class Lost extends Error {}

/**
 * A database that, when told to, loses the next projection commit the way a crashed
 * server loses a commit that did not wait for the disk: the projector is told it
 * committed, but the rows and the checkpoint are as before. Projections commit either
 * as a transaction or as one statement; both are caught.
 */
function losingDb(db: SqlDb): SqlDb & { loseNextProjection(): void; lost: number } {
  let armed = false;
  const wrapper = {
    lost: 0,
    loseNextProjection: () => (armed = true),
    get kind() {
      return db.kind;
    },
    // A batch of write-only read models arrives as one statement with the checkpoint's move in it.
    async query<R>(sql: string, params?: unknown[]) {
      if (!armed || !/^\s*with moved as \(\s*update projection_checkpoints/.test(sql)) return db.query<R>(sql, params);
      armed = false;
      let result: { rows: R[]; rowCount: number } | undefined;
      try {
        await db.transaction(async (tx) => {
          result = await tx.query<R>(sql, params);
          throw new Lost();
        });
      } catch (error) {
        if (!(error instanceof Lost)) throw error;
      }
      wrapper.lost++;
      return result as { rows: R[]; rowCount: number };
    },
    exec: db.exec.bind(db),
    listen: db.listen.bind(db),
    notify: db.notify.bind(db),
    close: db.close.bind(db),
    async transaction<T>(fn: Parameters<SqlDb['transaction']>[0], options?: Parameters<SqlDb['transaction']>[1]): Promise<T> {
      if (!armed || options?.durable !== false) return db.transaction(fn, options) as Promise<T>;
      armed = false;
      let value: unknown;
      try {
        await db.transaction(async (tx) => {
          value = await fn(tx);
          throw new Lost();
        }, options);
      } catch (error) {
        if (!(error instanceof Lost)) throw error;
      }
      wrapper.lost++;
      return value as T;
    },
  };
  return wrapper as SqlDb & { loseNextProjection(): void; lost: number };
}

describe(`a projector whose last commit the database lost (${backendName})`, () => {
  let testDb: TestDb;
  let db: ReturnType<typeof losingDb>;
  let backend: RegistryBackend;

  beforeAll(async () => {
    testDb = await openTestDb();
    db = losingDb(testDb.db);
    backend = await openBackend({ db, channel: testDb.channel, createEventStore: testDb.createEventStore });
  });
  afterAll(async () => {
    await backend?.close();
    await testDb?.drop();
  });

  it('projects those events again when its next commit finds the checkpoint behind, and ends equal to a rebuild', async () => {
    const ctx = commandContext('tester');
    const runId = await backend.tracking.createRun({ experimentId: '0' }, ctx);
    db.loseNextProjection();
    // Acknowledged: the projector reached it (as it believed).
    await backend.tracking.logBatch({ runId, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [], tags: [] }, ctx);
    expect(db.lost).toBe(1);
    const history = async () => (await backend.db.query<{ value: number }>(`select value from metric_history where run_id = $1 and key = 'm' order by step`, [runId])).rows.map((r) => Number(r.value));
    expect(await history()).toEqual([]);

    // The next batch's compare-and-set finds the stored checkpoint behind: the lost batch is projected again.
    await backend.tracking.logBatch({ runId, metrics: [{ key: 'm', value: 2, timestamp: 2, step: 1 }], params: [], tags: [] }, ctx);
    expect(await history()).toEqual([1, 2]);

    const dump = async () => dumpTable(backend.db, 'metric_history');
    const live = await dump();
    await backend.projector.rebuild();
    expect(await dump()).toEqual(live);
  });
});
