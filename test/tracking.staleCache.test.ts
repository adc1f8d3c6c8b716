import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricHistory } from '../src/projections/metricHistoryReadModel.ts';
import { paramsOfRuns } from '../src/projections/runParamsReadModel.ts';
import { openBackend, type RegistryBackend } from '../src/server/openBackend.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { DomainError } from '../src/tracking/domainError.ts';
import { openTestDb, type TestDb } from './support/testDb.ts';

const ctx = () => commandContext('alice');

/**
 * Two servers on one database: each decides on its own cached stream states, which the
 * other's writes make stale. The exact expected revision must turn every stale decision
 * into a reload, never into a wrong acceptance or a wrong refusal.
 */
describe('cached stream states across servers', () => {
  let testDb: TestDb;
  let a: RegistryBackend;
  let b: RegistryBackend;
  beforeAll(async () => {
    testDb = await openTestDb();
    a = await openBackend({ db: testDb.db, channel: testDb.channel, createEventStore: testDb.createEventStore });
    b = await openBackend({ db: await testDb.reopen(), channel: testDb.channel, createEventStore: testDb.createEventStore });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await testDb?.drop();
  });

  it('refuses on fresh state what the other server changed, and accepts what a stale cache would refuse', async () => {
    const runId = await a.tracking.createRun({ experimentId: '0' }, ctx());
    await a.tracking.logBatch({ runId, params: [{ key: 'lr', value: '0.1' }] }, ctx()); // a caches the run

    // b logs a param a has not seen: a's cached state would accept a different value.
    await b.tracking.logBatch({ runId, params: [{ key: 'opt', value: 'adam' }] }, ctx());
    const conflict = await a.tracking.logBatch({ runId, params: [{ key: 'opt', value: 'sgd' }] }, ctx()).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(DomainError);
    expect((conflict as DomainError).message).toMatch(/already logged with value='adam'/);

    // Both servers write metrics alternately to the same run: nothing is lost.
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).tracking.logBatch({ runId, metrics: [{ key: 'm', value: i, timestamp: i, step: i }] }, ctx());
    await a.projector.catchUp();
    expect((await metricHistory(a.db, runId, 'm', { limit: 100, offset: 0 })).map((p) => p.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // b deletes the run; a's cache still says active, yet a refuses.
    await b.tracking.deleteRun(runId, ctx());
    const refused = await a.tracking.logBatch({ runId, metrics: [{ key: 'm', value: 99, timestamp: 99 }] }, ctx()).catch((e: unknown) => e);
    expect((refused as DomainError).message).toMatch(/must be in the 'active' state. Current state is deleted/);

    // b restores it; a's cache says deleted, yet a accepts (a stale refusal is re-decided on fresh state).
    await b.tracking.restoreRun(runId, ctx());
    await a.tracking.logBatch({ runId, params: [{ key: 'after', value: 'restore' }] }, ctx());
    expect((await paramsOfRuns(a.db, [runId])).get(runId)?.map((p) => p.key).sort()).toEqual(['after', 'lr', 'opt']);
  });
});
