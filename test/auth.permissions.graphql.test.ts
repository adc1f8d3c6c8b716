import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isObjectType } from 'graphql';
import { rootRules } from '../src/auth/graphqlPolicy.ts';
import type { RequiredLevel } from '../src/auth/permissionLevel.ts';
import { schema } from '../src/schema/index.ts';
import { startAuthTestApp, type AuthTestApp, type GraphQLAnswer, type UserClient } from './support/authTestApp.ts';

interface Fixture {
  exp: string;
  run: string;
  model: string;
  monitor: string;
}

type Need = RequiredLevel | 'ANY' | 'ADMIN';

interface Case {
  need: Need;
  query: string;
  variables?: (f: Fixture, n: number) => Record<string, unknown>;
}

let counter = 0;
const next = () => ++counter;
const E = 'query($e: ID!)';

/** Every GraphQL query and mutation with the level it needs (subscriptions are tested over WebSocket below). */
const cases: Case[] = [
  { need: 'ANY', query: '{ experiments { nodes { id } } }' },
  { need: 'ANY', query: '{ registeredModels { __typename ... on DomainError { code } } }' },
  { need: 'ANY', query: '{ searchModelVersions { __typename ... on DomainError { code } } }' },
  { need: 'ANY', query: '{ trackingCursor }' },
  { need: 'ANY', query: '{ registryCursor }' },
  { need: 'ANY', query: '{ me { username isAdmin } }' },
  { need: 'ANY', query: '{ apiTokens { id } }' },
  { need: 'ANY', query: 'mutation($n: String!) { createExperiment(input: { name: $n }) { __typename ... on DomainError { code } } }', variables: (_f, n) => ({ n: `g-${n}` }) },
  { need: 'ANY', query: 'mutation($n: String!) { createRegisteredModel(input: { name: $n }) { __typename ... on DomainError { code } } }', variables: (_f, n) => ({ n: `gm-${n}` }) },
  { need: 'ANY', query: 'mutation { createApiToken(name: "mine") { __typename ... on CreatedApiToken { apiToken { id } } ... on DomainError { code } } }' },

  { need: 'READ', query: `${E} { experiment(id: $e) { id name } }`, variables: (f) => ({ e: f.exp }) },
  { need: 'READ', query: '{ experimentByName(name: "gql-exp") { id } }' },
  { need: 'READ', query: 'query($r: ID!) { run(id: $r) { id params { key } } }', variables: (f) => ({ r: f.run }) },
  { need: 'READ', query: `${E} { searchRuns(experimentIds: [$e]) { nodes { id } } }`, variables: (f) => ({ e: f.exp }) },
  { need: 'READ', query: 'query($r: ID!) { metricSeries(runIds: [$r], key: "m", maxPoints: 10) { runId } }', variables: (f) => ({ r: f.run }) },
  { need: 'READ', query: 'query($r: ID!) { compareRuns(runIds: [$r], metricKeys: ["m"], maxPoints: 10) { __typename } }', variables: (f) => ({ r: f.run }) },
  { need: 'READ', query: '{ registeredModel(name: "gql-model") { name versions { version } } }' },
  { need: 'READ', query: '{ modelVersion(name: "gql-model", version: 1) { version } }' },
  { need: 'READ', query: '{ modelVersionByAlias(name: "gql-model", alias: "champion") { version } }' },
  { need: 'READ', query: '{ transitionRequests(name: "gql-model") { __typename ... on DomainError { code } } }' },
  { need: 'READ', query: '{ registryAuditTrail(name: "gql-model") { __typename ... on DomainError { code } } }' },
  { need: 'READ', query: '{ registeredModelAsOf(name: "gql-model", at: "2100-01-01T00:00Z") { __typename ... on DomainError { code } } }' },
  { need: 'READ', query: '{ modelVersionAsOf(name: "gql-model", version: 1, at: "2100-01-01T00:00Z") { __typename ... on DomainError { code } } }' },
  { need: 'READ', query: '{ modelMonitoring(model: "gql-model", version: 1) { __typename ... on DomainError { code } } }' },
  { need: 'READ', query: '{ monitors(model: "gql-model") { id } }' },
  { need: 'READ', query: 'query($m: ID!) { monitor(id: $m) { id } }', variables: (f) => ({ m: f.monitor }) },
  { need: 'READ', query: '{ alertHistory(model: "gql-model") { __typename } }' },

  { need: 'EDIT', query: 'mutation($e: ID!, $n: String!) { renameExperiment(id: $e, newName: $n) { __typename ... on DomainError { code } } }', variables: (f, n) => ({ e: f.exp, n: `gql-renamed-${n}` }) },
  { need: 'EDIT', query: 'mutation($e: ID!) { setExperimentTag(experimentId: $e, key: "k", value: "v") { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'EDIT', query: 'mutation($e: ID!) { deleteExperimentTag(experimentId: $e, key: "k") { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'EDIT', query: 'mutation($e: ID!) { createRun(input: { experimentId: $e }) { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'EDIT', query: 'mutation($r: ID!) { updateRun(input: { runId: $r, status: RUNNING }) { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'EDIT', query: 'mutation($r: ID!, $k: String!) { logParam(runId: $r, key: $k, value: "v") { __typename ... on DomainError { code } } }', variables: (f, n) => ({ r: f.run, k: `p${n}` }) },
  { need: 'EDIT', query: 'mutation($r: ID!) { logMetric(runId: $r, key: "m", value: 1) { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'EDIT', query: 'mutation($r: ID!) { logMetrics(runId: $r, metrics: [{ key: "m", value: 2 }]) { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'EDIT', query: 'mutation($r: ID!) { setTag(runId: $r, key: "t", value: "v") { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'EDIT', query: 'mutation($r: ID!) { deleteTag(runId: $r, key: "t") { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'EDIT', query: 'mutation($r: ID!) { logBatch(runId: $r, metrics: [{ key: "m", value: 3 }]) { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'EDIT', query: 'mutation { renameRegisteredModel(name: "gql-model", newName: "gql-other") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { updateRegisteredModel(name: "gql-model", description: "d") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { setRegisteredModelTag(name: "gql-model", key: "k", value: "v") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { deleteRegisteredModelTag(name: "gql-model", key: "k") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { setRegisteredModelAlias(name: "gql-model", alias: "challenger", version: 1) { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { deleteRegisteredModelAlias(name: "gql-model", alias: "challenger") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation($s: String!) { createModelVersion(input: { name: "gql-model", source: $s }) { __typename ... on DomainError { code } } }', variables: (f) => ({ s: `runs:/${f.run}/model` }) },
  { need: 'EDIT', query: 'mutation { updateModelVersion(name: "gql-model", version: 1, description: "d") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { setModelVersionTag(name: "gql-model", version: 1, key: "k", value: "v") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { deleteModelVersionTag(name: "gql-model", version: 1, key: "k") { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { transitionModelVersionStage(name: "gql-model", version: 1, stage: Staging) { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { requestModelVersionStageTransition(name: "gql-model", version: 1, stage: Production) { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation($q: String!) { logPredictions(model: "gql-model", predictions: [{ requestId: $q, version: 1, predictedClass: "a" }]) { __typename ... on DomainError { code } } }', variables: (_f, n) => ({ q: `q${n}` }) },
  { need: 'EDIT', query: 'mutation { logGroundTruth(model: "gql-model", labels: [{ requestId: "q1", label: "a" }]) { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation { freezeReferenceProfile(model: "gql-model", version: 1, features: [{ name: "x", kind: NUMERIC, numbers: [1, 2, 3] }]) { __typename ... on DomainError { code } } }' },
  { need: 'EDIT', query: 'mutation($n: String!) { createMonitor(input: { model: "gql-model", version: 1, name: $n, metric: "accuracy", threshold: 0.5, windowMs: 3600000 }) { __typename ... on DomainError { code } } }', variables: (_f, n) => ({ n: `mon-${n}` }) },
  { need: 'EDIT', query: 'mutation { evaluateMonitors(model: "gql-model") { __typename ... on DomainError { code } } }' },

  { need: 'MANAGE', query: `${E} { experimentPermissions(experimentId: $e) { username permission } }`, variables: (f) => ({ e: f.exp }) },
  { need: 'MANAGE', query: '{ registeredModelPermissions(name: "gql-model") { username } }' },
  { need: 'MANAGE', query: 'mutation($e: ID!) { setExperimentPermission(experimentId: $e, username: "extra", permission: READ) { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'MANAGE', query: 'mutation($e: ID!) { deleteExperimentPermission(experimentId: $e, username: "extra") { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'MANAGE', query: 'mutation { setRegisteredModelPermission(name: "gql-model", username: "extra", permission: READ) { __typename ... on DomainError { code } } }' },
  { need: 'MANAGE', query: 'mutation { deleteRegisteredModelPermission(name: "gql-model", username: "extra") { __typename ... on DomainError { code } } }' },
  { need: 'MANAGE', query: 'mutation { setModelApprovalPolicy(name: "gql-model", stages: []) { __typename ... on DomainError { code } } }' },
  { need: 'MANAGE', query: 'mutation { rejectTransitionRequest(name: "gql-model", requestId: 1, comment: "no") { __typename ... on DomainError { code } } }' },
  { need: 'MANAGE', query: 'mutation { approveTransitionRequest(name: "gql-model", requestId: 2, comment: "ok") { __typename ... on DomainError { code } } }' },
  { need: 'MANAGE', query: 'mutation($r: ID!) { deleteRun(id: $r) { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'MANAGE', query: 'mutation($r: ID!) { restoreRun(id: $r) { __typename ... on DomainError { code } } }', variables: (f) => ({ r: f.run }) },
  { need: 'MANAGE', query: 'mutation($e: ID!) { deleteExperiment(id: $e) { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'MANAGE', query: 'mutation($e: ID!) { restoreExperiment(id: $e) { __typename ... on DomainError { code } } }', variables: (f) => ({ e: f.exp }) },
  { need: 'EDIT', query: 'mutation($m: ID!) { deleteMonitor(id: $m) { __typename ... on DomainError { code } } }', variables: (f) => ({ m: f.monitor }) },
  { need: 'MANAGE', query: 'mutation { deleteModelVersion(name: "gql-model", version: 2) { __typename ... on DomainError { code } } }' },
  { need: 'MANAGE', query: 'mutation { deleteRegisteredModel(name: "gql-model") { __typename ... on DomainError { code } } }' },

  { need: 'ADMIN', query: '{ users { username } }' },
  { need: 'ADMIN', query: '{ registryChainVerification { ok } }' },
  { need: 'ADMIN', query: '{ monitoringWebhooks { id } }' },
  { need: 'ADMIN', query: 'mutation { evaluateMonitors { __typename ... on DomainError { code } } }' },
  { need: 'ADMIN', query: 'mutation { registerMonitoringWebhook(input: { url: "http://127.0.0.1:9/hook" }) { __typename ... on DomainError { code } } }' },
  { need: 'ADMIN', query: 'mutation { removeMonitoringWebhook(id: "nope") { __typename ... on DomainError { code } } }' },
  { need: 'ADMIN', query: 'mutation($n: String!) { createUser(username: $n, password: "long-enough-1") { __typename ... on DomainError { code } } }', variables: (_f, n) => ({ n: `made${n}` }) },
  { need: 'ADMIN', query: 'mutation { setUserAdmin(username: "extra", isAdmin: false) { __typename ... on DomainError { code } } }' },
  { need: 'ADMIN', query: 'mutation { deleteUser(username: "nobody-such") { __typename ... on DomainError { code } } }' },
];

const LEVELS = ['NONE', 'READ', 'EDIT', 'MANAGE'] as const;
const rank = (need: Need) => (need === 'ANY' ? 0 : need === 'ADMIN' ? 99 : LEVELS.indexOf(need));
const denied = (answer: GraphQLAnswer) => (answer.errors ?? []).some((e) => e.extensions?.code === 'PERMISSION_DENIED') || JSON.stringify(answer.data ?? {}).includes('"PERMISSION_DENIED"');

describe('permissions on the GraphQL API', () => {
  let t: AuthTestApp;
  let f: Fixture;
  let users: Record<(typeof LEVELS)[number], UserClient>;

  beforeAll(async () => {
    t = await startAuthTestApp({ defaultPermission: 'NO_PERMISSIONS' });
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const answer = await t.admin.graphql(query, variables);
      if (answer.errors) throw new Error(JSON.stringify(answer.errors));
      return answer.data as Record<string, Record<string, string>>;
    };
    const exp = (await gql('mutation { createExperiment(input: { name: "gql-exp" }) { ... on Experiment { id } } }')).createExperiment.id;
    const run = (await gql('mutation($e: ID!) { createRun(input: { experimentId: $e }) { ... on Run { id } } }', { e: exp })).createRun.id;
    await gql('mutation($r: ID!) { logBatch(runId: $r, metrics: [{ key: "m", value: 1, step: 0 }], tags: [{ key: "t", value: "v" }]) { __typename } }', { r: run });
    await gql('mutation { createRegisteredModel(input: { name: "gql-model" }) { __typename } }');
    await gql('mutation { createRegisteredModel(input: { name: "gql-other" }) { __typename } }');
    await gql('mutation($s: String!) { createModelVersion(input: { name: "gql-model", source: $s }) { __typename } }', { s: `runs:/${run}/model` });
    await gql('mutation { setRegisteredModelAlias(name: "gql-model", alias: "champion", version: 1) { __typename } }');
    const monitor = (await gql('mutation { createMonitor(input: { model: "gql-model", version: 1, name: "acc", metric: "accuracy", threshold: 0.5, windowMs: 3600000 }) { ... on Monitor { id } ... on DomainError { code message } } }')).createMonitor;
    f = { exp, run, model: 'gql-model', monitor: monitor.id };
    users = { NONE: await t.user('nobody'), READ: await t.user('reader'), EDIT: await t.user('editor'), MANAGE: await t.user('manager') };
    await t.user('extra');
    for (const [level, username] of [['READ', 'reader'], ['EDIT', 'editor'], ['MANAGE', 'manager']] as const) {
      await gql(`mutation($e: ID!) { setExperimentPermission(experimentId: $e, username: "${username}", permission: ${level}) { __typename } }`, { e: exp });
      await gql(`mutation { setRegisteredModelPermission(name: "gql-model", username: "${username}", permission: ${level}) { __typename } }`);
    }
  }, 120_000);
  afterAll(() => t?.close());

  it('has a rule for every root field', () => {
    const missing: string[] = [];
    for (const [typeName, rules] of Object.entries(rootRules)) {
      const type = schema.getType(typeName);
      if (!type || !isObjectType(type)) continue;
      for (const field of Object.keys(type.getFields())) if (!(field in rules)) missing.push(`${typeName}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('refuses each query and mutation below its level with PERMISSION_DENIED, appending nothing, and lets it through at or above', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      for (const level of LEVELS) {
        const variables = c.variables?.(f, next()) ?? {};
        const before = await t.app.backend.store.headPosition();
        const answer = await users[level].graphqlRaw(c.query, variables);
        const label = `${c.query.slice(0, 90)} as ${level} (needs ${c.need}) → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
        if (LEVELS.indexOf(level) < rank(c.need)) {
          if (!denied(answer.body)) failures.push(`expected PERMISSION_DENIED: ${label}`);
          if ((await t.app.backend.store.headPosition()) !== before) failures.push(`refused but appended: ${label}`);
        } else if (denied(answer.body) || answer.status >= 500 || (answer.body.errors ?? []).some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
          failures.push(`expected through: ${label}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('checks what nested fields lead to: a readable model version does not open an unreadable run, and lists come back filtered', async () => {
    const admin = t.admin;
    const secret = (await admin.graphql('mutation { createExperiment(input: { name: "secret-exp" }) { ... on Experiment { id } } }')).data as { createExperiment: { id: string } };
    const secretRun = (await admin.graphql('mutation($e: ID!) { createRun(input: { experimentId: $e }) { ... on Run { id } } }', { e: secret.createExperiment.id })).data as {
      createRun: { id: string };
    };
    await admin.graphql('mutation { createRegisteredModel(input: { name: "public-model" }) { __typename } }');
    await admin.graphql('mutation($s: String!) { createModelVersion(input: { name: "public-model", source: $s }) { __typename } }', { s: `runs:/${secretRun.createRun.id}/model` });
    await admin.graphql('mutation { setRegisteredModelPermission(name: "public-model", username: "reader", permission: READ) { __typename } }');

    const answer = await users.READ.graphql('{ registeredModel(name: "public-model") { name versions { version runId run { id } } } }');
    expect(answer.data).toEqual({ registeredModel: { name: 'public-model', versions: [{ version: 1, runId: secretRun.createRun.id, run: null }] } });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['PERMISSION_DENIED']);
    expect(answer.errors?.[0].message).not.toMatch(/select|from|at \//i);

    const listed = async (u: UserClient) => ((await u.graphql('{ experiments(first: 1000) { nodes { name } } }')).data as { experiments: { nodes: { name: string }[] } }).experiments.nodes.map((n) => n.name);
    expect(await listed(users.READ)).not.toContain('secret-exp');
    expect(await listed(users.NONE)).not.toContain('secret-exp');
    expect(await listed(t.admin)).toContain('secret-exp');
    const models = async (u: UserClient) =>
      ((await u.graphql('{ registeredModels(first: 1000) { ... on RegisteredModelConnection { nodes { name } } } }')).data as { registeredModels: { nodes: { name: string }[] } }).registeredModels.nodes.map((n) => n.name);
    expect(await models(users.READ)).toContain('public-model');
    expect(await models(users.NONE)).not.toContain('public-model');
  });
});

describe('the default permission', () => {
  it('gives READ where nothing was granted (MLflow\'s default), and an explicit NO_PERMISSIONS takes it away', async () => {
    const t = await startAuthTestApp({ defaultPermission: 'READ' });
    try {
      const owner = await t.user('owner');
      const other = await t.user('other');
      const id = ((await owner.graphql('mutation { createExperiment(input: { name: "shared" }) { ... on Experiment { id } } }')).data as { createExperiment: { id: string } }).createExperiment.id;
      expect((await other.graphql('query($e: ID!) { experiment(id: $e) { name } }', { e: id })).data).toEqual({ experiment: { name: 'shared' } });
      expect((await other.graphql('mutation($e: ID!) { renameExperiment(id: $e, newName: "mine") { __typename ... on DomainError { code } } }', { e: id })).data).toEqual({
        renameExperiment: { __typename: 'DomainError', code: 'PERMISSION_DENIED' },
      });
      // The creator holds MANAGE: they grant and take away.
      const granted = await owner.graphql('mutation($e: ID!) { setExperimentPermission(experimentId: $e, username: "other", permission: NO_PERMISSIONS) { ... on Grants { permissions { username permission } } } }', { e: id });
      expect(granted.data).toEqual({ setExperimentPermission: { permissions: [{ username: 'other', permission: 'NO_PERMISSIONS' }, { username: 'owner', permission: 'MANAGE' }] } });
      const hidden = await other.graphql('query($e: ID!) { experiment(id: $e) { name } }', { e: id });
      expect(hidden.errors?.[0].extensions?.code).toBe('PERMISSION_DENIED');
      expect(((await other.graphql('{ experiments { nodes { name } } }')).data as { experiments: { nodes: { name: string }[] } }).experiments.nodes.map((n) => n.name)).not.toContain('shared');
      await owner.graphql('mutation($e: ID!) { deleteExperimentPermission(experimentId: $e, username: "other") { __typename } }', { e: id });
      expect((await other.graphql('query($e: ID!) { experiment(id: $e) { name } }', { e: id })).data).toEqual({ experiment: { name: 'shared' } });
    } finally {
      await t.close();
    }
  });
});
