import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/server/buildApp.ts';
import { createLogger } from '../src/server/logger.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

interface Typed {
  __typename: string;
  [field: string]: unknown;
}

interface Answer<T> {
  data?: T;
  errors?: unknown[];
}

/** Two servers on one database, acting as two users (the actor is the server's configured user). */
describe('GraphQL approvals, audit trail and time travel over HTTP', () => {
  let alice: TestApp;
  let bobApp: App;
  let bobUrl: string;

  async function post<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as Answer<T>;
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }
  const asAlice = <T>(query: string, variables?: Record<string, unknown>) => post<T>(alice.url, query, variables);
  const asBob = <T>(query: string, variables?: Record<string, unknown>) => post<T>(bobUrl, query, variables);

  beforeAll(async () => {
    alice = await startTestApp({ user: 'alice' });
    bobApp = await buildApp({ db: await alice.testDb.reopen(), channel: alice.testDb.channel, createEventStore: alice.testDb.createEventStore, port: 0, user: 'bob', logger: createLogger('silent') });
    bobUrl = await bobApp.start();
  });
  afterAll(async () => {
    await bobApp?.stop();
    await alice?.close();
  });

  it('requests, refuses self-approval, approves as another user, and shows both events in the audit trail', async () => {
    const created = await asAlice<{ createRegisteredModel: Typed }>(
      `mutation { createRegisteredModel(input: { name: "churn", approvalRequiredStages: [Production] }) { __typename ... on RegisteredModel { name approvalRequiredStages } } }`,
    );
    expect(created.createRegisteredModel).toEqual({ __typename: 'RegisteredModel', name: 'churn', approvalRequiredStages: ['Production'] });
    await asAlice(`mutation { createModelVersion(input: { name: "churn", source: "s3://m/churn/1" }) { __typename } }`);
    await asAlice(`mutation { transitionModelVersionStage(name: "churn", version: 1, stage: Staging, comment: "smoke tests pass") { __typename } }`);

    const direct = await asAlice<{ transitionModelVersionStage: Typed }>(
      `mutation { transitionModelVersionStage(name: "churn", version: 1, stage: Production) { __typename ... on DomainError { code field message } } }`,
    );
    expect(direct.transitionModelVersionStage).toMatchObject({ __typename: 'DomainError', code: 'PERMISSION_DENIED', field: 'stage' });
    expect(direct.transitionModelVersionStage.message).toMatch(/requires approval to move a version to Production: request the transition/);

    const requested = await asAlice<{ requestModelVersionStageTransition: Typed }>(
      `mutation { requestModelVersionStageTransition(name: "churn", version: 1, stage: Production, comment: "AUC 0.91") {
        __typename ... on TransitionRequest { requestId fromStage toStage status requestedBy comment stale modelVersion { currentStage } } } }`,
    );
    expect(requested.requestModelVersionStageTransition).toEqual({
      __typename: 'TransitionRequest',
      requestId: 1,
      fromStage: 'Staging',
      toStage: 'Production',
      status: 'PENDING',
      requestedBy: 'alice',
      comment: 'AUC 0.91',
      stale: false,
      modelVersion: { currentStage: 'Staging' },
    });

    // Bob's server sees the pending request (once its projector has it).
    await bobApp.backend.registryProjector.catchUp();
    const pending = await asBob<{ transitionRequests: { nodes: Typed[] } }>(`{ transitionRequests { ... on TransitionRequestConnection { nodes { __typename name requestId requestedBy } } } }`);
    expect(pending.transitionRequests.nodes).toEqual([{ __typename: 'TransitionRequest', name: 'churn', requestId: 1, requestedBy: 'alice' }]);

    const self = await asAlice<{ approveTransitionRequest: Typed }>(
      `mutation { approveTransitionRequest(name: "churn", requestId: 1, comment: "fine by me") { __typename ... on SelfApprovalError { code field requestId requestedBy message } } }`,
    );
    expect(self.approveTransitionRequest).toEqual({
      __typename: 'SelfApprovalError',
      code: 'PERMISSION_DENIED',
      field: 'actor',
      requestId: 1,
      requestedBy: 'alice',
      message: 'Transition request 1 was made by alice; another user must approve it.',
    });

    const approved = await asBob<{ approveTransitionRequest: Typed }>(
      `mutation { approveTransitionRequest(name: "churn", requestId: 1, comment: "reviewed the report") {
        __typename ... on TransitionRequest { status decidedBy decisionComment modelVersion { currentStage } } } }`,
    );
    expect(approved.approveTransitionRequest).toEqual({
      __typename: 'TransitionRequest',
      status: 'APPROVED',
      decidedBy: 'bob',
      decisionComment: 'reviewed the report',
      modelVersion: { currentStage: 'Production' },
    });
    const twice = await asBob<{ approveTransitionRequest: Typed }>(
      `mutation { approveTransitionRequest(name: "churn", requestId: 1, comment: "again") { __typename ... on StaleTransitionRequestError { code reason requestId } } }`,
    );
    expect(twice.approveTransitionRequest).toEqual({ __typename: 'StaleTransitionRequestError', code: 'RESOURCE_CONFLICT', reason: 'ALREADY_APPROVED', requestId: 1 });

    await alice.app.backend.registryProjector.catchUp();
    const trail = await asAlice<{ registryAuditTrail: { nodes: Typed[]; pageInfo: { hasNextPage: boolean } } }>(
      `{ registryAuditTrail(name: "churn") { ... on AuditTrail { nodes { kind actor comment requestId eventId causationId changes { field version before after } } pageInfo { hasNextPage } } } }`,
    );
    const kinds = trail.registryAuditTrail.nodes.map((n) => [n.kind, n.actor]);
    expect(kinds).toEqual([
      ['MODEL_CREATED', 'alice'],
      ['VERSION_CREATED', 'alice'],
      ['STAGE_TRANSITIONED', 'alice'],
      ['TRANSITION_REQUESTED', 'alice'],
      ['TRANSITION_APPROVED', 'bob'],
      ['STAGE_TRANSITIONED', 'bob'],
    ]);
    const [approval, transition] = trail.registryAuditTrail.nodes.slice(-2);
    expect(approval).toMatchObject({ comment: 'reviewed the report', requestId: 1, changes: [{ field: 'request.1.status', version: 1, before: 'PENDING', after: 'APPROVED' }] });
    expect(transition).toMatchObject({ causationId: approval.eventId, changes: [{ field: 'stage', version: 1, before: 'Staging', after: 'Production' }] });
  });

  it('answers the registry as of an instant, audit filters and paging, and bad input as DomainError', async () => {
    type Entry = { kind: string; recordedAt: string; cursor: string };
    const { registryAuditTrail } = await asAlice<{ registryAuditTrail: { nodes: Entry[] } }>(`{ registryAuditTrail(name: "churn") { ... on AuditTrail { nodes { kind recordedAt cursor } } } }`);
    const approvedAt = Date.parse(registryAuditTrail.nodes[4].recordedAt);
    const asOf = (at: number) =>
      asBob<{ registeredModelAsOf: { name: string; production: { version: number }[]; staging: { version: number }[]; transitionRequests: { status: string }[] } | null }>(
        `query($at: String!) { registeredModelAsOf(name: "churn", at: $at) { ... on RegisteredModelAsOf {
          name production: versionsInStage(stage: Production) { version } staging: versionsInStage(stage: Staging) { version } transitionRequests { status } } } }`,
        { at: new Date(at).toISOString() },
      );
    const before = (await asOf(approvedAt - 1)).registeredModelAsOf;
    expect(before).toMatchObject({ name: 'churn', production: [], staging: [{ version: 1 }] });
    const after = (await asOf(approvedAt)).registeredModelAsOf;
    expect(after).toMatchObject({ production: [{ version: 1 }], staging: [], transitionRequests: [{ status: 'APPROVED' }] });
    expect((await asOf(Date.parse(registryAuditTrail.nodes[0].recordedAt) - 1)).registeredModelAsOf).toBeNull();
    const version = await asAlice<{ modelVersionAsOf: { currentStage: string } }>(
      `query($at: String!) { modelVersionAsOf(name: "churn", version: 1, at: $at) { ... on ModelVersionAsOf { currentStage } } }`,
      { at: new Date(approvedAt - 1).toISOString() },
    );
    expect(version.modelVersionAsOf).toEqual({ currentStage: 'Staging' });

    const firstPage = await asAlice<{ registryAuditTrail: { nodes: Entry[]; pageInfo: { endCursor: string } } }>(
      `{ registryAuditTrail(name: "churn", first: 4) { ... on AuditTrail { nodes { kind recordedAt cursor } pageInfo { endCursor } } } }`,
    );
    expect(firstPage.registryAuditTrail.pageInfo.endCursor).toBe(registryAuditTrail.nodes[3].cursor);
    const secondPage = await asAlice<{ registryAuditTrail: { nodes: Entry[]; pageInfo: { endCursor: string | null } } }>(
      `query($after: String) { registryAuditTrail(name: "churn", first: 4, after: $after) { ... on AuditTrail { nodes { kind recordedAt cursor } pageInfo { endCursor } } } }`,
      { after: firstPage.registryAuditTrail.pageInfo.endCursor },
    );
    expect([...firstPage.registryAuditTrail.nodes, ...secondPage.registryAuditTrail.nodes]).toEqual(registryAuditTrail.nodes);
    expect(secondPage.registryAuditTrail.pageInfo.endCursor).toBeNull();
    const onlyStages = await asAlice<{ registryAuditTrail: { nodes: Entry[] } }>(
      `{ registryAuditTrail(name: "churn", version: 1, kinds: [STAGE_TRANSITIONED]) { ... on AuditTrail { nodes { kind recordedAt cursor } } } }`,
    );
    expect(onlyStages.registryAuditTrail.nodes.map((n) => n.kind)).toEqual(['STAGE_TRANSITIONED', 'STAGE_TRANSITIONED']);

    const badSince = await asAlice<{ registryAuditTrail: Typed }>(`{ registryAuditTrail(name: "churn", since: "last tuesday") { __typename ... on DomainError { code field } } }`);
    expect(badSince.registryAuditTrail).toEqual({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'since' });
    const badAt = await asAlice<{ registeredModelAsOf: Typed }>(`{ registeredModelAsOf(name: "churn", at: "2026-02-30") { __typename ... on DomainError { code field } } }`);
    expect(badAt.registeredModelAsOf).toEqual({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'at' });

    const chains = await asAlice<{ registryChainVerification: { ok: boolean; streams: number; breaks: unknown[] } }>(`{ registryChainVerification { ok streams events breaks { streamId } } }`);
    expect(chains.registryChainVerification).toMatchObject({ ok: true, streams: 2, breaks: [] });
  });

  it('sets the approval policy, and lets another user reject a request', async () => {
    await asAlice(`mutation { createModelVersion(input: { name: "churn", source: "s3://m/churn/2" }) { __typename } }`);
    const policy = await asAlice<{ setModelApprovalPolicy: Typed }>(
      `mutation { setModelApprovalPolicy(name: "churn", stages: [Staging, Production], comment: "four eyes on staging too") { __typename ... on RegisteredModel { approvalRequiredStages } } }`,
    );
    expect(policy.setModelApprovalPolicy).toEqual({ __typename: 'RegisteredModel', approvalRequiredStages: ['Staging', 'Production'] });
    await asAlice(`mutation { requestModelVersionStageTransition(name: "churn", version: 2, stage: Staging) { __typename } }`);
    const rejected = await asBob<{ rejectTransitionRequest: Typed }>(
      `mutation { rejectTransitionRequest(name: "churn", requestId: 2, comment: "no eval report attached") { __typename ... on TransitionRequest { status decidedBy modelVersion { currentStage } } } }`,
    );
    expect(rejected.rejectTransitionRequest).toEqual({ __typename: 'TransitionRequest', status: 'REJECTED', decidedBy: 'bob', modelVersion: { currentStage: 'None' } });
    const noComment = await asBob<{ rejectTransitionRequest: Typed }>(
      `mutation { rejectTransitionRequest(name: "churn", requestId: 2, comment: "") { __typename ... on DomainError { code field } } }`,
    );
    expect(noComment.rejectTransitionRequest).toEqual({ __typename: 'DomainError', code: 'INVALID_PARAMETER_VALUE', field: 'comment' });
    const model = await asAlice<{ registeredModel: { transitionRequests: { requestId: number; status: string }[] } }>(
      `{ registeredModel(name: "churn") { transitionRequests { requestId status } } }`,
    );
    expect(model.registeredModel.transitionRequests).toEqual([
      { requestId: 1, status: 'APPROVED' },
      { requestId: 2, status: 'REJECTED' },
    ]);
  });
});
