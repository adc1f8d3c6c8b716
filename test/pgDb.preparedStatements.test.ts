import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openPgDb } from '../src/db/pgDb.ts';
import type { SqlDb } from '../src/db/sqlDb.ts';

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('pgDb prepared statements (postgres)', () => {
  let db: SqlDb | undefined;
  const schema = `prep_${randomBytes(4).toString('hex')}`;
  afterEach(async () => {
    await db?.exec(`drop schema if exists ${schema} cascade`);
    await db?.close();
  });

  it('prepares a statement that repeats, and stops preparing it when its table changes under it', async () => {
    // One connection: every query below meets the same prepared statements.
    db = await openPgDb({ connectionString: url!, schema, maxConnections: 1 });
    await db.exec(`create table t (a int); insert into t values (1), (2)`);
    const select = 'select * from t where a >= $1 order by a';
    const prepared = async () => (await db!.query<{ n: string }>(`select count(*) as n from pg_prepared_statements where name like 'mlledger_%'`)).rows[0].n;

    expect((await db.query(select, [1])).rows).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await prepared()).toBe('0');
    expect((await db.query(select, [2])).rows).toEqual([{ a: 2 }]);
    expect(await prepared()).toBe('1');

    await db.exec(`alter table t add column b int`);
    // The prepared plan's columns no longer match: Postgres refuses it once...
    await expect(db.query(select, [1])).rejects.toMatchObject({ code: '0A000' });
    // ...and from then on the statement runs unprepared, with the new columns.
    expect((await db.query(select, [1])).rows).toEqual([
      { a: 1, b: null },
      { a: 2, b: null },
    ]);
    // Inside a transaction the same statement works as well.
    expect(await db.transaction((tx) => tx.query(select, [2]).then((r) => r.rows))).toEqual([{ a: 2, b: null }]);
  });
});
