import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStream } from '../src/events/runEvents.ts';
import { authorization, startAuthTestApp, type AuthTestApp, type UserClient } from './support/authTestApp.ts';
import { startTestApp } from './support/testApp.ts';

interface RunJson {
  info: { run_id: string; user_id: string };
  data: { tags?: { key: string; value: string }[] };
}

const userTag = (run: RunJson) => run.data.tags?.find((t) => t.key === 'mlflow.user')?.value;

/** The actor of every event is whoever the credentials prove, whatever user the client names. */
describe('the actor comes from the credentials', () => {
  let t: AuthTestApp;
  let alice: UserClient;
  let exp: string;

  beforeAll(async () => {
    t = await startAuthTestApp();
    alice = await t.user('alice');
    exp = (await alice.ok<{ experiment_id: string }>('POST', 'experiments/create', { name: 'actors' })).experiment_id;
  });
  afterAll(() => t?.close());

  it('records alice on REST runs even when the client says mallory, in user_id, the mlflow.user tag and the event metadata', async () => {
    const { run } = await alice.ok<{ run: RunJson }>('POST', 'runs/create', {
      experiment_id: exp,
      user_id: 'mallory',
      tags: [{ key: 'mlflow.user', value: 'mallory' }, { key: 'mlflow.source.name', value: 'train.py' }],
    });
    expect(run.info.user_id).toBe('alice');
    expect(userTag(run)).toBe('alice');
    await alice.ok('POST', 'runs/set-tag', { run_id: run.info.run_id, key: 'mlflow.user', value: 'mallory' });
    await alice.ok('POST', 'runs/log-batch', { run_id: run.info.run_id, tags: [{ key: 'mlflow.user', value: 'mallory' }, { key: 'other', value: 'kept' }] });
    const reread = (await alice.ok<{ run: RunJson }>('GET', 'runs/get', { run_id: run.info.run_id })).run;
    expect(userTag(reread)).toBe('alice');
    expect(reread.data.tags?.find((tag) => tag.key === 'other')?.value).toBe('kept');
    const events = await t.app.backend.store.readStream(runStream(run.info.run_id));
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(new Set(events.map((e) => e.metadata.actor))).toEqual(new Set(['alice']));
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('mallory');
  });

  it('ignores a userId given to GraphQL createRun, and names alice on experiment and registry events and in the audit trail', async () => {
    const created = await alice.graphql('mutation($e: ID!) { createRun(input: { experimentId: $e, userId: "mallory" }) { ... on Run { id userId tags { key value } } } }', { e: exp });
    const run = (created.data as { createRun: { id: string; userId: string; tags: { key: string; value: string }[] } }).createRun;
    expect(run.userId).toBe('alice');
    expect(run.tags).toContainEqual({ key: 'mlflow.user', value: 'alice' });

    await alice.ok('POST', 'registered-models/create', { name: 'actor-model' });
    await alice.ok('POST', 'model-versions/create', { name: 'actor-model', source: `runs:/${run.id}/model` });
    const model = await alice.ok<{ registered_model: { user_id?: string } }>('GET', 'registered-models/get', { name: 'actor-model' });
    expect(model.registered_model.user_id ?? 'alice').toBe('alice');
    const trail = await alice.graphql('{ registryAuditTrail(name: "actor-model") { ... on AuditTrail { nodes { actor kind hash } } } }');
    const nodes = (trail.data as { registryAuditTrail: { nodes: { actor: string; kind: string; hash: string | null }[] } }).registryAuditTrail.nodes;
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(nodes.map((n) => n.actor))).toEqual(new Set(['alice']));
    expect(nodes.every((n) => n.hash !== null)).toBe(true);
    // The hash chain covers the actor: it verifies as stored.
    expect((await t.admin.graphql('{ registryChainVerification { ok } }')).data).toEqual({ registryChainVerification: { ok: true } });
    const all = await t.app.backend.store.readAll({ maxCount: 10_000 });
    const aliceWrote = all.filter((e) => ['ExperimentCreated', 'RunCreated', 'RegisteredModelCreated', 'ModelVersionCreated'].includes(e.type) && e.metadata.actor === 'alice');
    expect(aliceWrote.map((e) => e.type).sort()).toEqual(['ExperimentCreated', 'ModelVersionCreated', 'RegisteredModelCreated', 'RunCreated', 'RunCreated']);
    expect(all.some((e) => e.metadata.actor === 'mallory')).toBe(false);
  });
});

