import { buildApp, type App, type AppConfig } from '../../src/server/buildApp.ts';
import { createLogger } from '../../src/server/logger.ts';
import { ManualClock } from '../../src/monitoring/clock.ts';
import { commandContext } from '../../src/tracking/commandContext.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export interface MonitoringTestApp {
  app: App;
  url: string;
  clock: ManualClock;
  testDb: TestDb;
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** POSTs JSON lines (or a JSON body) to a monitoring REST path. */
  post(path: string, body: string, contentType?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Registers a model with versions 1..n (version 1 made from `runId` when given). */
  registerModel(name: string, versions: number, runId?: string): Promise<void>;
  /** Stops the server but keeps the database (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);

/** A real server on a fresh test database, with a manual monitoring clock and, by default, no background schedules. */
export async function startMonitoringApp(options: { monitoring?: AppConfig['monitoring']; now?: number } = {}): Promise<MonitoringTestApp> {
  const testDb = await openTestDb();
  const clock = new ManualClock(options.now ?? T0);
  const monitoring = options.monitoring ?? { evaluateEveryMs: 0, deliverEveryMs: 0, onNewDataAfterMs: 0 };
  const open = async () => {
    const db = testDb.schema ? await testDb.reopen() : testDb.db;
    const app = await buildApp({ db, channel: testDb.channel, createEventStore: testDb.createEventStore, port: 0, user: 'tester', logger: createLogger('silent'), clock, monitoring });
    return { app, url: await app.start(), db };
  };
  let current = await open();
  const handle: MonitoringTestApp = {
    get app() {
      return current.app;
    },
    get url() {
      return current.url;
    },
    clock,
    testDb,
    async graphql(query, variables) {
      const response = await fetch(`${current.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    async post(path, body, contentType = 'application/x-ndjson') {
      const response = await fetch(`${current.url}/api/2.0/mlledger/monitoring/${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async get(path) {
      const response = await fetch(`${current.url}/api/2.0/mlledger/monitoring/${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async registerModel(name, versions, runId) {
      const ctx = commandContext('tester');
      await current.app.backend.registry.createRegisteredModel({ name, tags: [] }, ctx);
      for (let v = 1; v <= versions; v++) {
        await current.app.backend.registry.createModelVersion({ name, source: v === 1 && runId ? `runs:/${runId}/model` : `s3://models/${name}/${v}`, ...(v === 1 && runId ? { runId } : {}) }, ctx);
      }
    },
    async restart() {
      await current.app.stop();
      if (testDb.schema) await current.db.close().catch(() => undefined);
      current = await open();
    },
    async close() {
      await current.app.stop();
      if (testDb.schema && current.db !== testDb.db) await current.db.close().catch(() => undefined);
      await testDb.drop();
    },
  };
  return handle;
}

/** JSON lines from objects. */
export const ndjson = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
