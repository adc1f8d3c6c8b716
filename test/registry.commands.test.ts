import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTERED_MODELS_STREAM, registeredModelStream } from '../src/events/registryEvents.ts';
import { aliasesOfModels, versionOfAlias } from '../src/projections/registryAliasesReadModel.ts';
import { findRegisteredModel, registeredModelTags } from '../src/projections/registryModelsReadModel.ts';
import { findModelVersion, latestVersions, modelVersionTags } from '../src/projections/registryVersionsReadModel.ts';
import { verifyChain } from '../src/registry/hashChain.ts';
import { RegistryService } from '../src/registry/registryService.ts';
import { verifyRegistryChains } from '../src/registry/verifyRegistryChains.ts';
import { registryReadModels } from '../src/projections/registryTables.ts';
import { dumpTable } from './support/readModelDump.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { DomainError } from '../src/tracking/domainError.ts';
import { openRegistryTestBackend, type RegistryTestBackend } from './support/registryTestBackend.ts';
import { tamperStoredEvent } from './support/testEventStore.ts';

const ctx = () => commandContext('alice');

describe('model registry commands', () => {
  let b: RegistryTestBackend;
  let runId: string;
  beforeAll(async () => {
    b = await openRegistryTestBackend();
    runId = await b.tracking.createRun({ experimentId: '0', runName: 'train' }, ctx());
  });
  afterAll(() => b?.close());

  async function expectRejected(attempt: () => Promise<unknown>, code: string, field: string, message: RegExp) {
    const before = await b.store.headPosition();
    const error = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code, field });
    expect((error as DomainError).message).toMatch(message);
    expect(await b.store.headPosition()).toBe(before); // nothing appended
  }

  async function modelStreamOf(name: string) {
    const model = await findRegisteredModel(b.db, name);
    if (!model) throw new Error(`no model ${name}`);
    return b.store.readStream(registeredModelStream(model.modelId));
  }

  it('creates, renames, describes, tags and deletes registered models', async () => {
    const modelId = await b.registry.createRegisteredModel({ name: 'iris', description: 'first', tags: [{ key: 'team', value: 'ml' }] }, ctx());
    expect(await findRegisteredModel(b.db, 'iris')).toMatchObject({ modelId, name: 'iris', description: 'first', userId: 'alice' });
    await b.registry.updateRegisteredModel('iris', 'second', ctx(), 'clearer wording');
    await b.registry.setRegisteredModelTag('iris', 'owner', 'bob', ctx());
    await b.registry.deleteRegisteredModelTag('iris', 'team', ctx());
    expect((await registeredModelTags(b.db, [modelId])).get(modelId)).toEqual([{ key: 'owner', value: 'bob' }]);
    await b.registry.renameRegisteredModel('iris', 'iris-v2', ctx());
    expect(await findRegisteredModel(b.db, 'iris')).toBeUndefined();
    expect(await findRegisteredModel(b.db, 'iris-v2')).toMatchObject({ modelId, description: 'second' });
    // The model keeps its id and stream across the rename.
    const stream = await b.store.readStream(registeredModelStream(modelId));
    expect(stream.map((e) => e.type)).toEqual(['RegisteredModelDescriptionUpdated', 'RegisteredModelTagSet', 'RegisteredModelTagDeleted']);
    expect(stream[0].data).toMatchObject({ description: 'second', comment: 'clearer wording' });
    await b.registry.deleteRegisteredModel('iris-v2', ctx());
    expect(await findRegisteredModel(b.db, 'iris-v2')).toBeUndefined();
    // A deleted model's name is free again, for a new model with a new id.
    const again = await b.registry.createRegisteredModel({ name: 'iris-v2' }, ctx());
    expect(again).not.toBe(modelId);
  });

  it('refuses invalid input with the field named and appends nothing', async () => {
    await b.registry.createRegisteredModel({ name: 'taken' }, ctx());
    await expectRejected(() => b.registry.createRegisteredModel({ name: 'taken' }, ctx()), 'RESOURCE_ALREADY_EXISTS', 'name', /^Registered Model \(name=taken\) already exists\.$/);
    await expectRejected(() => b.registry.createRegisteredModel({ name: '' }, ctx()), 'INVALID_PARAMETER_VALUE', 'name', /Missing value for required parameter 'name'/);
    await expectRejected(() => b.registry.createRegisteredModel({ name: 'a/b' }, ctx()), 'INVALID_PARAMETER_VALUE', 'name', /cannot contain '\/' or ':'/);
    await expectRejected(() => b.registry.createRegisteredModel({ name: 'a:b' }, ctx()), 'INVALID_PARAMETER_VALUE', 'name', /cannot contain/);
    await expectRejected(
      () => b.registry.createRegisteredModel({ name: 'long-tag', tags: [{ key: 'k', value: 'x'.repeat(100_001) }] }, ctx()),
      'INVALID_PARAMETER_VALUE',
      'tags[0].value',
      /100000/,
    );
    await expectRejected(() => b.registry.setRegisteredModelTag('taken', 'k'.repeat(251), 'v', ctx()), 'INVALID_PARAMETER_VALUE', 'key', /250/);
    await expectRejected(() => b.registry.renameRegisteredModel('missing', 'x', ctx()), 'RESOURCE_DOES_NOT_EXIST', 'name', /Registered Model with name=missing not found/);
    await b.registry.createRegisteredModel({ name: 'other' }, ctx());
    await expectRejected(() => b.registry.renameRegisteredModel('other', 'taken', ctx()), 'RESOURCE_ALREADY_EXISTS', 'new_name', /Registered Model \(name=taken\) already exists/);
    await expectRejected(() => b.registry.createModelVersion({ name: 'taken', source: '' }, ctx()), 'INVALID_PARAMETER_VALUE', 'source', /Missing value/);
    await expectRejected(
      () => b.registry.createModelVersion({ name: 'taken', source: `runs:/${'0'.repeat(32)}/model` }, ctx()),
      'RESOURCE_DOES_NOT_EXIST',
      'run_id',
      /Run with id=0{32} not found/,
    );
    await expectRejected(() => b.registry.createModelVersion({ name: 'nope', source: 's3://b/m' }, ctx()), 'RESOURCE_DOES_NOT_EXIST', 'name', /not found/);
    await expectRejected(() => b.registry.setModelVersionTag('taken', 7, 'k', 'v', ctx()), 'RESOURCE_DOES_NOT_EXIST', 'version', /Model Version \(name=taken, version=7\) not found/);
    await b.registry.createModelVersion({ name: 'taken', source: 's3://bucket/model' }, ctx());
    await expectRejected(() => b.registry.setRegisteredModelAlias('taken', 'latest', 1, ctx()), 'INVALID_PARAMETER_VALUE', 'alias', /reserved/);
    await expectRejected(() => b.registry.setRegisteredModelAlias('taken', 'V12', 1, ctx()), 'INVALID_PARAMETER_VALUE', 'alias', /reserved/);
    await expectRejected(() => b.registry.setRegisteredModelAlias('taken', 'a.b', 1, ctx()), 'INVALID_PARAMETER_VALUE', 'alias', /alphanumerics/);
    await expectRejected(() => b.registry.setRegisteredModelAlias('taken', 'a'.repeat(256), 1, ctx()), 'INVALID_PARAMETER_VALUE', 'alias', /255/);
    await expectRejected(() => b.registry.setRegisteredModelAlias('taken', 'champion', 2, ctx()), 'RESOURCE_DOES_NOT_EXIST', 'version', /version=2\) not found/);
    await expectRejected(
      () => b.registry.transitionModelVersionStage({ name: 'taken', version: 1, stage: 'Archived', archiveExistingVersions: true }, ctx()),
      'INVALID_PARAMETER_VALUE',
      'archive_existing_versions',
      /not an Active stage/,
    );
  });

  it('creates versions from a run, resolving runs:/ to the run artifacts, with tags and description', async () => {
    await b.registry.createRegisteredModel({ name: 'from-run' }, ctx());
    const version = await b.registry.createModelVersion(
      { name: 'from-run', source: `runs:/${runId}/model`, description: 'baseline', tags: [{ key: 'validated', value: 'no' }] },
      ctx(),
    );
    expect(version).toBe(1);
    const row = await findModelVersion(b.db, 'from-run', 1);
    expect(row).toMatchObject({ version: 1, runId, source: `runs:/${runId}/model`, currentStage: 'None', status: 'READY', description: 'baseline', userId: 'alice' });
    expect(row?.storageLocation).toBe(`mlflow-artifacts:/0/${runId}/artifacts/model`);
    await b.registry.updateModelVersion('from-run', 1, 'better baseline', ctx());
    await b.registry.setModelVersionTag('from-run', 1, 'validated', 'yes', ctx());
    await b.registry.setModelVersionTag('from-run', 1, 'extra', 'x', ctx());
    await b.registry.deleteModelVersionTag('from-run', 1, 'extra', ctx());
    const key = `${row?.modelId}/1`;
    expect((await modelVersionTags(b.db, [{ modelId: row?.modelId ?? '', version: 1 }])).get(key)).toEqual([{ key: 'validated', value: 'yes' }]);
    expect((await findModelVersion(b.db, 'from-run', 1))?.description).toBe('better baseline');
  });

  it('numbers 20 concurrent versions 1..20 with no gap or duplicate', async () => {
    await b.registry.createRegisteredModel({ name: 'busy' }, ctx());
    // A second service instance stands for another server: its appends race ours and must retry on conflict.
    const otherServer = new RegistryService({ store: b.store, projector: b.registryProjector, readDb: b.db });
    const versions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? otherServer : b.registry).createModelVersion({ name: 'busy', source: `s3://bucket/busy/${i}` }, ctx())),
    );
    expect([...versions].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const stream = await modelStreamOf('busy');
    expect(stream.map((e) => (e.data as { version: number }).version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(verifyChain(stream)).toBeNull();
  });

  it('transitions stages, archiving existing versions, and records each transition with actor, stages and comment', async () => {
    await b.registry.createRegisteredModel({ name: 'staged' }, ctx());
    for (let i = 0; i < 3; i++) await b.registry.createModelVersion({ name: 'staged', source: `s3://b/staged/${i}` }, ctx());
    await b.registry.transitionModelVersionStage({ name: 'staged', version: 1, stage: 'Production', archiveExistingVersions: false }, commandContext('bob'));
    await b.registry.transitionModelVersionStage({ name: 'staged', version: 2, stage: 'Production', archiveExistingVersions: false }, ctx());
    await b.registry.transitionModelVersionStage({ name: 'staged', version: 3, stage: 'Staging', archiveExistingVersions: false }, ctx());
    await b.registry.transitionModelVersionStage({ name: 'staged', version: 3, stage: 'Production', archiveExistingVersions: true, comment: 'beats v2 by 3%' }, ctx());
    expect((await findModelVersion(b.db, 'staged', 1))?.currentStage).toBe('Archived');
    expect((await findModelVersion(b.db, 'staged', 2))?.currentStage).toBe('Archived');
    expect((await findModelVersion(b.db, 'staged', 3))?.currentStage).toBe('Production');
    const model = await findRegisteredModel(b.db, 'staged');
    const latest = (await latestVersions(b.db, [model?.modelId ?? ''])).get(model?.modelId ?? '') ?? [];
    expect(latest.map((v) => [v.currentStage, v.version])).toEqual([
      ['Archived', 2],
      ['Production', 3],
    ]);
    const transitions = (await modelStreamOf('staged')).filter((e) => e.type === 'ModelVersionStageTransitioned');
    expect(transitions[0]).toMatchObject({ data: { version: 1, fromStage: 'None', toStage: 'Production' }, metadata: { actor: 'bob' } });
    expect(transitions[3].data).toEqual({
      modelId: model?.modelId,
      version: 3,
      fromStage: 'Staging',
      toStage: 'Production',
      archivedVersions: [
        { version: 1, fromStage: 'Production' },
        { version: 2, fromStage: 'Production' },
      ],
      comment: 'beats v2 by 3%',
    });
    expect(transitions[3].metadata.recordedAt).toMatch(/^\d{4}-/);
  });

  it('sets, moves and deletes aliases, recording the previous version; deleting a version drops its aliases', async () => {
    await b.registry.createRegisteredModel({ name: 'aliased' }, ctx());
    await b.registry.createModelVersion({ name: 'aliased', source: 's3://b/a/1' }, ctx());
    await b.registry.createModelVersion({ name: 'aliased', source: 's3://b/a/2' }, ctx());
    await b.registry.setRegisteredModelAlias('aliased', 'champion', 1, ctx());
    await b.registry.setRegisteredModelAlias('aliased', 'champion', 2, ctx(), 'promoted after A/B test');
    await b.registry.setRegisteredModelAlias('aliased', 'champion', 2, ctx()); // already there: nothing recorded
    await b.registry.setRegisteredModelAlias('aliased', 'challenger', 1, ctx());
    expect(await versionOfAlias(b.db, 'aliased', 'champion')).toBe(2);
    const aliasEvents = (await modelStreamOf('aliased')).filter((e) => e.type === 'ModelVersionAliasSet');
    expect(aliasEvents.map((e) => e.data)).toMatchObject([
      { alias: 'champion', version: 1 },
      { alias: 'champion', version: 2, previousVersion: 1, comment: 'promoted after A/B test' },
      { alias: 'challenger', version: 1 },
    ]);
    await b.registry.deleteRegisteredModelAlias('aliased', 'challenger', ctx());
    await b.registry.deleteRegisteredModelAlias('aliased', 'never-set', ctx());
    await b.registry.deleteModelVersion('aliased', 2, ctx());
    expect(await versionOfAlias(b.db, 'aliased', 'champion')).toBeUndefined();
    expect(await findModelVersion(b.db, 'aliased', 2)).toBeUndefined();
    const model = await findRegisteredModel(b.db, 'aliased');
    expect((await aliasesOfModels(b.db, [model?.modelId ?? ''])).get(model?.modelId ?? '')).toEqual([]);
    // Numbers are never reused after a delete.
    expect(await b.registry.createModelVersion({ name: 'aliased', source: 's3://b/a/3' }, ctx())).toBe(3);
  });

  it('replays into the same read models on a rebuild of the registry projector', async () => {
    const dump = async () => {
      const tables: Record<string, string[]> = {};
      for (const table of registryReadModels.flatMap((m) => m.tables)) tables[table] = await dumpTable(b.db, table);
      return tables;
    };
    const before = await dump();
    expect(before.model_versions.length).toBeGreaterThan(20);
    await b.registryProjector.rebuild();
    expect(await dump()).toEqual(before);
  });

  it('chains every registry event by hash, and a tamper behind the store breaks the chain at that event', async () => {
    const catalog = await b.store.readStream(REGISTERED_MODELS_STREAM);
    expect(catalog.length).toBeGreaterThan(3);
    expect(verifyChain(catalog)).toBeNull();
    const intact = await verifyRegistryChains(b.store);
    expect(intact.breaks).toEqual([]);
    expect(intact.streams).toBeGreaterThan(5);
    const stream = await modelStreamOf('staged');
    expect(verifyChain(stream)).toBeNull();
    const victim = stream[1]; // version 2 of "staged": its source is what we forge
    await tamperStoredEvent({ db: b.db, testEvents: b.testDb.testEvents }, victim.streamId, victim.revision, 'source', 's3://evil/model');
    const broken = verifyChain(await b.store.readStream(victim.streamId));
    expect(broken?.event.revision).toBe(victim.revision);
    expect(broken?.event.metadata.eventId).toBe(victim.metadata.eventId);
    const report = await verifyRegistryChains(b.store);
    expect(report.breaks.map((x) => [x.event.streamId, x.event.revision])).toEqual([[victim.streamId, victim.revision]]);
  });
});