describe('the actor comes from the credentials, on GraphQL and WebSocket', () => {
  let t: AuthTestApp;
  let alice: UserClient;
  let exp: string;

  beforeAll(async () => {
    t = await startAuthTestApp({ defaultPermission: 'NO_PERMISSIONS' });
    alice = await t.user('alice');
    exp = ((await alice.graphql('mutation { createExperiment(input: { name: "gql-actors" }) { ... on Experiment { id } } }')).data as { createExperiment: { id: string } }).createExperiment.id;
  });
  afterAll(() => t?.close());

  it('keeps alice in mlflow.user whatever GraphQL setTag and logBatch send, and records the connection’s user for a mutation over WebSocket', async () => {
    const created = await alice.graphql('mutation($e: ID!) { createRun(input: { experimentId: $e, userId: "mallory", tags: [{ key: "mlflow.user", value: "mallory" }] }) { ... on Run { id userId } } }', { e: exp });
    const run = (created.data as { createRun: { id: string; userId: string } }).createRun;
    expect(run.userId).toBe('alice');
    await alice.graphql('mutation($r: ID!) { setTag(runId: $r, key: "mlflow.user", value: "mallory") { __typename } }', { r: run.id });
    await alice.graphql('mutation($r: ID!) { logBatch(runId: $r, tags: [{ key: "mlflow.user", value: "mallory" }, { key: "other", value: "kept" }]) { __typename } }', { r: run.id });

    // The same user over graphql-ws, signed in with connection_init: a mutation there names alice too.
    const ws = createClient({ url: `${t.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: authorization(alice.credentials) });
    try {
      const overWs = await new Promise<unknown>((resolve, reject) => {
        let result: unknown;
        ws.subscribe(
          { query: 'mutation($r: ID!) { setTag(runId: $r, key: "via", value: "ws") { __typename } }', variables: { r: run.id } },
          { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
        );
      });
      expect(overWs).toEqual({ data: { setTag: { __typename: 'LogResult' } } });
    } finally {
      await ws.dispose();
    }

    const reread = await alice.graphql('query($r: ID!) { run(id: $r) { userId tags { key value } } }', { r: run.id });
    const tags = (reread.data as { run: { userId: string; tags: { key: string; value: string }[] } }).run.tags;
    expect(tags).toEqual(expect.arrayContaining([{ key: 'mlflow.user', value: 'alice' }, { key: 'other', value: 'kept' }, { key: 'via', value: 'ws' }]));
    expect(tags.filter((tag) => tag.key === 'mlflow.user')).toHaveLength(1);
    const events = await t.app.backend.store.readStream(runStream(run.id));
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(new Set(events.map((e) => e.metadata.actor))).toEqual(new Set(['alice']));
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain('mallory');
  });

  it('names the approver from the credentials: the requester may not approve, an editor may not, another MANAGE holder may', async () => {
    const gql = async (user: UserClient, query: string) => (await user.graphql(query)).data as Record<string, Record<string, unknown>>;
    await gql(alice, 'mutation { createRegisteredModel(input: { name: "gated", approvalRequiredStages: [Production] }) { __typename } }');
    await gql(alice, 'mutation { createModelVersion(input: { name: "gated", source: "s3://bucket/gated/1" }) { __typename } }');
    const bob = await t.user('bob');
    const carol = await t.user('carol');
    await gql(alice, 'mutation { setRegisteredModelPermission(name: "gated", username: "bob", permission: EDIT) { __typename } }');
    await gql(alice, 'mutation { setRegisteredModelPermission(name: "gated", username: "carol", permission: MANAGE) { __typename } }');

    const requested = await gql(alice, 'mutation { requestModelVersionStageTransition(name: "gated", version: 1, stage: Production) { ... on TransitionRequest { requestId requestedBy } } }');
    expect(requested.requestModelVersionStageTransition).toEqual({ requestId: 1, requestedBy: 'alice' });
    const approve = 'mutation { approveTransitionRequest(name: "gated", requestId: 1, comment: "ok") { __typename ... on DomainError { code } ... on SelfApprovalError { code } ... on TransitionRequest { status decidedBy } } }';
    expect((await gql(alice, approve)).approveTransitionRequest).toEqual({ __typename: 'SelfApprovalError', code: 'PERMISSION_DENIED' });
    expect((await gql(bob, approve)).approveTransitionRequest).toEqual({ __typename: 'DomainError', code: 'PERMISSION_DENIED' });
    expect((await gql(carol, approve)).approveTransitionRequest).toEqual({ __typename: 'TransitionRequest', status: 'APPROVED', decidedBy: 'carol' });

    const trail = await gql(alice, '{ registryAuditTrail(name: "gated") { ... on AuditTrail { nodes { kind actor } } } }');
    const nodes = (trail.registryAuditTrail as { nodes: { kind: string; actor: string }[] }).nodes;
    expect(nodes.find((n) => n.kind === 'TRANSITION_REQUESTED')?.actor).toBe('alice');
    expect(nodes.find((n) => n.kind === 'TRANSITION_APPROVED')?.actor).toBe('carol');
    expect((await t.admin.graphql('{ registryChainVerification { ok } }')).data).toEqual({ registryChainVerification: { ok: true } });
  });
});

describe('without authentication', () => {
  it('keeps the client’s user_id as MLflow does, with the local user as the actor', async () => {
    const app = await startTestApp({ user: 'osuser' });
    try {
      const created = await fetch(`${app.url}/api/2.0/mlflow/runs/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ experiment_id: '0', user_id: 'mallory', tags: [{ key: 'mlflow.user', value: 'mallory' }] }),
      });
      const { run } = (await created.json()) as { run: RunJson };
      expect(run.info.user_id).toBe('mallory');
      expect(userTag(run)).toBe('mallory');
      const [event] = await app.app.backend.store.readStream(runStream(run.info.run_id));
      expect(event.metadata.actor).toBe('osuser');
    } finally {
      await app.close();
    }
  });
});
