import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SqlDb } from '../src/db/sqlDb.ts';
import type { RecordedEvent } from '../src/events/eventEnvelope.ts';
import { EXPERIMENTS_STREAM } from '../src/events/experimentEvents.ts';
import { comparePositions, START_POSITION } from '../src/events/position.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { findExperimentByName } from '../src/projections/experimentsReadModel.ts';
import { Projector } from '../src/projections/projector.ts';
import type { ReadModel } from '../src/projections/readModel.ts';
import { trackingReadModels } from '../src/projections/trackingTables.ts';
import { openBackend, type Backend } from '../src/server/openBackend.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { DomainError } from '../src/tracking/domainError.ts';
import { TrackingService } from '../src/tracking/trackingService.ts';
import {
  countEventsOfType,
  countMetricPoints,
  dumpTrackingTables,
  pollUntil,
  readLog,
  storedCheckpoint,
  waitUntilCommittedEventsVisible,
} from './support/readModelDump.ts';
import { openTestBackend } from './support/testBackend.ts';
import { openTestDb, usingPostgres } from './support/testDb.ts';
import { appendMetricBacklog, runTrainingWorkload, trackingWithoutReadYourWrites } from './support/trackingWorkload.ts';

const PROJECTOR = 'tracking'; // the name openBackend gives its projector
const ctx = () => commandContext('alice');

class SimulatedCrash extends Error {}

/**
 * The tracking read models, wrapped to die in the crashInBatch-th batch once
 * `crashAfter` (and every model before it) has written its rows, before the next
 * model runs; every apply after that fails too: the process is gone.
 */
function crashingReadModels(crashInBatch: number, crashAfter: string, onCrash: (events: readonly RecordedEvent[], metricRowsInsideTransaction: number) => void): ReadModel[] {
  const crashAt = trackingReadModels.findIndex((m) => m.name === crashAfter) + 1;
  if (crashAt <= 0 || crashAt >= trackingReadModels.length) throw new Error(`No read model follows '${crashAfter}'`);
  let batch = 0;
  let crashed = false;
  return trackingReadModels.map((model, index) => ({
    ...model,
    writeOnly: false, // it reads inside the transaction
    async apply(events, tx) {
      if (crashed) throw new SimulatedCrash('already dead');
      if (index === 0) batch++;
      if (batch === crashInBatch && index === crashAt) {
        crashed = true;
        const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from metric_history');
        onCrash(events, rows[0].n);
        throw new SimulatedCrash(`killed in batch ${batch} after ${crashAfter}`);
      }
      await model.apply(events, tx);
    },
  }));
}

/** Rebuilds from the log and checks the tables come out exactly as the live projection left them. */
async function expectEqualToRebuild(backend: Backend): Promise<Record<string, string[]>> {
  const live = await dumpTrackingTables(backend.db);
  await backend.projector.rebuild();
  const rebuilt = await dumpTrackingTables(backend.db);
  expect(rebuilt).toEqual(live);
  return live;
}

async function metricHistoryRowCount(db: SqlDb): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from metric_history');
  return rows[0].n;
}

