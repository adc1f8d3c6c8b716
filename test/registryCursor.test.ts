import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, liveClient, within } from './support/liveClient.ts';
import { startLiveTestApp, type LiveTestApp } from './support/liveTestApp.ts';
import { backendName } from './support/testDb.ts';

const AUDIT = `subscription ($name: String!, $after: String) { registryAuditTrail(name: $name, after: $after) { cursor kind } }`;
const STAGE = `query ($name: String!) { modelVersion(name: $name, version: 1) { ... on ModelVersion { currentStage } } }`;

describe(`registryCursor: reading what a registry subscription announced (${backendName})`, () => {
  let t: LiveTestApp;
  beforeAll(async () => {
    t = await startLiveTestApp();
  });
  afterAll(() => t?.close());

  const cursor = async (atLeast?: string) => (await t.gql<{ registryCursor: string }>('query ($a: String) { registryCursor(atLeast: $a) }', { a: atLeast ?? null })).registryCursor;
  const stage = async () => (await t.gql<{ modelVersion: { currentStage: string } }>(STAGE, { name: 'seam-model' })).modelVersion.currentStage;

  it('with atLeast, answers once the read models show the event at that cursor, though the log had it first', async () => {
    await t.gql(`mutation { createRegisteredModel(input: { name: "seam-model" }) { __typename } }`);
    await t.gql(`mutation { createModelVersion(input: { name: "seam-model", source: "s3://b/m" }) { __typename } }`);
    const before = await cursor();
    expect(before).toMatch(/^\d{20}:\d{20}$/);
    // The registry's read models stop following the log: the next event is in the log only.
    const projector = t.app.backend.registryProjector;
    await projector.stop();
    const client = liveClient(t.wsUrl);
    let restarted = false;
    try {
      const announced = collect<{ registryAuditTrail: { cursor: string; kind: string } }>(client, AUDIT, { name: 'seam-model', after: before }, (r) => r.length > 0);
      // The mutation answers only once its event is visible, so it is not awaited here.
      const transition = t.gql(`mutation { transitionModelVersionStage(name: "seam-model", version: 1, stage: Staging) { __typename } }`);
      const [entry] = (await within(announced, 30_000, 'the transition in the audit stream')).map((r) => r.data!.registryAuditTrail);
      expect(entry.kind).toBe('STAGE_TRANSITIONED');
      expect(entry.cursor > before).toBe(true);

      let answered: string | undefined;
      const caughtUp = cursor(entry.cursor).then((c) => (answered = c));
      // What a page reloading at once would read: the read models do not show the announced change.
      expect(await stage()).toBe('None');
      expect(answered).toBeUndefined();

      await projector.start();
      restarted = true;
      expect(await caughtUp >= entry.cursor).toBe(true);
      expect(await stage()).toBe('Staging');
      await transition;
    } finally {
      if (!restarted) await projector.start();
      await client.dispose();
    }
    // Without atLeast it answers at once; a cursor not from this server is refused.
    expect(await cursor()).toMatch(/^\d{20}:\d{20}$/);
    await expect(cursor('yesterday')).rejects.toThrow(/atLeast/);
  });
});
