import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';
import { MlflowRestClient, type MlflowErrorBody } from './support/mlflowRestClient.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface RequestJson {
  id: string;
  request_id: string;
  user_id: string;
  from_stage: string;
  to_stage: string;
  comment?: string;
  available_actions?: string[];
}
interface ActivityJson {
  activity_type: string;
  user_id: string;
  from_stage: string;
  to_stage: string;
  comment: string;
}

/** The REST side of approvals, with two servers on one database acting as alice and bob. */
describe('MLflow REST stage transitions on a model that requires approval', () => {
  let t: TestApp;
  let bobApp: App;
  let alice: MlflowRestClient;
  let bob: MlflowRestClient;

  beforeAll(async () => {
    t = await startTestApp({ user: 'alice' });
    bobApp = await buildApp({ db: await t.testDb.reopen(), channel: t.testDb.channel, createEventStore: t.testDb.createEventStore, port: 0, user: 'bob', logger: createLogger('silent') });
    alice = new MlflowRestClient(t.url);
    bob = new MlflowRestClient(await bobApp.start());
    await alice.ok('registered-models/create', { name: 'churn' });
    await alice.ok('model-versions/create', { name: 'churn', source: 's3://m/churn/1' });
    await alice.ok('model-versions/create', { name: 'churn', source: 's3://m/churn/2' });
    const policy = await t.graphql(`mutation { setModelApprovalPolicy(name: "churn", stages: [Production]) { __typename } }`);
    expect(policy.data).toEqual({ setModelApprovalPolicy: { __typename: 'RegisteredModel' } });
  });
  afterAll(async () => {
    await bobApp?.stop();
    await t?.close();
  });

  async function refused(answer: Promise<{ status: number; body: unknown }>, status: number, code: string, message: RegExp) {
    const { status: actual, body } = await answer;
    expect({ status: actual, body }).toMatchObject({ status, body: { error_code: code } });
    expect((body as MlflowErrorBody).message).toMatch(message);
  }
  const stageOf = async (client: MlflowRestClient, version: string) =>
    (await client.read<{ model_version: { current_stage: string } }>('model-versions/get', { name: 'churn', version })).model_version.current_stage;

  it('refuses a direct transition with 403 and changes nothing; a request approved by another user moves the stage', async () => {
    const head = await t.app.backend.store.headPosition();
    await refused(
      alice.post('model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Production', archive_existing_versions: false }),
      403,
      'PERMISSION_DENIED',
      /requires approval to move a version to Production: .*transition-requests\/create/,
    );
    expect(await t.app.backend.store.headPosition()).toBe(head);
    expect(await stageOf(alice, '1')).toBe('None');

    const { request } = await alice.ok<{ request: RequestJson }>('transition-requests/create', { name: 'churn', version: '1', stage: 'production', comment: 'AUC 0.91' });
    expect(request).toMatchObject({ id: '1', user_id: 'alice', from_stage: 'None', to_stage: 'Production', comment: 'AUC 0.91', available_actions: ['APPROVE_TRANSITION_REQUEST', 'REJECT_TRANSITION_REQUEST'] });
    const listed = await alice.read<{ requests?: RequestJson[] }>('transition-requests/list', { name: 'churn', version: '1' });
    expect(listed.requests?.map((r) => [r.id, r.to_stage])).toEqual([['1', 'Production']]);

    await refused(
      alice.post('transition-requests/approve', { name: 'churn', version: '1', stage: 'Production', archive_existing_versions: false, comment: 'ok' }),
      403,
      'PERMISSION_DENIED',
      /^Transition request 1 was made by alice; another user must approve it\.$/,
    );
    await bobApp.backend.registryProjector.catchUp();
    await refused(
      bob.post('transition-requests/approve', { name: 'churn', version: '1', stage: 'Production', archive_existing_versions: false }),
      400,
      'INVALID_PARAMETER_VALUE',
      /comment is required to approve/,
    );
    const { activity } = await bob.ok<{ activity: ActivityJson }>('transition-requests/approve', {
      name: 'churn',
      version: '1',
      stage: 'Production',
      archive_existing_versions: false,
      comment: 'reviewed the report',
    });
    expect(activity).toMatchObject({ activity_type: 'APPROVED_REQUEST', user_id: 'bob', from_stage: 'None', to_stage: 'Production', comment: 'reviewed the report' });
    expect(await stageOf(bob, '1')).toBe('Production');
    await t.app.backend.registryProjector.catchUp();
    expect(await stageOf(alice, '1')).toBe('Production');
    expect(await alice.read('transition-requests/list', { name: 'churn', version: '1' })).toEqual({});

    await refused(
      bob.post('transition-requests/approve', { name: 'churn', version: '1', stage: 'Production', comment: 'again' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
      /No pending transition request for version 1 of 'churn' to Production/,
    );
    await refused(bob.post('transition-requests/approve', { name: 'churn', version: '1', stage: 'Production', request_id: 1, comment: 'again' }), 409, 'RESOURCE_CONFLICT', /already approved/);
  });

  it('rejects a request (the version stays), and refuses bad input with 400 naming the field', async () => {
    await alice.ok('transition-requests/create', { name: 'churn', version: '2', stage: 'Production', archive_existing_versions: true });
    await bobApp.backend.registryProjector.catchUp();
    const { activity } = await bob.ok<{ activity: ActivityJson }>('transition-requests/reject', { name: 'churn', version: '2', stage: 'Production', comment: 'no eval attached' });
    expect(activity).toMatchObject({ activity_type: 'REJECTED_REQUEST', user_id: 'bob', to_stage: 'Production', comment: 'no eval attached' });
    expect(await stageOf(bob, '2')).toBe('None');

    const head = await t.app.backend.store.headPosition();
    await refused(alice.post('transition-requests/create', { name: 'churn', version: '2', stage: 'Live' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Live/);
    await refused(alice.post('transition-requests/create', { name: 'churn', version: 'two', stage: 'Staging' }), 400, 'INVALID_PARAMETER_VALUE', /'version' must be a positive integer/);
    await refused(alice.post('transition-requests/create', { name: 'churn', version: '9', stage: 'Staging' }), 404, 'RESOURCE_DOES_NOT_EXIST', /version=9\) not found/);
    await refused(alice.post('transition-requests/create', { name: 'churn', version: '1', stage: 'Production' }), 400, 'INVALID_PARAMETER_VALUE', /already in stage Production/);
    await refused(alice.get('transition-requests/list', { name: 'churn' }), 400, 'INVALID_PARAMETER_VALUE', /version/);
    expect(await t.app.backend.store.headPosition()).toBe(head);
  });
});
