import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgDb } from '../src/db/pgDb.ts';
import type { RecordedEvent } from '../src/events/eventEnvelope.ts';
import type { EventStore } from '../src/events/eventStore.ts';
import { createEsdbEventStore } from '../src/events/esdb/esdbEventStore.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { REGISTERED_MODELS_STREAM } from '../src/events/registryEvents.ts';
import { readLog } from '../src/migration/readLog.ts';
import { verifyRegistryChains } from '../src/registry/verifyRegistryChains.ts';
import { openBackend } from '../src/server/openBackend.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { cliPath, gql, runCli, startServerProcess } from './support/cliProcess.ts';
import { startEsdbTestServer, type EsdbTestServer } from './support/esdb/esdbTestServer.ts';
import { usingPostgres } from './support/testDb.ts';
import { runTrainingWorkload, trackingWithoutReadYourWrites } from './support/trackingWorkload.ts';

/** Every child runs on embedded stores unless a test names Postgres itself. */
const childEnv: NodeJS.ProcessEnv = { DATABASE_URL: '', MLLEDGER_DB_SCHEMA: '', MLLEDGER_EVENT_STORE: '', EVENTSTORE_URL: '', MLLEDGER_ARTIFACTS: '', LOG_LEVEL: 'info' };

async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of readLog(store, { pageSize: 1000 })) events.push(event);
  return events;
}

/** What must survive a copy, with the store-specific position left out. */
const portable = ({ position: _position, ...event }: RecordedEvent) => event;

/**
 * `mlledger migrate` as a real process, from an embedded PGlite data folder to
 * EventStoreDB (the test double) and to Postgres: killed in the middle, run
 * again, it resumes where the target stopped and ends with an exact, verified copy.
 */
