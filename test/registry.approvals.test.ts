import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTERED_MODELS_STREAM, registeredModelStream } from '../src/events/registryEvents.ts';
import { approvalStagesOfModels, findTransitionRequests } from '../src/projections/registryApprovalsReadModel.ts';
import { findRegisteredModel } from '../src/projections/registryModelsReadModel.ts';
import { findModelVersion } from '../src/projections/registryVersionsReadModel.ts';
import { ApprovalRequiredError, SelfApprovalError, StaleTransitionRequestError } from '../src/registry/approvals/approvalErrors.ts';
import { sealEvents, verifyChain } from '../src/registry/hashChain.ts';
import { verifyRegistryChains } from '../src/registry/verifyRegistryChains.ts';
import { commandContext } from '../src/tracking/commandContext.ts';
import { DomainError } from '../src/tracking/domainError.ts';
import { openRegistryTestBackend, type RegistryTestBackend } from './support/registryTestBackend.ts';

const alice = () => commandContext('alice');
const bob = () => commandContext('bob');

describe('model registry approvals', () => {
  let b: RegistryTestBackend;
  beforeAll(async () => {
    b = await openRegistryTestBackend();
  });
  afterAll(() => b?.close());

  /** Runs a command that must be refused, and checks the refusal and that the log did not grow. */
  async function refused(attempt: () => Promise<unknown>, expected: { code: string; field: string; message: RegExp }): Promise<DomainError> {
    const before = await b.store.headPosition();
    const error = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: expected.code, field: expected.field });
    expect((error as DomainError).message).toMatch(expected.message);
    expect(await b.store.headPosition()).toBe(before);
    return error as DomainError;
  }

  async function streamOf(name: string) {
    const model = await findRegisteredModel(b.db, name);
    return b.store.readStream(registeredModelStream(model?.modelId ?? ''));
  }

  const stageOf = async (name: string, version: number) => (await findModelVersion(b.db, name, version))?.currentStage;
  const transition = (name: string, version: number, stage: 'None' | 'Staging' | 'Production' | 'Archived', archiveExistingVersions = false) => ({
    name,
    version,
    stage,
    archiveExistingVersions,
  });

  it('gates a stage from creation: a direct transition is refused, a request from one user is approved by another', async () => {
    const modelId = await b.registry.createRegisteredModel({ name: 'churn', approvalRequiredStages: ['Production', 'Production'] }, alice());
    expect((await approvalStagesOfModels(b.db, [modelId])).get(modelId)).toEqual(['Production']);
    await b.registry.createModelVersion({ name: 'churn', source: 's3://m/churn/1' }, alice());
    await b.registry.transitionModelVersionStage(transition('churn', 1, 'Staging'), alice()); // Staging is not gated
    const gate = await refused(() => b.registry.transitionModelVersionStage(transition('churn', 1, 'Production'), alice()), {
      code: 'PERMISSION_DENIED',
      field: 'stage',
      message: /'churn' requires approval to move a version to Production/,
    });
    expect(gate).toBeInstanceOf(ApprovalRequiredError);

    const requestId = await b.registry.requestModelVersionStageTransition({ ...transition('churn', 1, 'Production'), comment: 'AUC 0.91 on holdout' }, alice());
    expect(requestId).toBe(1);
    expect(await stageOf('churn', 1)).toBe('Staging'); // only approval moves the stage
    expect(await findTransitionRequests(b.db, { name: 'churn', status: 'PENDING', limit: 10, offset: 0 })).toMatchObject([
      { requestId: 1, version: 1, fromStage: 'Staging', toStage: 'Production', requestedBy: 'alice', comment: 'AUC 0.91 on holdout', status: 'PENDING', stale: false },
    ]);

    const self = await refused(() => b.registry.approveTransitionRequest('churn', 1, { comment: 'looks good to me' }, alice()), {
      code: 'PERMISSION_DENIED',
      field: 'actor',
      message: /^Transition request 1 was made by alice; another user must approve it\.$/,
    });
    expect(self).toBeInstanceOf(SelfApprovalError);
    expect(self).toMatchObject({ requestId: 1, requestedBy: 'alice' });
    await refused(() => b.registry.rejectTransitionRequest('churn', 1, 'no', alice()), { code: 'PERMISSION_DENIED', field: 'actor', message: /another user must reject it/ });
    await refused(() => b.registry.approveTransitionRequest('churn', 1, { comment: '  ' }, bob()), { code: 'INVALID_PARAMETER_VALUE', field: 'comment', message: /comment is required to approve/ });
    await refused(() => b.registry.approveTransitionRequest('churn', 9, { comment: 'ok' }, bob()), {
      code: 'RESOURCE_DOES_NOT_EXIST',
      field: 'requestId',
      message: /^Transition request 9 of registered model 'churn' not found\.$/,
    });

    await b.registry.approveTransitionRequest('churn', 1, { comment: 'reviewed the holdout report' }, bob());
    expect(await stageOf('churn', 1)).toBe('Production');
    const stream = await streamOf('churn');
    expect(verifyChain(stream)).toBeNull();
    const [approved, transitioned] = stream.slice(-2);
    expect(approved).toMatchObject({
      type: 'ModelVersionStageTransitionApproved',
      data: { requestId: 1, version: 1, fromStage: 'Staging', toStage: 'Production', requestedBy: 'alice', comment: 'reviewed the holdout report' },
      metadata: { actor: 'bob' },
    });
    expect(transitioned).toMatchObject({
      type: 'ModelVersionStageTransitioned',
      data: { version: 1, fromStage: 'Staging', toStage: 'Production', comment: 'reviewed the holdout report' },
      metadata: { actor: 'bob', causationId: approved.metadata.eventId },
    });
    // One append, one transaction: both or neither (a position's first half is its transaction).
    expect(transitioned.position.split(':')[0]).toBe(approved.position.split(':')[0]);
    expect(transitioned.revision).toBe(approved.revision + 1);
    expect(await findTransitionRequests(b.db, { name: 'churn', limit: 10, offset: 0 })).toMatchObject([
      { requestId: 1, status: 'APPROVED', decidedBy: 'bob', decisionComment: 'reviewed the holdout report', stale: false },
    ]);

    const again = await refused(() => b.registry.approveTransitionRequest('churn', 1, { comment: 'twice' }, bob()), {
      code: 'RESOURCE_CONFLICT',
      field: 'requestId',
      message: /was already approved/,
    });
    expect(again).toBeInstanceOf(StaleTransitionRequestError);
    expect(again).toMatchObject({ reason: 'ALREADY_APPROVED' });
  });

  it('refuses bad and duplicate requests, and stale approvals, appending nothing', async () => {
    await b.registry.createRegisteredModel({ name: 'fraud', approvalRequiredStages: ['Staging', 'Production'] }, alice());
    for (let i = 1; i <= 3; i++) await b.registry.createModelVersion({ name: 'fraud', source: `s3://m/fraud/${i}` }, alice());
    await refused(() => b.registry.requestModelVersionStageTransition(transition('fraud', 7, 'Production'), alice()), {
      code: 'RESOURCE_DOES_NOT_EXIST',
      field: 'version',
      message: /version=7\) not found/,
    });
    await refused(() => b.registry.requestModelVersionStageTransition(transition('fraud', 1, 'None'), alice()), {
      code: 'INVALID_PARAMETER_VALUE',
      field: 'stage',
      message: /already in stage None/,
    });
    await refused(() => b.registry.requestModelVersionStageTransition(transition('fraud', 1, 'Archived', true), alice()), {
      code: 'INVALID_PARAMETER_VALUE',
      field: 'archive_existing_versions',
      message: /not an Active stage/,
    });
    await refused(() => b.registry.requestModelVersionStageTransition(transition('nope', 1, 'Staging'), alice()), {
      code: 'RESOURCE_DOES_NOT_EXIST',
      field: 'name',
      message: /name=nope not found/,
    });
    expect(await b.registry.requestModelVersionStageTransition(transition('fraud', 1, 'Staging'), alice())).toBe(1);
    await refused(() => b.registry.requestModelVersionStageTransition(transition('fraud', 1, 'Staging'), bob()), {
      code: 'RESOURCE_ALREADY_EXISTS',
      field: 'stage',
      message: /Transition request 1 \(version 1 of 'fraud' to Staging\) is already pending/,
    });

    // The version moves on after the request (here: deleted and re-staged by other means): approving is refused as stale.
    expect(await b.registry.requestModelVersionStageTransition(transition('fraud', 2, 'Production'), alice())).toBe(2);
    await b.registry.approveTransitionRequest('fraud', 1, { comment: 'ok for staging' }, bob());
    expect(await b.registry.requestModelVersionStageTransition(transition('fraud', 1, 'Production'), alice())).toBe(3);
    expect(await b.registry.requestModelVersionStageTransition(transition('fraud', 3, 'Staging'), alice())).toBe(4);
    await b.registry.approveTransitionRequest('fraud', 4, { comment: 'ok' }, bob()); // v3 leaves None: request 2's sibling stays valid
    await b.registry.deleteModelVersion('fraud', 2, alice());
    const pending = await findTransitionRequests(b.db, { name: 'fraud', status: 'PENDING', limit: 10, offset: 0 });
    expect(pending.map((r) => [r.requestId, r.stale])).toEqual([
      [2, true],
      [3, false],
    ]);
    const deleted = await refused(() => b.registry.approveTransitionRequest('fraud', 2, { comment: 'ok' }, bob()), {
      code: 'RESOURCE_CONFLICT',
      field: 'requestId',
      message: /Version 2 of 'fraud' was deleted after transition request 2/,
    });
    expect(deleted).toMatchObject({ reason: 'VERSION_DELETED' });
    // A stale request can still be rejected, which closes it.
    await b.registry.rejectTransitionRequest('fraud', 2, 'version is gone', bob());
    await refused(() => b.registry.rejectTransitionRequest('fraud', 2, 'again', bob()), { code: 'RESOURCE_CONFLICT', field: 'requestId', message: /already rejected/ });

    // Request 3 wants v1 Staging → Production; an approved request moves v1 back to None first.
    expect(await b.registry.requestModelVersionStageTransition(transition('fraud', 1, 'None'), alice())).toBe(5);
    await b.registry.approveTransitionRequest('fraud', 5, { comment: 'roll back' }, bob());
    const moved = await refused(() => b.registry.approveTransitionRequest('fraud', 3, { comment: 'ok' }, bob()), {
      code: 'RESOURCE_CONFLICT',
      field: 'requestId',
      message: /Version 1 of 'fraud' moved from Staging to None after transition request 3/,
    });
    expect(moved).toMatchObject({ reason: 'VERSION_MOVED' });
    expect(await stageOf('fraud', 1)).toBe('None');
  });

  it('archives existing versions on approval, as requested or as the approver decides', async () => {
    await b.registry.createRegisteredModel({ name: 'ranker', approvalRequiredStages: ['Production'] }, alice());
    for (let i = 1; i <= 3; i++) await b.registry.createModelVersion({ name: 'ranker', source: `s3://m/ranker/${i}` }, alice());
    await b.registry.requestModelVersionStageTransition(transition('ranker', 1, 'Production'), alice());
    await b.registry.approveTransitionRequest('ranker', 1, { comment: 'first' }, bob());
    await b.registry.requestModelVersionStageTransition(transition('ranker', 2, 'Production', true), alice());
    await b.registry.approveTransitionRequest('ranker', 2, { comment: 'replaces v1' }, bob());
    expect([await stageOf('ranker', 1), await stageOf('ranker', 2)]).toEqual(['Archived', 'Production']);
    await b.registry.requestModelVersionStageTransition(transition('ranker', 3, 'Production'), alice());
    await b.registry.approveTransitionRequest('ranker', 3, { comment: 'replace v2 too', archiveExistingVersions: true }, commandContext('carol'));
    expect([await stageOf('ranker', 2), await stageOf('ranker', 3)]).toEqual(['Archived', 'Production']);
    const last = (await streamOf('ranker')).at(-1);
    expect(last?.data).toMatchObject({ version: 3, archivedVersions: [{ version: 2, fromStage: 'Production' }] });
  });

  it('changes the policy by command: validated, recorded with the previous stages, unchanged policies append nothing', async () => {
    const modelId = await b.registry.createRegisteredModel({ name: 'open' }, alice());
    await b.registry.createModelVersion({ name: 'open', source: 's3://m/open/1' }, alice());
    await refused(() => b.registry.createRegisteredModel({ name: 'badpolicy', approvalRequiredStages: ['Prod'] }, alice()), {
      code: 'INVALID_PARAMETER_VALUE',
      field: 'approvalRequiredStages[0]',
      message: /Invalid Model Version stage: Prod/,
    });
    await refused(() => b.registry.setApprovalPolicy('open', ['Staging', 'Live'], alice()), {
      code: 'INVALID_PARAMETER_VALUE',
      field: 'approvalRequiredStages[1]',
      message: /Invalid Model Version stage: Live/,
    });
    await refused(() => b.registry.setApprovalPolicy('missing', ['Staging'], alice()), { code: 'RESOURCE_DOES_NOT_EXIST', field: 'name', message: /not found/ });
    await b.registry.setApprovalPolicy('open', ['production', 'Staging'], alice(), 'four eyes from now on');
    const head = await b.store.headPosition();
    await b.registry.setApprovalPolicy('open', ['Staging', 'Production'], alice());
    expect(await b.store.headPosition()).toBe(head);
    expect((await approvalStagesOfModels(b.db, [modelId])).get(modelId)).toEqual(['Staging', 'Production']);
    await refused(() => b.registry.transitionModelVersionStage(transition('open', 1, 'Staging'), alice()), { code: 'PERMISSION_DENIED', field: 'stage', message: /requires approval/ });
    await b.registry.setApprovalPolicy('open', [], bob(), 'lifted for the migration');
    await b.registry.transitionModelVersionStage(transition('open', 1, 'Staging'), alice());
    const policies = (await streamOf('open')).filter((e) => e.type === 'RegisteredModelApprovalPolicySet');
    expect(policies.map((e) => [e.data, e.metadata.actor])).toEqual([
      [{ modelId, approvalRequiredStages: ['Staging', 'Production'], previousStages: [], comment: 'four eyes from now on' }, 'alice'],
      [{ modelId, approvalRequiredStages: [], previousStages: ['Staging', 'Production'], comment: 'lifted for the migration' }, 'bob'],
    ]);
  });

  it('reads models created before approvals existed (RegisteredModelCreated v1) as ungated', async () => {
    // A v1 event as an older release stored it, sealed into the catalogue's chain.
    const catalog = await b.store.readStream(REGISTERED_MODELS_STREAM);
    const last = catalog[catalog.length - 1];
    const modelId = 'a'.repeat(32);
    const legacy = {
      type: 'RegisteredModelCreated',
      version: 1,
      data: { modelId, name: 'legacy', description: '', tags: [], userId: 'old-release', creationTime: Date.now() },
      metadata: { eventId: randomUUID(), recordedAt: new Date().toISOString(), actor: 'old-release', correlationId: randomUUID() },
    };
    await b.store.appendToStream(REGISTERED_MODELS_STREAM, sealEvents(REGISTERED_MODELS_STREAM, last.revision + 1, last.metadata.hash ?? '', [legacy]), {
      expectedRevision: last.revision,
    });
    await b.registryProjector.catchUp();
    expect((await approvalStagesOfModels(b.db, [modelId])).get(modelId)).toEqual([]);
    await b.registry.createModelVersion({ name: 'legacy', source: 's3://m/legacy/1' }, alice());
    await b.registry.transitionModelVersionStage(transition('legacy', 1, 'Production'), alice());
    expect(await stageOf('legacy', 1)).toBe('Production');
    const trail = await b.registry.history.auditTrail({ name: 'legacy' });
    expect(trail.entries[0]).toMatchObject({ kind: 'MODEL_CREATED', actor: 'old-release', changes: [{ field: 'name', before: null, after: 'legacy' }] });
    expect((await verifyRegistryChains(b.store)).breaks).toEqual([]);
  });

  it('lists pending requests across models, oldest first', async () => {
    const all = await findTransitionRequests(b.db, { status: 'PENDING', limit: 100, offset: 0 });
    expect(all.map((r) => [r.name, r.requestId])).toEqual([['fraud', 3]]);
    const decided = await findTransitionRequests(b.db, { status: 'APPROVED', limit: 2, offset: 1 });
    expect(decided).toHaveLength(2);
  });
});
