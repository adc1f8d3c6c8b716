import { afterEach, describe, expect, it } from 'vitest';
import type { SqlDb } from '../src/db/sqlDb.ts';
import { openTestDb, usingPostgres, type TestDb } from './support/testDb.ts';

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The wake-up hint an append sends: listeners on the same pool hear it at once (no round
 * trip), listeners of another pool (another server) through a NOTIFY sent after it.
 */
describe.skipIf(!usingPostgres)('pgDb notify (postgres)', () => {
  let testDb: TestDb;
  let other: SqlDb;
  afterEach(async () => {
    await other?.close();
    await testDb.drop();
  });

  it('reaches listeners of this pool at once and of another pool through NOTIFY; calls made meanwhile fold into one more', async () => {
    testDb = await openTestDb();
    other = await testDb.reopen();
    const heard = { here: 0, there: 0 };
    await testDb.db.listen(testDb.channel, () => heard.here++);
    await other.listen(testDb.channel, () => heard.there++);

    testDb.db.notify(testDb.channel);
    expect(heard.here).toBe(1);
    await until(() => heard.there === 1, 'the other pool to hear the NOTIFY');

    // Three hints while the first is on its way: this pool hears each, the other one or two NOTIFYs.
    testDb.db.notify(testDb.channel);
    testDb.db.notify(testDb.channel);
    testDb.db.notify(testDb.channel);
    expect(heard.here).toBe(4);
    await until(() => heard.there >= 2, 'the folded NOTIFYs');
    // A marker from the other pool, after which nothing of ours can still be on its way.
    other.notify(testDb.channel);
    await until(() => heard.here === 5, 'the marker');
    expect(heard.there).toBeLessThanOrEqual(3 + 1); // its own marker is heard locally
    expect(heard.there).toBeGreaterThanOrEqual(3);
  });
});
