import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access } from '../src/auth/access.ts';
import { IdentityGeneration } from '../src/auth/identityGeneration.ts';
import { mutationRules } from '../src/auth/graphqlPolicy.ts';
import type { RequiredLevel } from '../src/auth/permissionLevel.ts';
import type { SqlDb } from '../src/db/sqlDb.ts';
import { BUCKET_MS } from '../src/monitoring/bucketTime.ts';
import { buildApp, type App } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';
import { expectClose, golden } from './support/goldenMonitoring.ts';
import { ndjson, startMonitoringApp, T0, type MonitoringTestApp } from './support/monitoringTestApp.ts';
import { backendName } from './support/testDb.ts';

interface Typed {
  __typename: string;
  [field: string]: unknown;
}

interface ProfileJson {
  rows: number;
  frozenAt: number;
  features: { name: string; counts: number[] }[];
}

const discrete = golden.profiles.find((p) => p.exactOnBins);
const continuous = golden.profiles.find((p) => p.name.startsWith('normal'));
if (!discrete || !continuous) throw new Error('golden profiles missing');

const xProfile = [{ name: 'x', kind: 'NUMERIC', numbers: discrete.reference }];
const amountProfile = [{ name: 'amount', kind: 'NUMERIC', numbers: continuous.reference }];
const otherProfile = [{ name: 'other', kind: 'CATEGORICAL', categories: ['a', 'b', 'b'] }];
const PROFILE_ARG = '$profile: [ReferenceFeatureInput!]';
const ANSWER = '__typename ... on DomainError { code field message }';