describe('projector', () => {
  it('killed in the middle of a batch: nothing of that batch is visible, and a restart ends equal to a rebuild', async () => {
    const b = await openTestBackend();
    try {
      // Part of the history is projected live, the rest arrives while the projector is down.
      const live = await runTrainingWorkload(b.tracking, 'live', { experiments: 1, runsPerExperiment: 2, batchesPerRun: 5, pointsPerBatch: 10 });
      await b.projector.stop();
      const offline = await runTrainingWorkload(trackingWithoutReadYourWrites(b), 'offline', { experiments: 2, runsPerExperiment: 3, batchesPerRun: 10, pointsPerBatch: 10 });
      await waitUntilCommittedEventsVisible(b.db, b.store);
      const checkpointAtStop = await storedCheckpoint(b.db, PROJECTOR);
      expect(comparePositions(checkpointAtStop ?? START_POSITION, await b.store.headPosition())).toBe(-1);

      const committed: string[] = [];
      let dumpAtLastCommit: Promise<Record<string, string[]>> | undefined;
      let failedBatch: readonly RecordedEvent[] = [];
      let metricRowsInsideFailedTransaction = 0;
      let reportCrash!: (error: unknown) => void;
      const crashReported = new Promise<unknown>((resolve) => (reportCrash = resolve));
      // Same name as the real projector: it takes over the real checkpoint and tables.
      const doomed = new Projector(
        b.db,
        b.store,
        crashingReadModels(3, 'metric_history', (events, rows) => {
          failedBatch = events;
          metricRowsInsideFailedTransaction = rows;
        }),
        {
          name: PROJECTOR,
          batchSize: 20,
          onBatch: (_, checkpoint) => {
            committed.push(checkpoint);
            // Nothing commits after the last good batch, so this dump is the state it left, whenever it runs.
            dumpAtLastCommit = dumpTrackingTables(b.db);
            dumpAtLastCommit.catch(() => {});
          },
          onError: reportCrash,
        },
      );
      await doomed.start();
      expect(await crashReported).toBeInstanceOf(SimulatedCrash);
      await doomed.stop();

      // The checkpoint is where the last committed batch left it, and the failed batch lies wholly beyond it.
      expect(committed).toHaveLength(2);
      const checkpoint = await storedCheckpoint(b.db, PROJECTOR);
      expect(checkpoint).toBe(committed[1]);
      expect(doomed.position).toBe(committed[1]);
      expect(comparePositions(failedBatch[0].position, committed[1])).toBe(1);

      // The failed batch did write rows inside its transaction; none of them survived, in any table.
      expect(await dumpTrackingTables(b.db)).toEqual(await dumpAtLastCommit);
      const committedPrefix = await readLog(b.store, checkpoint);
      const failedBatchPoints = countMetricPoints(failedBatch);
      expect(failedBatchPoints).toBeGreaterThan(0);
      expect(metricRowsInsideFailedTransaction).toBe(countMetricPoints(committedPrefix) + failedBatchPoints);
      expect(await metricHistoryRowCount(b.db)).toBe(countMetricPoints(committedPrefix));
      const { rows: runs } = await b.db.query<{ n: number }>('select count(*)::int as n from runs');
      expect(runs[0].n).toBe(countEventsOfType(committedPrefix, 'RunCreated'));

      // A normal projector resumes from that checkpoint and ends where a full replay does.
      await b.projector.start();
      await b.projector.catchUp(20_000);
      const dump = await expectEqualToRebuild(b);
      expect(dump.metric_history).toHaveLength(live.metricPoints + offline.metricPoints);
      expect(dump.runs).toHaveLength(live.runIds.length + offline.runIds.length);
    } finally {
      await b.close();
    }
  });

  describe.skipIf(!usingPostgres)('on Postgres, across processes', () => {
    it('SIGKILLed while projecting in another process: the parent resumes and ends equal to a rebuild', async () => {
      const testDb = await openTestDb();
      const backend = await openBackend({ db: testDb.db, channel: testDb.channel, startProjector: false });
      let child: ChildProcess | undefined;
      try {
        const writer = trackingWithoutReadYourWrites(backend);
        await writer.ensureDefaultExperiment(ctx());
        const workload = await runTrainingWorkload(writer, 'big', { experiments: 2, runsPerExperiment: 3, batchesPerRun: 3, pointsPerBatch: 4 });
        // Straight to the store, past command validation (which would refuse metrics for the one deleted run): the projector does not mind.
        const backlogPoints = await appendMetricBacklog(backend.store, workload.runIds, { eventsPerRun: 500, pointsPerEvent: 8, eventsPerAppend: 50 });
        await waitUntilCommittedEventsVisible(backend.db, backend.store);
        const head = await backend.store.headPosition();
        const log = await readLog(backend.store);
        expect(log.length).toBeGreaterThan(3000);

        const script = fileURLToPath(new URL('./support/projectorProcess.ts', import.meta.url));
        const spawned = spawn(process.execPath, ['--import', 'tsx', script, process.env.DATABASE_URL ?? '', testDb.schema ?? '', testDb.channel], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = spawned;
        let childOutput = '';
        spawned.stdout.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
        spawned.stderr.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
        const exited = once(spawned, 'exit');
        exited.catch(() => {}); // a spawn failure surfaces through the poll below

        // Kill it as soon as its first batch has committed: it is then in the middle of the backlog.
        await pollUntil(async () => {
          if (spawned.exitCode !== null) throw new Error(`projector process exited early: ${childOutput}`);
          return ((await storedCheckpoint(backend.db, PROJECTOR)) ?? START_POSITION) !== START_POSITION;
        }, 30_000, 2);
        spawned.kill('SIGKILL');
        const [, signal] = await exited;
        expect(signal).toBe('SIGKILL');

        // One statement, one snapshot: the checkpoint and the rows it vouches for.
        const { rows } = await backend.db.query<{ position: string; points: number }>(
          `select (select position from projection_checkpoints where projector = $1) as position,
                  (select count(*)::int from metric_history) as points`,
          [PROJECTOR],
        );
        const killedAt = rows[0].position;
        expect(comparePositions(killedAt, START_POSITION)).toBe(1);
        expect(comparePositions(killedAt, head)).toBe(-1); // it really died with work left
        expect(rows[0].points).toBe(countMetricPoints(await readLog(backend.store, killedAt)));

        await backend.projector.start();
        await backend.projector.catchUp(30_000);
        const dump = await expectEqualToRebuild(backend);
        expect(dump.metric_history).toHaveLength(workload.metricPoints + backlogPoints);
        expect(dump.runs).toHaveLength(workload.runIds.length);
      } finally {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await backend.close();
        await testDb.drop();
      }
    });

    it('two projectors with the same name on two connection pools end exactly equal to a rebuild', async () => {
      const testDb = await openTestDb();
      const secondDb = await testDb.reopen();
      const projectorErrors: unknown[] = [];
      const committedBatches = [0, 0];
      // Two servers wired as openBackend wires them, with a batch counter on each projector.
      const openServer = async (db: SqlDb, index: number): Promise<Backend> => {
        const store = await createPostgresEventStore(db, { channel: testDb.channel });
        const projector = new Projector(db, store, trackingReadModels, {
          name: PROJECTOR,
          onBatch: () => committedBatches[index]++,
          onError: (error) => projectorErrors.push(error),
        });
        const tracking = new TrackingService({ store, projector, readDb: db });
        await projector.start();
        await tracking.ensureDefaultExperiment(ctx());
        return {
          db,
          store,
          projector,
          tracking,
          async close() {
            await projector.stop();
            await store.close();
          },
        };
      };
      const first = await openServer(testDb.db, 0);
      let second: Backend | undefined;
      try {
        second = await openServer(secondDb, 1);
        // Both servers write at once, each through its own projector's read-your-writes, and share one run.
        const shared = await first.tracking.createRun({ experimentId: '0', runName: 'shared' }, ctx());
        let sharedPoints = 0;
        const logShared = async (tracking: TrackingService, from: number) => {
          for (let i = 0; i < 20; i++) {
            await tracking.logBatch({ runId: shared, metrics: [{ key: 'shared', value: from + i, timestamp: from + i, step: i }] }, ctx());
            sharedPoints++;
          }
        };
        const [a, b] = await Promise.all([
          runTrainingWorkload(first.tracking, 'first', { experiments: 1, runsPerExperiment: 3, batchesPerRun: 30, pointsPerBatch: 5 }),
          runTrainingWorkload(second.tracking, 'second', { experiments: 1, runsPerExperiment: 3, batchesPerRun: 30, pointsPerBatch: 5 }),
          logShared(first.tracking, 0),
          logShared(second.tracking, 1000),
        ]);
        await first.projector.catchUp(20_000);
        await second.projector.catchUp(20_000);
        await second.projector.stop(); // the rebuild below drops tables under it otherwise
        const liveBatches = [...committedBatches];
        const dump = await expectEqualToRebuild(first);
        expect(dump.metric_history).toHaveLength(a.metricPoints + b.metricPoints + sharedPoints);
        expect(projectorErrors).toEqual([]);
        expect(liveBatches.every((n) => n > 0)).toBe(true); // both really projected, not one idling
      } finally {
        await second?.close();
        await secondDb.close();
        await first.close();
        await testDb.drop();
      }
    });
  });

  it('rebuild() drops and replays to identical tables, reporting progress for every event', async () => {
    const b = await openTestBackend();
    try {
      await runTrainingWorkload(b.tracking, 'rebuild', { experiments: 2, runsPerExperiment: 3, batchesPerRun: 15, pointsPerBatch: 10 });
      const before = await dumpTrackingTables(b.db);
      const progress: number[] = [];
      await b.projector.rebuild((events) => progress.push(events));
      expect(await dumpTrackingTables(b.db)).toEqual(before);
      const eventCount = (await readLog(b.store)).length;
      expect(progress.reduce((sum, n) => sum + n, 0)).toBe(eventCount);
      expect(await storedCheckpoint(b.db, PROJECTOR)).toBe(await b.store.headPosition());

      // With small batches the replay runs in many bounded transactions (one huge one would stall live readers), same result.
      await b.projector.stop();
      const smallBatches = new Projector(b.db, b.store, trackingReadModels, { name: PROJECTOR, batchSize: 10 });
      const smallProgress: number[] = [];
      await smallBatches.rebuild((events) => smallProgress.push(events));
      expect(smallProgress.reduce((sum, n) => sum + n, 0)).toBe(eventCount);
      expect(smallProgress.every((n) => n <= 40)).toBe(true);
      expect(smallProgress.length).toBe(Math.ceil(eventCount / 40));
      expect(await dumpTrackingTables(b.db)).toEqual(before);
      await b.projector.start();

      // It came back running: writes still reach the read models.
      const experimentId = await b.tracking.createExperiment({ name: 'after-rebuild' }, ctx());
      expect(await findExperimentByName(b.db, 'after-rebuild')).toMatchObject({ experimentId });
    } finally {
      await b.close();
    }
  });

  it('a write whose projection does not come in time fails with DEADLINE_EXCEEDED, yet is stored', async () => {
    const b = await openTestBackend();
    try {
      await b.projector.stop();
      const impatient = new TrackingService({ store: b.store, projector: b.projector, readDb: b.db, readYourWritesTimeoutMs: 100 });
      const startedAt = Date.now();
      const error = await impatient.createExperiment({ name: 'never-projected' }, ctx()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('DEADLINE_EXCEEDED');

      const created = (await b.store.readStream(EXPERIMENTS_STREAM)).filter((e) => e.type === 'ExperimentCreated' && (e.data as { name: string }).name === 'never-projected');
      expect(created).toHaveLength(1);
      expect(await findExperimentByName(b.db, 'never-projected')).toBeUndefined();

      // Once a projector runs again the write shows up.
      await b.projector.start();
      await waitUntilCommittedEventsVisible(b.db, b.store);
      await b.projector.catchUp(10_000);
      expect(await findExperimentByName(b.db, 'never-projected')).toMatchObject({ experimentId: (created[0].data as { experimentId: string }).experimentId });
    } finally {
      await b.close();
    }
  });
});
