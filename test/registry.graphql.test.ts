import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTERED_MODELS_STREAM, registeredModelStream } from '../src/events/registryEvents.ts';
import { verifyChain } from '../src/registry/hashChain.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface Typed {
  __typename: string;
  [field: string]: unknown;
}

const VERSION_FIELDS = `name version source downloadUri runId run { id } currentStage status description userId tags { key value } aliases`;

describe('GraphQL model registry over HTTP', () => {
  let t: TestApp;
  let runId: string;

  async function ok<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await t.graphql<T>(query, variables);
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  beforeAll(async () => {
    t = await startTestApp({ user: 'carol' });
    const { createRun } = await ok<{ createRun: { id: string } }>(`mutation { createRun(input: { experimentId: "0", runName: "r" }) { ... on Run { id } } }`);
    runId = createRun.id;
  });
  afterAll(() => t?.close());

  it('registers a model and versions, moves stages and aliases, and reads them back', async () => {
    const created = await ok<{ createRegisteredModel: Typed }>(
      `mutation { createRegisteredModel(input: { name: "ranker", description: "orders results", tags: [{ key: "team", value: "search" }], comment: "new project" }) {
        __typename ... on RegisteredModel { id name description userId tags { key value } } } }`,
    );
    expect(created.createRegisteredModel).toMatchObject({ __typename: 'RegisteredModel', name: 'ranker', description: 'orders results', userId: 'carol', tags: [{ key: 'team', value: 'search' }] });
    const modelId = created.createRegisteredModel.id as string;

    const dup = await ok<{ createRegisteredModel: Typed }>(`mutation { createRegisteredModel(input: { name: "ranker" }) { __typename ... on DomainError { code message field } } }`);
    expect(dup.createRegisteredModel).toEqual({ __typename: 'DomainError', code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=ranker) already exists.', field: 'name' });

    const v1 = await ok<{ createModelVersion: Typed }>(
      `mutation($source: String!) { createModelVersion(input: { name: "ranker", source: $source, tags: [{ key: "k", value: "v" }] }) { __typename ... on ModelVersion { ${VERSION_FIELDS} } } }`,
      { source: `runs:/${runId}/model` },
    );
    expect(v1.createModelVersion).toMatchObject({
      __typename: 'ModelVersion',
      name: 'ranker',
      version: 1,
      runId,
      run: { id: runId },
      downloadUri: `mlflow-artifacts:/0/${runId}/artifacts/model`,
      currentStage: 'None',
      status: 'READY',
      userId: 'carol',
      tags: [{ key: 'k', value: 'v' }],
      aliases: [],
    });
    await ok(`mutation { createModelVersion(input: { name: "ranker", source: "s3://b/ranker/2" }) { __typename } }`);

    const moved = await ok<{ transitionModelVersionStage: Typed }>(
      `mutation { transitionModelVersionStage(name: "ranker", version: 1, stage: Production, comment: "passed offline eval") { __typename ... on ModelVersion { currentStage } } }`,
    );
    expect(moved.transitionModelVersionStage).toEqual({ __typename: 'ModelVersion', currentStage: 'Production' });
    await ok(`mutation { transitionModelVersionStage(name: "ranker", version: 2, stage: Production, archiveExistingVersions: true) { __typename } }`);
    await ok(`mutation { setRegisteredModelAlias(name: "ranker", alias: "champion", version: 1) { __typename } }`);
    const aliasMoved = await ok<{ setRegisteredModelAlias: Typed }>(
      `mutation { setRegisteredModelAlias(name: "ranker", alias: "champion", version: 2, comment: "v2 wins") { __typename ... on ModelVersion { version aliases } } }`,
    );
    expect(aliasMoved.setRegisteredModelAlias).toEqual({ __typename: 'ModelVersion', version: 2, aliases: ['champion'] });
    await ok(`mutation { updateModelVersion(name: "ranker", version: 2, description: "current") { __typename } }`);
    await ok(`mutation { setRegisteredModelTag(name: "ranker", key: "owner", value: "carol") { __typename } }`);
    await ok(`mutation { renameRegisteredModel(name: "ranker", newName: "ranker-prod") { __typename } }`);

    const read = await ok<{ registeredModel: Record<string, unknown>; modelVersionByAlias: Record<string, unknown>; modelVersion: Record<string, unknown> }>(`{
      registeredModel(name: "ranker-prod") {
        id name tags { key value } aliases { alias version modelVersion { version } }
        latestVersions { version currentStage } production: latestVersions(stages: [Production]) { version }
        versions { version currentStage description }
      }
      modelVersionByAlias(name: "ranker-prod", alias: "champion") { version name }
      modelVersion(name: "ranker-prod", version: 1) { currentStage }
    }`);
    expect(read.registeredModel).toEqual({
      id: modelId,
      name: 'ranker-prod',
      tags: [
        { key: 'owner', value: 'carol' },
        { key: 'team', value: 'search' },
      ],
      aliases: [{ alias: 'champion', version: 2, modelVersion: { version: 2 } }],
      latestVersions: [
        { version: 1, currentStage: 'Archived' },
        { version: 2, currentStage: 'Production' },
      ],
      production: [{ version: 2 }],
      versions: [
        { version: 1, currentStage: 'Archived', description: '' },
        { version: 2, currentStage: 'Production', description: 'current' },
      ],
    });
    expect(read.modelVersionByAlias).toEqual({ version: 2, name: 'ranker-prod' });
    expect(read.modelVersion).toEqual({ currentStage: 'Archived' });

    // The trail: who moved what, from where to where, and why; every event chained.
    const store = t.app.backend.store;
    const stream = await store.readStream(registeredModelStream(modelId));
    const transition = stream.find((e) => e.type === 'ModelVersionStageTransitioned');
    expect(transition).toMatchObject({ data: { version: 1, fromStage: 'None', toStage: 'Production', comment: 'passed offline eval' }, metadata: { actor: 'carol' } });
    expect(stream.find((e) => e.type === 'ModelVersionAliasSet' && (e.data as { version: number }).version === 2)?.data).toMatchObject({ previousVersion: 1, comment: 'v2 wins' });
    expect(verifyChain(stream)).toBeNull();
    expect(verifyChain(await store.readStream(REGISTERED_MODELS_STREAM))).toBeNull();
  });

  it('lists and searches models with paging, and answers bad input as DomainError', async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) await ok(`mutation($name: String!) { createRegisteredModel(input: { name: $name }) { __typename } }`, { name });
    const page = await ok<{ registeredModels: { nodes: { name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      `{ registeredModels(nameContains: "LIST-", first: 2, orderBy: ["name DESC"]) { ... on RegisteredModelConnection { nodes { name } pageInfo { hasNextPage endCursor } } } }`,
    );
    expect(page.registeredModels.nodes.map((n) => n.name)).toEqual(['list-c', 'list-b']);
    expect(page.registeredModels.pageInfo.hasNextPage).toBe(true);
    const next = await ok<{ registeredModels: { nodes: { name: string }[] } }>(
      `query($after: String) { registeredModels(filter: "name LIKE 'list-%'", first: 2, after: $after, orderBy: ["name DESC"]) { ... on RegisteredModelConnection { nodes { name } } } }`,
      { after: page.registeredModels.pageInfo.endCursor },
    );
    expect(next.registeredModels.nodes.map((n) => n.name)).toEqual(['list-a']);
    const badFilter = await ok<{ registeredModels: Typed }>(`{ registeredModels(filter: "name >> 'x'") { __typename ... on DomainError { code field } } }`);
    expect(badFilter.registeredModels).toEqual({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'filter' });
    const badAlias = await ok<{ setRegisteredModelAlias: Typed }>(`mutation { setRegisteredModelAlias(name: "list-a", alias: "latest", version: 1) { __typename ... on DomainError { code field } } }`);
    expect(badAlias.setRegisteredModelAlias).toEqual({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'alias' });
    const deleted = await ok<{ deleteRegisteredModel: Typed }>(`mutation { deleteRegisteredModel(name: "list-a", comment: "unused") { __typename ... on DeletedRegisteredModel { name } } }`);
    expect(deleted.deleteRegisteredModel).toEqual({ __typename: 'DeletedRegisteredModel', name: 'list-a' });
    expect((await ok<{ registeredModel: null }>(`{ registeredModel(name: "list-a") { name } }`)).registeredModel).toBeNull();
  });
});