// Each test runs several CLI processes over a log of ~1,000 events: generous limits for a busy 2-core machine.
describe('mlledger migrate', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'mlledger-migrate-'));
  const sourceDir = join(work, 'source');
  const from = `pglite://${sourceDir}`;
  let source: RecordedEvent[] = [];
  let sourceChainEvents = 0;
  let experimentRuns = new Map<string, number>();

  beforeAll(async () => {
    // A source with interleaved streams (concurrent runs) and hash-chained registry streams.
    const backend = await openBackend({ dataDir: sourceDir });
    const tracking = trackingWithoutReadYourWrites(backend);
    const workload = await runTrainingWorkload(tracking, 'mig', { experiments: 3, runsPerExperiment: 12, batchesPerRun: 25, pointsPerBatch: 4 });
    const ctx = () => commandContext('registrar');
    for (let m = 0; m < 3; m++) {
      await backend.registry.createRegisteredModel({ name: `model-${m}`, tags: [{ key: 'team', value: 'ml' }] }, ctx());
      for (let v = 0; v < 4; v++) await backend.registry.createModelVersion({ name: `model-${m}`, source: `s3://models/${m}/${v}`, runId: workload.runIds[v] }, ctx());
      await backend.registry.transitionModelVersionStage({ name: `model-${m}`, version: 2, stage: 'Production', archiveExistingVersions: true }, ctx());
      await backend.registry.setRegisteredModelAlias(`model-${m}`, 'champion', 2, ctx());
    }
    source = await allEvents(backend.store);
    sourceChainEvents = (await verifyRegistryChains(backend.store)).events;
    experimentRuns = new Map(workload.experimentIds.map((id) => [id, workload.runIds.length / workload.experimentIds.length]));
    await backend.close();
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Kills a migrate run once the target holds some events, then runs it again to the end. */
  async function interruptThenResume(to: string, targetCount: () => Promise<number>, { batchSize, extraArgs = [] }: { batchSize: number; extraArgs?: string[] }) {
    const args = ['migrate', '--from', from, '--to', to, '--batch-size', String(batchSize), ...extraArgs];
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...childEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let ended = false;
    void exited.then(() => (ended = true));
    try {
      while (!ended && (await targetCount()) < 150) await new Promise((r) => setTimeout(r, 20));
    } finally {
      child.kill('SIGKILL');
    }
    expect(ended, `migrate finished before it could be interrupted:\n${output}`).toBe(false);
    await exited;
    const atKill = await targetCount();
    expect(atKill).toBeGreaterThanOrEqual(150);
    expect(atKill).toBeLessThan(source.length);

    const resumed = await runCli(args, childEnv);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const counts = /\((\d+) copied now, (\d+) already there from an earlier run\)/.exec(resumed.stdout);
    // Exact resume: exactly what the killed run left, and nothing else, counts as done.
    expect(counts?.slice(1).map(Number)).toEqual([source.length - atKill, atKill]);
    expect(resumed.stdout).toContain(`events:   ${source.length} in the source, ${source.length} in the target`);
    expect(resumed.stdout).toMatch(/registry hash chains: \d+ streams, \d+ events on the target \(source \d+\), no break/);
    expect(resumed.stdout).toContain('verified: every event equal');
    expect(resumed.stderr).toMatch(/events already on the target .*events/);
    expect(resumed.stderr).toMatch(/copying events .*events/);
    return resumed;
  }

  /** Our own check, apart from the tool's: the same events in the same order, chains intact. */
  async function expectExactCopy(target: EventStore) {
    const copied = await allEvents(target);
    expect(copied.length).toBe(source.length);
    expect(copied.map(portable)).toEqual(source.map(portable));
    const chains = await verifyRegistryChains(target);
    expect(chains.breaks).toEqual([]);
    expect(chains.events).toBe(sourceChainEvents);
    expect(chains.events).toBeGreaterThan(20);
  }

  describe('to EventStoreDB (the in-process test double)', () => {
    let esdb: EsdbTestServer;
    const userEvents = () => esdb.log.records.filter((r) => !r.streamName.startsWith('$') && !r.type.startsWith('$'));
    const readModels = join(work, 'esdb-read-models');
    beforeAll(async () => {
      esdb = await startEsdbTestServer();
    });
    afterAll(async () => {
      await esdb?.stop();
    });

    it('resumes after being killed mid-copy and ends with a verified, exact copy; --rebuild builds read models a server then serves', async () => {
      const resumed = await interruptThenResume(esdb.url, async () => userEvents().length, { batchSize: 10, extraArgs: ['--rebuild', '--data-dir', readModels] });
      expect(resumed.stdout).toContain(`read models rebuilt from ${esdb.url} into ${readModels}`);
      const target = await createEsdbEventStore({ connectionString: esdb.url });
      try {
        await expectExactCopy(target);
      } finally {
        await target.close();
      }
      const server = await startServerProcess(['--data-dir', readModels, '--event-store', 'esdb'], { ...childEnv, EVENTSTORE_URL: esdb.url });
      try {
        for (const [experimentId, runs] of experimentRuns) {
          const found = await gql<{ searchRuns: { nodes: unknown[] } }>(server.url, `query($e: [ID!]!) { searchRuns(experimentIds: $e, viewType: ALL, first: 100) { nodes { id } } }`, { e: [experimentId] });
          expect(found.searchRuns.nodes.length).toBe(runs);
        }
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      // The server appended nothing on start: the default experiment came along with the copy.
      expect(userEvents().length).toBe(source.length);
    });

    it('fails verification, exit code 1, when the target no longer matches (a registry event altered)', async () => {
      const record = esdb.log.records.find((r) => r.streamName === REGISTERED_MODELS_STREAM)!;
      const original = record.data;
      const data = JSON.parse(Buffer.from(original).toString('utf8')) as Record<string, unknown>;
      record.data = Buffer.from(JSON.stringify({ ...data, name: 'forged' }));
      try {
        const result = await runCli(['migrate', '--from', from, '--to', esdb.url], childEnv);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain('verified: NO');
        expect(result.stderr).toMatch(/✗ event #\d+, RegisteredModelCreated .*: data differs on the target/);
        expect(result.stderr).toMatch(/✗ registry hash chain broken on the target at RegisteredModelCreated/);
        expect(result.stderr).toMatch(/mlledger: verification failed: the target differs from the source/);
      } finally {
        record.data = original;
      }
    });
  });

  describe('to Postgres', () => {
    const schema = `migrate_${randomBytes(5).toString('hex')}`;
    afterAll(async () => {
      if (!usingPostgres) return;
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    });

    it.skipIf(!usingPostgres)('resumes after being killed mid-copy and ends with a verified, exact copy, which copies on to EventStoreDB (needs DATABASE_URL)', async () => {
      const url = new URL(process.env.DATABASE_URL!);
      url.searchParams.set('schema', schema);
      const counter = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await counter.connect();
      const targetCount = async () => {
        const exists = await counter.query<{ found: string | null }>(`select to_regclass($1)::text as found`, [`${schema}.events`]);
        if (!exists.rows[0].found) return 0;
        const { rows } = await counter.query<{ n: string }>(`select count(*) as n from ${schema}.events`);
        return Number(rows[0].n);
      };
      try {
        // Postgres takes each page in one transaction (appendMany): small pages keep the copy slow enough to interrupt.
        const resumed = await interruptThenResume(url.toString(), targetCount, { batchSize: 4 });
        expect(resumed.stdout).toContain(`next: rebuild the read models from the new store: DATABASE_URL=`);
        expect(resumed.stdout).toContain(`MLLEDGER_DB_SCHEMA=${schema} mlledger rebuild`);
      } finally {
        await counter.end();
      }
      const db = await openPgDb({ connectionString: process.env.DATABASE_URL!, schema });
      try {
        await expectExactCopy(await createPostgresEventStore(db));
      } finally {
        await db.close();
      }

      // And on from Postgres to EventStoreDB: a Postgres source, copied in one go.
      const esdb = await startEsdbTestServer();
      try {
        const onward = await runCli(['migrate', '--from', url.toString(), '--to', esdb.url], childEnv);
        expect(onward.code, onward.stderr).toBe(0);
        expect(onward.stdout).toContain(`(${source.length} copied now, 0 already there from an earlier run)`);
        const target = await createEsdbEventStore({ connectionString: esdb.url });
        try {
          await expectExactCopy(target);
        } finally {
          await target.close();
        }
      } finally {
        await esdb.stop();
      }
    });
  });

  it('refuses a target that holds other events, before writing anything', async () => {
    const otherDir = join(work, 'other');
    const other = await openBackend({ dataDir: otherDir });
    await other.tracking.createExperiment({ name: 'unrelated' }, commandContext('someone'));
    const before = (await allEvents(other.store)).length;
    await other.close();
    const result = await runCli(['migrate', '--from', from, '--to', `pglite://${otherDir}`], childEnv);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^mlledger: the target is not a copy of the source: its event #\d+ is .* where the source has .*; migrate into an empty store$/);
    const after = await openBackend({ dataDir: otherDir, startProjector: false });
    expect((await allEvents(after.store)).length).toBe(before);
    await after.close();
  });

  it('refuses malformed or missing stores with one line naming --from or --to', async () => {
    const refusal = async (args: string[]) => {
      const result = await runCli(['migrate', ...args], childEnv);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      return result.stderr.trim();
    };
    expect(await refusal(['--from', 'mysql://db/x', '--to', 'pglite:///tmp/x'])).toMatch(/^mlledger: --from: 'mysql:\/\/db\/x' is not an event store URI; expected pglite:/);
    expect(await refusal(['--from', from, '--to', 'pglite://host/dir'])).toMatch(/^mlledger: --to: 'pglite:\/\/host\/dir' names a host/);
    expect(await refusal(['--from', `pglite://${join(work, 'nothing-here')}`, '--to', 'pglite:///tmp/x'])).toBe(`mlledger: --from: no embedded mlledger database in ${join(work, 'nothing-here')}`);
    expect(await refusal(['--from', from, '--to', `pglite:${sourceDir}/`])).toBe(`mlledger: --to: is the same store as --from (pglite://${sourceDir})`);
    expect(await refusal(['--from', from, '--to', 'postgres://postgres@127.0.0.1:1/x'])).toMatch(/^mlledger: --to: cannot connect to Postgres at 127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    expect(await refusal(['--from', from, '--to', 'esdb://'])).toMatch(/^mlledger: --to: 'esdb:\/\/' names no host/);
  });
});
