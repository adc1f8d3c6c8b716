import { approvalStagesOfModels, findTransitionRequests, type TransitionRequestRow } from '../projections/registryApprovalsReadModel.ts';
import { findRegisteredModel } from '../projections/registryModelsReadModel.ts';
import { findModelVersion } from '../projections/registryVersionsReadModel.ts';
import { SelfApprovalError, StaleTransitionRequestError, staleReasons } from '../registry/approvals/approvalErrors.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import { ErrorCodeEnum } from './domainErrorType.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { ModelStageEnum, ModelVersionType } from './modelVersion.ts';
import { connectionType, fetchPage, pageWindow } from './paging.ts';
import { freezeGivenProfile, REFERENCE_PROFILE_ARG_DESCRIPTION, ReferenceFeatureInput, referenceProfileOf } from './referenceProfileInput.ts';
import { RegisteredModelType } from './registeredModel.ts';
import { LongScalar } from './scalars.ts';

export const TransitionRequestStatusEnum = builder.enumType('TransitionRequestStatus', { values: ['PENDING', 'APPROVED', 'REJECTED'] as const });

export const TransitionRequestType = builder.objectRef<TransitionRequestRow>('TransitionRequest').implement({
  description: 'A request to move a model version to a stage; only an approval by another user carries it out.',
  fields: (t) => ({
    name: t.exposeString('name', { description: "The registered model's current name." }),
    requestId: t.exposeInt('requestId', { description: 'Numbered 1, 2, 3… per model.' }),
    version: t.exposeInt('version'),
    fromStage: t.field({ type: ModelStageEnum, resolve: (r) => r.fromStage }),
    toStage: t.field({ type: ModelStageEnum, resolve: (r) => r.toStage }),
    archiveExistingVersions: t.exposeBoolean('archiveExistingVersions'),
    requestedBy: t.exposeString('requestedBy'),
    requestedAt: t.field({ type: LongScalar, resolve: (r) => r.requestedAt }),
    comment: t.string({ nullable: true, resolve: (r) => r.comment ?? null }),
    status: t.field({ type: TransitionRequestStatusEnum, resolve: (r) => r.status }),
    decidedBy: t.string({ nullable: true, resolve: (r) => r.decidedBy ?? null }),
    decidedAt: t.field({ type: LongScalar, nullable: true, resolve: (r) => r.decidedAt ?? null }),
    decisionComment: t.string({ nullable: true, resolve: (r) => r.decisionComment ?? null }),
    stale: t.exposeBoolean('stale', { description: 'Pending, but the version was deleted or left the stage it was requested from: it can only be rejected.' }),
    modelVersion: t.field({
      type: ModelVersionType,
      nullable: true,
      description: 'The version as it is now (null once deleted).',
      resolve: async (r, _a, ctx) => (await findModelVersion(ctx.readDb, r.name, r.version)) ?? null,
    }),
  }),
});

const TransitionRequestConnection = connectionType('TransitionRequestConnection', TransitionRequestType);

builder.objectType(SelfApprovalError, {
  name: 'SelfApprovalError',
  description: 'The requester tried to decide their own request: another user must. Nothing was written.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
    message: t.exposeString('message'),
    field: t.string({ nullable: true, resolve: (e) => e.field ?? null }),
    requestId: t.exposeInt('requestId'),
    requestedBy: t.exposeString('requestedBy'),
  }),
});

const StaleReasonEnum = builder.enumType('StaleTransitionRequestReason', { values: staleReasons });

builder.objectType(StaleTransitionRequestError, {
  name: 'StaleTransitionRequestError',
  description: 'The request was decided already, or its version was deleted or moved since it was made. Nothing was written.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
    message: t.exposeString('message'),
    field: t.string({ nullable: true, resolve: (e) => e.field ?? null }),
    requestId: t.exposeInt('requestId'),
    reason: t.field({ type: StaleReasonEnum, resolve: (e) => e.reason }),
  }),
});

async function loadRequest(ctx: GraphQLContext, name: string, requestId: number): Promise<TransitionRequestRow> {
  const [row] = await findTransitionRequests(ctx.readDb, { name, requestId, limit: 1, offset: 0 });
  if (!row) throw notFound('requestId', `Transition request ${requestId} of registered model '${name}' not found.`);
  return row;
}

