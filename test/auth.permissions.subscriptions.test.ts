import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorization, startAuthTestApp, type AuthTestApp, type Credentials } from './support/authTestApp.ts';

interface Message {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The first message a subscription sends within ms (replaying from the start), or undefined when it stays silent. */
async function firstMessage(url: string, credentials: Credentials, query: string, variables: Record<string, unknown>, ms = 3_000): Promise<Message | undefined> {
  const client = createClient({ url: url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: authorization(credentials) });
  try {
    return await new Promise<Message | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      client.subscribe(
        { query, variables },
        {
          next: (value) => {
            clearTimeout(timer);
            resolve(value as Message);
          },
          error: (error) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => {},
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** Every subscription field, started as a user without READ and as a reader. */
describe('permissions on GraphQL subscriptions', () => {
  let t: AuthTestApp;
  let run: string;
  let exp: string;

  beforeAll(async () => {
    t = await startAuthTestApp({ defaultPermission: 'NO_PERMISSIONS' });
    const admin = t.admin;
    exp = (await admin.ok<{ experiment_id: string }>('POST', 'experiments/create', { name: 'sub-exp' })).experiment_id;
    run = (await admin.ok<{ run: { info: { run_id: string } } }>('POST', 'runs/create', { experiment_id: exp })).run.info.run_id;
    await admin.ok('POST', 'runs/log-metric', { run_id: run, key: 'm', value: 1, timestamp: 1 });
    await admin.ok('POST', 'registered-models/create', { name: 'sub-model' });
    await admin.ok('POST', 'model-versions/create', { name: 'sub-model', source: `runs:/${run}/model` });
    await admin.ok('POST', 'model-versions/transition-stage', { name: 'sub-model', version: '1', stage: 'Staging', archive_existing_versions: false });
    await admin.ok('POST', 'registered-models/alias', { name: 'sub-model', alias: 'champion', version: '1' });
    await t.user('nobody');
    await t.user('reader');
    await admin.ok('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'reader', permission: 'READ' });
    await admin.ok('POST', 'registered-models/permissions/create', { name: 'sub-model', username: 'reader', permission: 'READ' });
  }, 120_000);
  afterAll(() => t?.close());

  const subscriptions: { field: string; query: string; variables: () => Record<string, unknown>; replays: boolean }[] = [
    { field: 'runMetrics', query: 'subscription($r: [ID!]!) { runMetrics(runIds: $r, fromStart: true) { runId } }', variables: () => ({ r: [run] }), replays: true },
    { field: 'runStatusChanges', query: 'subscription($r: [ID!]!) { runStatusChanges(runIds: $r, fromStart: true) { status } }', variables: () => ({ r: [run] }), replays: true },
    { field: 'newRuns', query: 'subscription($e: ID!) { newRuns(experimentId: $e, fromStart: true) { runId } }', variables: () => ({ e: exp }), replays: true },
    { field: 'modelStageChanges', query: 'subscription { modelStageChanges(name: "sub-model", fromStart: true) { toStage } }', variables: () => ({}), replays: true },
    { field: 'modelAliasChanges', query: 'subscription { modelAliasChanges(name: "sub-model", fromStart: true) { alias } }', variables: () => ({}), replays: true },
    { field: 'registryAuditTrail', query: 'subscription { registryAuditTrail(name: "sub-model", fromStart: true) { actor } }', variables: () => ({}), replays: true },
    { field: 'monitoringAlerts', query: 'subscription { monitoringAlerts(model: "sub-model", fromStart: true) { model } }', variables: () => ({}), replays: false },
  ];

  it.each(subscriptions.map((s) => [s.field, s] as const))('%s: refused without READ, delivered with it', async (_field, s) => {
    const refused = await firstMessage(t.url, { basic: { username: 'nobody', password: 'nobody-password-1' } }, s.query, s.variables());
    expect(refused?.errors?.[0].extensions?.code).toBe('PERMISSION_DENIED');
    expect(refused?.data ?? null).toBeNull();
    const allowed = await firstMessage(t.url, { basic: { username: 'reader', password: 'reader-password-1' } }, s.query, s.variables(), s.replays ? 10_000 : 1_000);
    if (s.replays) expect(allowed?.data).toBeTruthy();
    expect(allowed?.errors).toBeUndefined();
  });
});