describe(`a reference profile frozen when a version is registered or moved (${backendName})`, () => {
  let t: MonitoringTestApp;
  let approver: { app: App; url: string; db: SqlDb };

  async function gql<T>(query: string, variables?: Record<string, unknown>, url = t.url): Promise<T> {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  const register = (model: string, profile?: unknown) =>
    gql<{ createModelVersion: Typed }>(
      `mutation ($model: String!, ${PROFILE_ARG}) { createModelVersion(input: { name: $model, source: "s3://models/any" }, referenceProfile: $profile) { ${ANSWER} ... on ModelVersion { version } } }`,
      { model, profile },
    ).then((d) => d.createModelVersion);

  const transition = (model: string, version: number, stage: string, profile?: unknown) =>
    gql<{ transitionModelVersionStage: Typed }>(
      `mutation ($model: String!, $version: Int!, $stage: ModelStage!, ${PROFILE_ARG}) {
        transitionModelVersionStage(name: $model, version: $version, stage: $stage, referenceProfile: $profile) { ${ANSWER} ... on ModelVersion { currentStage } } }`,
      { model, version, stage, profile },
    ).then((d) => d.transitionModelVersionStage);

  const profileOf = async (model: string, version: number, url = t.url): Promise<ProfileJson | null> => {
    const data = await gql<{ modelMonitoring: { referenceProfile: ProfileJson | null } }>(
      `query ($model: String!, $version: Int!) { modelMonitoring(model: $model, version: $version) { ... on ModelMonitoring { referenceProfile { rows frozenAt features { name counts } } } } }`,
      { model, version },
      url,
    );
    return data.modelMonitoring.referenceProfile;
  };

  const versionExists = async (model: string, version: number) =>
    (await gql<{ modelVersion: unknown }>(`query ($model: String!, $version: Int!) { modelVersion(name: $model, version: $version) { version } }`, { model, version })).modelVersion !== null;

  const stageOf = async (model: string, version: number) =>
    (await gql<{ modelVersion: { currentStage: string } }>(`query ($model: String!, $version: Int!) { modelVersion(name: $model, version: $version) { currentStage } }`, { model, version }))
      .modelVersion.currentStage;

  beforeAll(async () => {
    t = await startMonitoringApp();
    for (const name of ['pricing', 'fraud']) await gql(`mutation ($name: String!) { createRegisteredModel(input: { name: $name }) { __typename } }`, { name });
    await gql(`mutation { createRegisteredModel(input: { name: "gated", approvalRequiredStages: [Production] }) { __typename } }`);
    // A second server on the same database acting as another user: approvals need one.
    const db = await t.testDb.reopen();
    const app = await buildApp({
      db,
      channel: t.testDb.channel,
      createEventStore: t.testDb.createEventStore,
      port: 0,
      user: 'approver',
      logger: createLogger('silent'),
      clock: t.clock,
      monitoring: { evaluateEveryMs: 0, deliverEveryMs: 0, onNewDataAfterMs: 0 },
    });
    approver = { app, url: await app.start(), db };
  });
  afterAll(async () => {
    await approver?.app.stop();
    if (t?.testDb.schema) await approver?.db.close().catch(() => undefined);
    await t?.close();
  });

  it('registers a version with its profile, and measures drift against it', async () => {
    expect(await register('pricing', xProfile)).toEqual({ __typename: 'ModelVersion', version: 1 });
    const profile = await profileOf('pricing', 1);
    expect(profile?.rows).toBe(discrete.reference.length);
    expect(profile?.features.map((f) => f.name)).toEqual(['x']);

    const from = T0 - 6 * BUCKET_MS;
    const rows = discrete.current.map((x, i) => ({ version: 1, requestId: `p${i}`, time: from + (i % 5) * BUCKET_MS, predictedValue: 0, features: { x } }));
    expect((await t.post('predictions?model=pricing', ndjson(rows))).body).toMatchObject({ accepted: rows.length });
    const data = await gql<{ modelMonitoring: { drift: { profiledRows: number; features: { feature: string; psi: number; ksPValue: number; bins: { reference: number; current: number }[] }[] } } }>(
      `query ($from: Long!, $to: Long!) { modelMonitoring(model: "pricing", version: 1) { ... on ModelMonitoring {
        drift(from: $from, to: $to) { profiledRows features { feature psi ksPValue bins { reference current } } } } } }`,
      { from, to: T0 },
    );
    const { drift } = data.modelMonitoring;
    expect(drift.profiledRows).toBe(rows.length);
    const [x] = drift.features;
    expect(x.feature).toBe('x');
    expect(x.bins.map((b) => b.reference)).toEqual(discrete.referenceCounts);
    expect(x.bins.map((b) => b.current)).toEqual(discrete.currentCounts);
    expectClose(x.psi, discrete.psi, 1e-12, 'psi');
    expectClose(x.ksPValue, discrete.rawKsPValue, 1e-9, 'ks p');
  });

  it('refuses a bad profile before anything is written, naming the field as GraphQL spells it', async () => {
    const badEdges = [...xProfile, { name: 'y', kind: 'NUMERIC', edges: [1, 3, 2], counts: [1, 1, 1, 1] }];
    const refused = await register('fraud', badEdges);
    expect(refused).toMatchObject({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'referenceProfile[1].edges' });
    expect(refused.message).toContain('referenceProfile[1].edges must increase strictly');
    const twice = [{ name: 'c', kind: 'CATEGORICAL', topCategories: [{ value: 'a', count: 1 }, { value: 'a', count: 2 }] }];
    expect(await register('fraud', twice)).toMatchObject({ __typename: 'DomainError', field: 'referenceProfile[0].topCategories[1].value' });
    const topK = [{ name: 'c', kind: 'CATEGORICAL', categories: ['a'], topK: 0 }];
    expect(await register('fraud', topK)).toMatchObject({ __typename: 'DomainError', field: 'referenceProfile[0].topK' });
    expect(await register('fraud', [])).toMatchObject({ __typename: 'DomainError', field: 'referenceProfile' });
    expect(await versionExists('fraud', 1)).toBe(false);

    // No version number was taken either: the next registration is version 1.
    expect(await register('fraud')).toEqual({ __typename: 'ModelVersion', version: 1 });
    expect(await profileOf('fraud', 1)).toBeNull();
    expect(await transition('fraud', 1, 'Staging', badEdges)).toMatchObject({ __typename: 'DomainError', field: 'referenceProfile[1].edges' });
    expect(await stageOf('fraud', 1)).toBe('None');
    expect(await profileOf('fraud', 1)).toBeNull();
  });

  it('freezes a profile given on promotion; a later one does not replace it', async () => {
    expect(await transition('fraud', 1, 'Staging', amountProfile)).toEqual({ __typename: 'ModelVersion', currentStage: 'Staging' });
    const frozen = await profileOf('fraud', 1);
    expect(frozen?.rows).toBe(continuous.reference.length);
    expect(frozen?.features.map((f) => f.name)).toEqual(['amount']);

    t.clock.advance(60_000);
    expect(await transition('fraud', 1, 'Production', otherProfile)).toEqual({ __typename: 'ModelVersion', currentStage: 'Production' });
    expect(await profileOf('fraud', 1)).toEqual(frozen);
    // Nor does one given on a promotion replace the profile frozen at registration.
    const registered = await profileOf('pricing', 1);
    expect(await transition('pricing', 1, 'Production', otherProfile)).toMatchObject({ currentStage: 'Production' });
    expect(await profileOf('pricing', 1)).toEqual(registered);
  });

  it('freezes a profile given on the approval that moves a version', async () => {
    expect(await register('gated')).toMatchObject({ version: 1 });
    const requested = await gql<{ requestModelVersionStageTransition: { requestId: number } }>(
      `mutation { requestModelVersionStageTransition(name: "gated", version: 1, stage: Production) { ... on TransitionRequest { requestId } } }`,
    );
    const approve = (profile: unknown) =>
      gql<{ approveTransitionRequest: Typed }>(
        `mutation ($id: Int!, ${PROFILE_ARG}) { approveTransitionRequest(name: "gated", requestId: $id, comment: "ok", referenceProfile: $profile) {
          ${ANSWER} ... on TransitionRequest { status version } } }`,
        { id: requested.requestModelVersionStageTransition.requestId, profile },
        approver.url,
      ).then((d) => d.approveTransitionRequest);
    // Raw values are named as sent: here `categories` given for a numeric feature.
    const refused = await approve([{ name: 'x', kind: 'NUMERIC', categories: ['a'] }]);
    expect(refused).toMatchObject({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'referenceProfile[0].categories[0]' });
    expect(await stageOf('gated', 1)).toBe('None');
    expect(await approve(amountProfile)).toEqual({ __typename: 'TransitionRequest', status: 'APPROVED', version: 1 });
    expect(await stageOf('gated', 1)).toBe('Production');
    expect((await profileOf('gated', 1, approver.url))?.features.map((f) => f.name)).toEqual(['amount']);
  });
});

/** Records what a rule asks of a caller, allowing everything. */
class RecordingAccess extends Access {
  readonly asked: string[] = [];

  constructor() {
    super({ username: 'someone', isAdmin: false }, { readDb: undefined as never, authEnabled: true, defaultPermission: 'NO_PERMISSIONS', generation: new IdentityGeneration(), settle: async () => {} });
  }

  override async requireRegisteredModel(name: string, needed: RequiredLevel): Promise<void> {
    this.asked.push(`model ${name} ${needed}`);
  }

  override async requireRun(runId: string, needed: RequiredLevel): Promise<void> {
    this.asked.push(`run ${runId} ${needed}`);
  }
}

async function asked(rule: string, args: Record<string, unknown>): Promise<string[]> {
  const access = new RecordingAccess();
  await mutationRules[rule](args, access);
  return access.asked.sort();
}

describe('permissions of a reference profile given with a registry mutation', () => {
  const freeze = () => asked('freezeReferenceProfile', { model: 'm', version: 1, features: xProfile });
  const cases: [string, Record<string, unknown>][] = [
    ['createModelVersion', { input: { name: 'm', source: 's3://x', runId: 'r' } }],
    ['transitionModelVersionStage', { name: 'm', version: 1, stage: 'Production' }],
    ['approveTransitionRequest', { name: 'm', requestId: 1, comment: 'ok' }],
  ];

  it.each(cases)('%s asks what freezeReferenceProfile asks on top of its own rule, only when a profile is given', async (rule, args) => {
    const own = await asked(rule, args);
    expect(own.length).toBeGreaterThan(0);
    expect(await asked(rule, { ...args, referenceProfile: null })).toEqual(own);
    expect(await asked(rule, { ...args, referenceProfile: xProfile })).toEqual([...own, ...(await freeze())].sort());
  });
});
