import { parseAuditKind } from '../registry/history/registryHistory.ts';
import { resolveModelId } from '../registry/history/modelEvents.ts';
import { validateModelName } from '../registry/registryValidation.ts';
import { modelAliasSpec, type ModelAliasChangePayload } from '../subscriptions/modelAliasSpec.ts';
import { modelAuditSpec } from '../subscriptions/modelAuditSpec.ts';
import { modelStageSpec, type ModelStageChangePayload } from '../subscriptions/modelStageSpec.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { liveArgDescriptions, startFrom, unwrapLive } from './liveArgs.ts';
import { ModelStageEnum } from './modelVersion.ts';
import { AuditEntryType, AuditKindEnum } from './registryHistory.ts';

/** Live registry changes of one model (issue 4): stage transitions, alias moves, and the audit trail as a stream. */

const ArchivedVersionType = builder.objectRef<{ version: number; fromStage: ModelStageChangePayload['fromStage'] }>('ArchivedVersion').implement({
  fields: (t) => ({ version: t.exposeInt('version'), fromStage: t.field({ type: ModelStageEnum, resolve: (a) => a.fromStage }) }),
});

const ModelStageChangeType = builder.objectRef<ModelStageChangePayload>('ModelStageChange').implement({
  description: 'A model version moved to another stage (directly, or carried out by an approval named in causationId).',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    modelId: t.exposeID('modelId'),
    version: t.exposeInt('version'),
    fromStage: t.field({ type: ModelStageEnum, resolve: (c) => c.fromStage }),
    toStage: t.field({ type: ModelStageEnum, resolve: (c) => c.toStage }),
    archivedVersions: t.field({ type: [ArchivedVersionType], description: 'Versions archived by archive_existing_versions.', resolve: (c) => c.archivedVersions }),
    actor: t.exposeString('actor'),
    recordedAt: t.exposeString('recordedAt'),
    comment: t.string({ nullable: true, resolve: (c) => c.comment ?? null }),
    causationId: t.string({ nullable: true, resolve: (c) => c.causationId ?? null }),
  }),
});

const ModelAliasChangeType = builder.objectRef<ModelAliasChangePayload>('ModelAliasChange').implement({
  description: 'An alias set, moved or deleted: version is where it points now (null once deleted), previousVersion where it pointed before.',
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    modelId: t.exposeID('modelId'),
    alias: t.exposeString('alias'),
    version: t.int({ nullable: true, resolve: (c) => c.version ?? null }),
    previousVersion: t.int({ nullable: true, resolve: (c) => c.previousVersion ?? null }),
    actor: t.exposeString('actor'),
    recordedAt: t.exposeString('recordedAt'),
    comment: t.string({ nullable: true, resolve: (c) => c.comment ?? null }),
  }),
});

/** The model a name refers to, from the events (a model just created through another server is found too). */
async function modelIdOf(ctx: GraphQLContext, name: string): Promise<string> {
  const valid = validateModelName('name', name);
  const modelId = await resolveModelId(ctx.tracking.store, valid);
  if (!modelId) throw notFound('name', `No registered model was ever named ${valid}.`);
  return modelId;
}

const modelArgs = (t: Parameters<Parameters<typeof builder.subscriptionFields>[0]>[0]) => ({
  name: t.arg.string({ required: true }),
  after: t.arg.string({ description: liveArgDescriptions.after }),
  fromStart: t.arg.boolean({ description: liveArgDescriptions.fromStart }),
});

builder.subscriptionFields((t) => ({
  modelStageChanges: t.field({
    type: ModelStageChangeType,
    description: 'Stage transitions of a registered model’s versions.',
    args: modelArgs(t),
    subscribe: async (_root, args, ctx) => ctx.live.open(modelStageSpec(await modelIdOf(ctx, args.name)), startFrom(args.after, args.fromStart)),
    resolve: (item) => unwrapLive(item),
  }),
  modelAliasChanges: t.field({
    type: ModelAliasChangeType,
    description: 'Aliases of a registered model set, moved or deleted.',
    args: modelArgs(t),
    subscribe: async (_root, args, ctx) => ctx.live.open(modelAliasSpec(await modelIdOf(ctx, args.name)), startFrom(args.after, args.fromStart)),
    resolve: (item) => unwrapLive(item),
  }),
  registryAuditTrail: t.field({
    type: AuditEntryType,
    description:
      'The audit trail of a registered model (or one version) as a stream, the same entries as the registryAuditTrail query: ' +
      'replays from `after` (an entry cursor) or from the start, then continues live, in log order.',
    args: { ...modelArgs(t), version: t.arg.int(), kinds: t.arg({ type: [AuditKindEnum] }) },
    subscribe: async (_root, args, ctx) => {
      const from = startFrom(args.after, args.fromStart);
      if (args.version !== null && args.version !== undefined && (!Number.isSafeInteger(args.version) || args.version < 1)) {
        throw invalid('version', `'version' must be a positive integer, got ${args.version}.`);
      }
      const kinds = (args.kinds ?? []).map((kind, i) => parseAuditKind(`kinds[${i}]`, kind));
      return ctx.live.open(modelAuditSpec(await modelIdOf(ctx, args.name), { version: args.version ?? undefined, kinds }), from);
    },
    resolve: (item) => unwrapLive(item).entry,
  }),
}));
