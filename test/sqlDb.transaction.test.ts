import { describe, expect, it } from 'vitest';
import { openTestDb, usingPostgres } from './support/testDb.ts';

describe('SqlDb transactions', () => {
  it('commit without waiting for the WAL flush only when asked, and only for that transaction', async () => {
    const { db, drop } = await openTestDb();
    try {
      const setting = async (durable?: boolean) =>
        (await db.transaction((tx) => tx.query<{ synchronous_commit: string }>('show synchronous_commit'), durable === undefined ? undefined : { durable })).rows[0]
          .synchronous_commit;
      // PGlite has no WAL writer to wait for: the option changes nothing there.
      expect(await setting(false)).toBe(usingPostgres ? 'off' : 'on');
      expect(await setting()).toBe('on');
      // The pool's sessions keep the default afterwards.
      for (let i = 0; i < 12; i++) expect((await db.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0].synchronous_commit).toBe('on');
      // A failed transaction rolls back either way.
      await db.query('create table tx_probe (n int)');
      await expect(db.transaction(async (tx) => {
        await tx.query('insert into tx_probe values (1)');
        throw new Error('boom');
      }, { durable: false })).rejects.toThrow('boom');
      expect((await db.query<{ n: number }>('select count(*)::int as n from tx_probe')).rows[0].n).toBe(0);
    } finally {
      await drop();
    }
  });
});
