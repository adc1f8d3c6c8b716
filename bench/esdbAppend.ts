/**
 * EventStoreDB adapter benchmark: appends per second and projection rate through
 * the adapter, against the in-process gRPC test double by default (or a real
 * server with --url / EVENTSTORE_URL), printed beside the same workload on the
 * embedded PGlite store.
 *
 * RELATIVE FIGURES ONLY. The test double keeps its log in memory and shares this
 * process (and its CPU) with the client; it says nothing about EventStoreDB's
 * own speed, fsync, replication or network. Use it to compare changes to the
 * adapter, not to size a deployment. Prints figures; asserts nothing.
 *
 *   npm run bench:esdb                 default run (~1 min)
 *   npm run bench:esdb -- --quick      small run (~15 s), to check the bench itself
 *   --events N  --concurrency 1,8,32  --url esdb://host:2113?tls=false
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openPgliteDb } from '../src/db/pgliteDb.ts';
import type { NewEvent } from '../src/events/eventEnvelope.ts';
import type { EventStore } from '../src/events/eventStore.ts';
import { createEsdbEventStore } from '../src/events/esdb/esdbEventStore.ts';
import { createPostgresEventStore } from '../src/events/postgres/postgresEventStore.ts';
import { openBackend } from '../src/server/openBackend.ts';
import { startEsdbTestServer } from '../test/support/esdb/esdbTestServer.ts';
import { appendMetricBacklog } from '../test/support/trackingWorkload.ts';
import { RunCreated, runStream } from '../src/events/runEvents.ts';
import { commandContext, metadataFor } from '../src/tracking/commandContext.ts';
import { formatInteger, markdownTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    events: { type: 'string' },
    concurrency: { type: 'string' },
    url: { type: 'string', default: process.env.EVENTSTORE_URL },
  },
});
const quick = values.quick ?? false;
const appendsPerCase = Number(values.events ?? (quick ? 2_000 : 10_000));
const concurrencies = (values.concurrency ?? (quick ? '1,16' : '1,8,32')).split(',').map(Number);
const backlog = quick ? { runs: 8, eventsPerRun: 100 } : { runs: 20, eventsPerRun: 500 };

interface Target {
  name: string;
  openStore(): Promise<{ store: EventStore; close(): Promise<void> }>;
  /** The backend for the projection case, read models in fresh in-memory PGlite. */
  openBackendFactory(): Promise<{ createEventStore?: () => Promise<EventStore>; close(): Promise<void> }>;
}

const esdbTarget: Target = {
  name: values.url ? `EventStoreDB at ${values.url}` : 'EventStoreDB adapter → in-process test double',
  async openStore() {
    const server = values.url ? undefined : await startEsdbTestServer();
    const store = await createEsdbEventStore({ connectionString: values.url ?? server!.url });
    return { store, close: async () => (await store.close(), await server?.stop()) };
  },
  async openBackendFactory() {
    const server = values.url ? undefined : await startEsdbTestServer();
    const connectionString = values.url ?? server!.url;
    return { createEventStore: () => createEsdbEventStore({ connectionString }), close: async () => void (await server?.stop()) };
  },
};

const pgliteTarget: Target = {
  name: 'PGlite store (in memory), for comparison',
  async openStore() {
    const db = await openPgliteDb();
    const store = await createPostgresEventStore(db);
    return { store, close: async () => (await store.close(), await db.close()) };
  },
  async openBackendFactory() {
    return { close: async () => {} };
  },
};

function event(i: number): NewEvent {
  return { type: 'BenchAppended', version: 1, data: { i, payload: 'x'.repeat(100) }, metadata: { eventId: randomUUID(), recordedAt: new Date().toISOString(), actor: 'bench', correlationId: randomUUID() } };
}

/** Appends `total` events, one or `perAppend` per call, from `concurrency` writers on streams of their own. */
async function appendRate(store: EventStore, total: number, concurrency: number, perAppend: number): Promise<number> {
  const prefix = randomUUID().slice(0, 8);
  const perWriter = Math.ceil(total / concurrency);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let revision = -1;
      for (let i = 0; i < perWriter; i += perAppend) {
        const events = Array.from({ length: Math.min(perAppend, perWriter - i) }, (_, k) => event(i + k));
        const result = await store.appendToStream(`bench-${prefix}-${w}`, events, { expectedRevision: revision < 0 ? 'no_stream' : revision });
        revision = result.nextExpectedRevision;
      }
    }),
  );
  return (perWriter * concurrency) / ((performance.now() - started) / 1000);
}

/** Metric events in the log, then the tracking projector started cold: events per second until caught up. */
async function projectionRate(target: Target): Promise<{ events: number; live: number; rebuild: number }> {
  const factory = await target.openBackendFactory();
  const backend = await openBackend({ createEventStore: factory.createEventStore, startProjector: false });
  try {
    const runIds = Array.from({ length: backlog.runs }, () => randomUUID().replace(/-/g, ''));
    for (const runId of runIds) {
      const created = RunCreated.create({ runId, experimentId: '0', runName: `bench-${runId.slice(0, 6)}`, userId: 'bench', startTime: 1, artifactUri: '', tags: [] }, metadataFor(commandContext('bench'), 0));
      await backend.store.appendToStream(runStream(runId), [created], { expectedRevision: 'no_stream' });
    }
    await appendMetricBacklog(backend.store, runIds, { eventsPerRun: backlog.eventsPerRun, pointsPerEvent: 5, eventsPerAppend: 50 });
    const events = backlog.runs * (backlog.eventsPerRun + 1);
    let started = performance.now();
    await backend.projector.start();
    await backend.projector.catchUp(600_000);
    const live = events / ((performance.now() - started) / 1000);
    started = performance.now();
    await backend.projector.rebuild();
    const rebuild = events / ((performance.now() - started) / 1000);
    return { events, live, rebuild };
  } finally {
    await backend.close();
    await factory.close();
  }
}

console.log('# EventStoreDB adapter benchmark — RELATIVE FIGURES ONLY');
console.log(`The test double is an in-memory model in this same process; these numbers compare adapter changes, they are not EventStoreDB's speed.`);
console.log(`node ${process.version}, ${cpus().length} cpu(s), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

const rows: string[][] = [];
for (const target of [esdbTarget, pgliteTarget]) {
  for (const [perAppend, label] of [[1, 'single-event appends'], [50, 'appends of 50 events']] as const) {
    for (const concurrency of concurrencies) {
      const { store, close } = await target.openStore();
      try {
        await appendRate(store, Math.min(200, appendsPerCase), concurrency, perAppend); // warm-up
        const rate = await appendRate(store, appendsPerCase, concurrency, perAppend);
        rows.push([target.name, label, String(concurrency), formatInteger(rate)]);
      } finally {
        await close();
      }
    }
  }
}
console.log('## Appends');
console.log(markdownTable(['store', 'case', 'writers', 'events/s'], rows));

const projectionRows: string[][] = [];
for (const target of [esdbTarget, pgliteTarget]) {
  const result = await projectionRate(target);
  projectionRows.push([target.name, formatInteger(result.events), formatInteger(result.live), formatInteger(result.rebuild)]);
}
console.log('\n## Projection (tracking read models in in-memory PGlite)');
console.log(markdownTable(['store', 'events', 'subscription catch-up events/s', 'rebuild (readAll) events/s'], projectionRows));
