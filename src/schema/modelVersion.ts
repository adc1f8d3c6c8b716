import { modelStage } from '../events/registryEvents.ts';
import { versionOfAlias } from '../projections/registryAliasesReadModel.ts';
import { findModelVersion, searchModelVersions, type ModelVersionRow } from '../projections/registryVersionsReadModel.ts';
import { parseModelVersionFilter, parseModelVersionOrderBy } from '../registry/registrySearchSyntax.ts';
import { parseStage } from '../registry/registryValidation.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { KeyValueInput, TagType } from './keyValue.ts';
import { connectionType, fetchPage, pageWindow } from './paging.ts';
import { registryLoaders } from './registryLoaders.ts';
import { searchSyntaxAsDomainError } from './registrySearchErrors.ts';
import { freezeGivenProfile, REFERENCE_PROFILE_ARG_DESCRIPTION, ReferenceFeatureInput, referenceProfileOf } from './referenceProfileInput.ts';
import { RunType } from './run.ts';
import { LongScalar } from './scalars.ts';

export const ModelStageEnum = builder.enumType('ModelStage', { values: modelStage.options });

export const ModelVersionType = builder.objectRef<ModelVersionRow>('ModelVersion').implement({
  description: 'One numbered version of a registered model: where its files are, the run it came from, its stage and aliases.',
  fields: (t) => ({
    name: t.exposeString('name', { description: "The registered model's current name." }),
    version: t.exposeInt('version'),
    source: t.exposeString('source'),
    downloadUri: t.exposeString('storageLocation', { description: 'Where the files are: a runs:/ source resolved against the run artifacts.' }),
    runId: t.string({ nullable: true, resolve: (v) => v.runId ?? null }),
    run: t.field({ type: RunType, nullable: true, resolve: async (v, _a, ctx) => (v.runId ? ((await ctx.loaders.run.load(v.runId)) ?? null) : null) }),
    runLink: t.string({ nullable: true, resolve: (v) => v.runLink ?? null }),
    description: t.exposeString('description'),
    currentStage: t.field({ type: ModelStageEnum, resolve: (v) => parseStage('current_stage', v.currentStage) }),
    status: t.exposeString('status'),
    userId: t.exposeString('userId'),
    creationTimestamp: t.field({ type: LongScalar, resolve: (v) => v.creationTimestamp }),
    lastUpdatedTimestamp: t.field({ type: LongScalar, resolve: (v) => v.lastUpdatedTimestamp }),
    tags: t.field({ type: [TagType], resolve: (v, _a, ctx) => registryLoaders(ctx).versionTags.load(`${v.modelId}/${v.version}`) }),
    aliases: t.stringList({
      resolve: async (v, _a, ctx) => (await registryLoaders(ctx).aliases.load(v.modelId)).filter((a) => a.version === v.version).map((a) => a.alias),
    }),
  }),
});

const ModelVersionConnection = connectionType('ModelVersionConnection', ModelVersionType);

/** A deleted version, named: the version itself is gone from the read models. */
const DeletedModelVersionType = builder.objectRef<{ name: string; version: number }>('DeletedModelVersion').implement({
  fields: (t) => ({ name: t.exposeString('name'), version: t.exposeInt('version') }),
});

export async function loadModelVersion(ctx: GraphQLContext, name: string, version: number): Promise<ModelVersionRow> {
  const found = await findModelVersion(ctx.readDb, name, version);
  if (!found) throw notFound('version', `Model Version (name=${name}, version=${version}) not found`);
  return found;
}

builder.queryFields((t) => ({
  modelVersion: t.field({
    type: ModelVersionType,
    nullable: true,
    args: { name: t.arg.string({ required: true }), version: t.arg.int({ required: true }) },
    resolve: async (_root, { name, version }, ctx) => (await findModelVersion(ctx.readDb, name, version)) ?? null,
  }),
  modelVersionByAlias: t.field({
    type: ModelVersionType,
    nullable: true,
    args: { name: t.arg.string({ required: true }), alias: t.arg.string({ required: true }) },
    resolve: async (_root, { name, alias }, ctx) => {
      const version = await versionOfAlias(ctx.readDb, name, alias);
      return version === undefined ? null : ((await findModelVersion(ctx.readDb, name, version)) ?? null);
    },
  }),
  searchModelVersions: t.field({
    type: ModelVersionConnection,
    errors: {},
    description: "MLflow's model version search: filter like `name = 'm' AND run_id IN ('a', 'b')`, orderBy like `version_number DESC`.",
    args: { filter: t.arg.string(), orderBy: t.arg.stringList(), first: t.arg.int({ defaultValue: 100 }), after: t.arg.string() },
    resolve: (_root, args, ctx) => {
      const window = pageWindow(args.first ?? 100, args.after, 10_000);
      const { clauses, orderBy } = searchSyntaxAsDomainError(() => ({
        clauses: parseModelVersionFilter(args.filter ?? undefined),
        orderBy: parseModelVersionOrderBy(args.orderBy ?? []),
      }));
      return fetchPage(window, (limit, offset) => searchModelVersions(ctx.readDb, { clauses, orderBy, limit, offset }));
    },
  }),
}));

