import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema } from '../src/db/applySchema.ts';
import { advanceCheckpointWith, CHECKPOINT_MOVED, peekCheckpoint, projectionCheckpointsSql, readCheckpoint } from '../src/projections/projectionCheckpoints.ts';
import { backendName, openTestDb, type TestDb } from './support/testDb.ts';

const writeA = { sql: `insert into cp_a (id, note) values ($1, $2)`, params: [1, 'a'] };
const writeB = { sql: `insert into cp_b select * from unnest($1::int[], $2::text[]) on conflict (id) do update set note = excluded.note`, params: [[7, 8], ['x', 'y']] };

describe(`a batch sent as one statement with its checkpoint (${backendName})`, () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await openTestDb();
    await applySchema(testDb.db, `${projectionCheckpointsSql}
      create table cp_a (id int primary key, note text not null);
      create table cp_b (id int primary key, note text not null);`);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('is refused when two writes share a table, or a statement holds other dollar signs', () => {
    expect(advanceCheckpointWith('p', 'from', 'to', [writeA, { ...writeA, params: [2, 'b'] }])).toBeUndefined();
    expect(advanceCheckpointWith('p', 'from', 'to', [{ sql: `insert into cp_a values ($1, $$x$$)`, params: [3] }])).toBeUndefined();
    expect(advanceCheckpointWith('p', 'from', 'to', [{ sql: `select 1`, params: [] }])).toBeUndefined();
  });

  it('moves the checkpoint and writes every table in one statement, each write with its own parameters', async () => {
    const from = await readCheckpoint(testDb.db, 'one');
    const batch = advanceCheckpointWith('one', from, '10:1', [writeA, writeB]);
    expect(batch?.params).toEqual(['one', from, '10:1', 1, 'a', [7, 8], ['x', 'y']]);
    await testDb.db.query(batch!.sql, batch!.params);
    expect(await peekCheckpoint(testDb.db, 'one')).toBe('10:1');
    expect((await testDb.db.query(`select id, note from cp_a order by id`)).rows).toEqual([{ id: 1, note: 'a' }]);
    expect((await testDb.db.query(`select id, note from cp_b order by id`)).rows).toEqual([
      { id: 7, note: 'x' },
      { id: 8, note: 'y' },
    ]);
  });

  it('writes nothing and fails with CHECKPOINT_MOVED when the checkpoint is not where the projector left it', async () => {
    await readCheckpoint(testDb.db, 'two');
    const stale = advanceCheckpointWith('two', '5:5', '20:1', [{ sql: `insert into cp_a (id, note) values ($1, $2)`, params: [42, 'stale'] }]);
    await expect(testDb.db.query(stale!.sql, stale!.params)).rejects.toMatchObject({ code: CHECKPOINT_MOVED });
    expect((await testDb.db.query(`select id from cp_a where id = 42`)).rows).toEqual([]);
    expect(await peekCheckpoint(testDb.db, 'two')).not.toBe('20:1');
  });
});