builder.objectFields(RegisteredModelType, (t) => ({
  approvalRequiredStages: t.field({
    type: [ModelStageEnum],
    description: 'Target stages a version only enters through a request approved by another user.',
    resolve: async (m, _a, ctx) => (await approvalStagesOfModels(ctx.readDb, [m.modelId])).get(m.modelId) ?? [],
  }),
  transitionRequests: t.field({
    type: [TransitionRequestType],
    args: { status: t.arg({ type: TransitionRequestStatusEnum }), version: t.arg.int() },
    resolve: (m, { status, version }, ctx) =>
      findTransitionRequests(ctx.readDb, { name: m.name, status: status ?? undefined, version: version ?? undefined, limit: 10_000, offset: 0 }),
  }),
}));

builder.queryFields((t) => ({
  transitionRequests: t.field({
    type: TransitionRequestConnection,
    errors: {},
    description: 'Stage transition requests, oldest first: pending ones by default, of one model or of all.',
    args: {
      name: t.arg.string(),
      version: t.arg.int(),
      status: t.arg({ type: TransitionRequestStatusEnum, defaultValue: 'PENDING' }),
      first: t.arg.int({ defaultValue: 100 }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) => {
      const window = pageWindow(args.first ?? 100, args.after, 1000);
      return fetchPage(window, (limit, offset) =>
        findTransitionRequests(ctx.readDb, { name: args.name ?? undefined, version: args.version ?? undefined, status: args.status ?? undefined, limit, offset }),
      );
    },
  }),
}));

const decisionErrors = { types: [SelfApprovalError, StaleTransitionRequestError] };

builder.mutationFields((t) => ({
  setModelApprovalPolicy: t.field({
    type: RegisteredModelType,
    errors: {},
    description: 'Which target stages need approval by a second user (an empty list lifts the gate). Recorded with the previous policy.',
    args: { name: t.arg.string({ required: true }), stages: t.arg({ type: [ModelStageEnum], required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, stages, comment }, ctx) => {
      await ctx.registry.setApprovalPolicy(name, stages, commandContext(ctx.actor), comment ?? undefined);
      const model = await findRegisteredModel(ctx.readDb, name);
      if (!model) throw notFound('name', `Registered Model with name=${name} not found`);
      return model;
    },
  }),
  requestModelVersionStageTransition: t.field({
    type: TransitionRequestType,
    errors: {},
    description: 'Asks for a version to be moved; another user approves or rejects the request. The stage does not change until approved.',
    args: {
      name: t.arg.string({ required: true }),
      version: t.arg.int({ required: true }),
      stage: t.arg({ type: ModelStageEnum, required: true }),
      archiveExistingVersions: t.arg.boolean({ defaultValue: false }),
      comment: t.arg.string({ description: 'Why: kept in the audit trail.' }),
    },
    resolve: async (_root, args, ctx) => {
      const requestId = await ctx.registry.requestModelVersionStageTransition(
        { name: args.name, version: args.version, stage: args.stage, archiveExistingVersions: args.archiveExistingVersions ?? false, comment: args.comment ?? undefined },
        commandContext(ctx.actor),
      );
      return loadRequest(ctx, args.name, requestId);
    },
  }),
  approveTransitionRequest: t.field({
    type: TransitionRequestType,
    errors: decisionErrors,
    description: "Carries out another user's pending request: records the approval and the stage transition together.",
    args: {
      name: t.arg.string({ required: true }),
      requestId: t.arg.int({ required: true }),
      comment: t.arg.string({ required: true, description: 'Why it is approved: required, kept in the audit trail.' }),
      archiveExistingVersions: t.arg.boolean({ description: "Overrides the request's choice when given." }),
      referenceProfile: t.arg({ type: [ReferenceFeatureInput], description: REFERENCE_PROFILE_ARG_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => {
      const profile = args.referenceProfile ? referenceProfileOf('referenceProfile', args.referenceProfile) : undefined;
      await ctx.registry.approveTransitionRequest(
        args.name,
        args.requestId,
        { comment: args.comment, archiveExistingVersions: args.archiveExistingVersions ?? undefined },
        commandContext(ctx.actor),
      );
      // The approval is what moves the version, so the profile rides on it (a request carries none).
      const request = await loadRequest(ctx, args.name, args.requestId);
      await freezeGivenProfile(ctx, args.name, request.version, profile);
      return request;
    },
  }),
  rejectTransitionRequest: t.field({
    type: TransitionRequestType,
    errors: decisionErrors,
    description: "Declines another user's pending (or stale) request; the version stays where it is.",
    args: { name: t.arg.string({ required: true }), requestId: t.arg.int({ required: true }), comment: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      await ctx.registry.rejectTransitionRequest(args.name, args.requestId, args.comment, commandContext(ctx.actor));
      return loadRequest(ctx, args.name, args.requestId);
    },
  }),
}));