const CreateModelVersionInput = builder.inputType('CreateModelVersionInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'The registered model.' }),
    source: t.string({ required: true, description: 'runs:/<run id>/<path>, or any artifact URI.' }),
    runId: t.string(),
    runLink: t.string(),
    description: t.string(),
    tags: t.field({ type: [KeyValueInput] }),
    comment: t.string({ description: 'Why: kept in the audit trail.' }),
  }),
});

builder.mutationFields((t) => ({
  createModelVersion: t.field({
    type: ModelVersionType,
    errors: {},
    args: {
      input: t.arg({ type: CreateModelVersionInput, required: true }),
      referenceProfile: t.arg({ type: [ReferenceFeatureInput], description: REFERENCE_PROFILE_ARG_DESCRIPTION }),
    },
    resolve: async (_root, { input, referenceProfile }, ctx) => {
      const profile = referenceProfile ? referenceProfileOf('referenceProfile', referenceProfile) : undefined;
      const version = await ctx.registry.createModelVersion(
        {
          name: input.name,
          source: input.source,
          runId: input.runId ?? undefined,
          runLink: input.runLink ?? undefined,
          description: input.description ?? undefined,
          tags: input.tags ?? [],
          comment: input.comment ?? undefined,
        },
        commandContext(ctx.actor),
      );
      await freezeGivenProfile(ctx, input.name, version, profile);
      return loadModelVersion(ctx, input.name, version);
    },
  }),
  updateModelVersion: t.field({
    type: ModelVersionType,
    errors: {},
    args: { name: t.arg.string({ required: true }), version: t.arg.int({ required: true }), description: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, version, description, comment }, ctx) => {
      await ctx.registry.updateModelVersion(name, version, description, commandContext(ctx.actor), comment ?? undefined);
      return loadModelVersion(ctx, name, version);
    },
  }),
  setModelVersionTag: t.field({
    type: ModelVersionType,
    errors: {},
    args: {
      name: t.arg.string({ required: true }),
      version: t.arg.int({ required: true }),
      key: t.arg.string({ required: true }),
      value: t.arg.string({ required: true }),
      comment: t.arg.string(),
    },
    resolve: async (_root, { name, version, key, value, comment }, ctx) => {
      await ctx.registry.setModelVersionTag(name, version, key, value, commandContext(ctx.actor), comment ?? undefined);
      return loadModelVersion(ctx, name, version);
    },
  }),
  deleteModelVersionTag: t.field({
    type: ModelVersionType,
    errors: {},
    args: { name: t.arg.string({ required: true }), version: t.arg.int({ required: true }), key: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, version, key, comment }, ctx) => {
      await ctx.registry.deleteModelVersionTag(name, version, key, commandContext(ctx.actor), comment ?? undefined);
      return loadModelVersion(ctx, name, version);
    },
  }),
  deleteModelVersion: t.field({
    type: DeletedModelVersionType,
    errors: {},
    args: { name: t.arg.string({ required: true }), version: t.arg.int({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, version, comment }, ctx) => {
      await ctx.registry.deleteModelVersion(name, version, commandContext(ctx.actor), comment ?? undefined);
      return { name, version };
    },
  }),
  transitionModelVersionStage: t.field({
    type: ModelVersionType,
    errors: {},
    description: 'Moves a version to a stage; with archiveExistingVersions, the versions already in that stage move to Archived.',
    args: {
      name: t.arg.string({ required: true }),
      version: t.arg.int({ required: true }),
      stage: t.arg({ type: ModelStageEnum, required: true }),
      archiveExistingVersions: t.arg.boolean({ defaultValue: false }),
      comment: t.arg.string({ description: 'Why: kept with the transition in the audit trail.' }),
      referenceProfile: t.arg({ type: [ReferenceFeatureInput], description: REFERENCE_PROFILE_ARG_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => {
      const profile = args.referenceProfile ? referenceProfileOf('referenceProfile', args.referenceProfile) : undefined;
      await ctx.registry.transitionModelVersionStage(
        { name: args.name, version: args.version, stage: args.stage, archiveExistingVersions: args.archiveExistingVersions ?? false, comment: args.comment ?? undefined },
        commandContext(ctx.actor),
      );
      await freezeGivenProfile(ctx, args.name, args.version, profile);
      return loadModelVersion(ctx, args.name, args.version);
    },
  }),
  setRegisteredModelAlias: t.field({
    type: ModelVersionType,
    errors: {},
    description: 'Points an alias at a version, moving it if it pointed elsewhere; answers the version it now points at.',
    args: { name: t.arg.string({ required: true }), alias: t.arg.string({ required: true }), version: t.arg.int({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, alias, version, comment }, ctx) => {
      await ctx.registry.setRegisteredModelAlias(name, alias, version, commandContext(ctx.actor), comment ?? undefined);
      return loadModelVersion(ctx, name, version);
    },
  }),
}));
