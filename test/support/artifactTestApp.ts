import type { ArtifactStore } from '../../src/artifacts/artifactStore.ts';
import { buildApp, type App } from '../../src/server/buildApp.ts';
import { createLogger } from '../../src/server/logger.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export interface ArtifactTestApp {
  app: App;
  url: string;
  /** The artifact proxy's base: …/api/2.0/mlflow-artifacts */
  artifactsUrl: string;
  close(): Promise<void>;
}

/** A real server on a random port over a fresh test database, with a chosen artifact store (default: a temp folder). */
export async function startArtifactTestApp(options: { artifacts?: ArtifactStore } = {}): Promise<ArtifactTestApp> {
  const testDb = await openTestDb();
  const app = await buildApp({ db: testDb.db, channel: testDb.channel, createEventStore: testDb.createEventStore, port: 0, user: 'tester', logger: createLogger('silent'), artifacts: options.artifacts });
  const url = await app.start();
  return {
    app,
    url,
    artifactsUrl: `${url}/api/2.0/mlflow-artifacts`,
    async close() {
      await app.stop();
      await testDb.drop();
    },
  };
}
