import { findRegisteredModel, searchRegisteredModels, type RegisteredModelRow } from '../projections/registryModelsReadModel.ts';
import { findModelVersion, versionsOfModel } from '../projections/registryVersionsReadModel.ts';
import { parseRegisteredModelFilter, parseRegisteredModelOrderBy } from '../registry/registrySearchSyntax.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { KeyValueInput, TagType } from './keyValue.ts';
import { ModelStageEnum, ModelVersionType } from './modelVersion.ts';
import { connectionType, fetchPage, pageWindow } from './paging.ts';
import { registryLoaders } from './registryLoaders.ts';
import { searchSyntaxAsDomainError } from './registrySearchErrors.ts';
import { LongScalar } from './scalars.ts';

interface AliasOfModel {
  name: string;
  alias: string;
  version: number;
}

const ModelAliasType = builder.objectRef<AliasOfModel>('ModelAlias').implement({
  fields: (t) => ({
    alias: t.exposeString('alias'),
    version: t.exposeInt('version'),
    modelVersion: t.field({ type: ModelVersionType, nullable: true, resolve: async (a, _args, ctx) => (await findModelVersion(ctx.readDb, a.name, a.version)) ?? null }),
  }),
});

export const RegisteredModelType = builder.objectRef<RegisteredModelRow>('RegisteredModel').implement({
  description: 'A named model in the registry, with its numbered versions, stages and aliases.',
  fields: (t) => ({
    id: t.exposeID('modelId', { description: 'Stable across renames.' }),
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    userId: t.exposeString('userId'),
    creationTimestamp: t.field({ type: LongScalar, resolve: (m) => m.creationTimestamp }),
    lastUpdatedTimestamp: t.field({ type: LongScalar, resolve: (m) => m.lastUpdatedTimestamp }),
    tags: t.field({ type: [TagType], resolve: (m, _a, ctx) => registryLoaders(ctx).modelTags.load(m.modelId) }),
    aliases: t.field({
      type: [ModelAliasType],
      resolve: async (m, _a, ctx) => (await registryLoaders(ctx).aliases.load(m.modelId)).map((a) => ({ ...a, name: m.name })),
    }),
    latestVersions: t.field({
      type: [ModelVersionType],
      description: 'The highest version in each stage (only the stages asked for, when given).',
      args: { stages: t.arg({ type: [ModelStageEnum] }) },
      resolve: async (m, { stages }, ctx) => {
        const latest = await registryLoaders(ctx).latestVersions.load(m.modelId);
        return stages && stages.length > 0 ? latest.filter((v) => (stages as string[]).includes(v.currentStage)) : latest;
      },
    }),
    versions: t.field({ type: [ModelVersionType], resolve: (m, _a, ctx) => versionsOfModel(ctx.readDb, m.modelId) }),
  }),
});

const RegisteredModelConnection = connectionType('RegisteredModelConnection', RegisteredModelType);

const DeletedRegisteredModelType = builder.objectRef<{ name: string }>('DeletedRegisteredModel').implement({
  fields: (t) => ({ name: t.exposeString('name') }),
});

async function loadRegisteredModel(ctx: GraphQLContext, name: string): Promise<RegisteredModelRow> {
  const model = await findRegisteredModel(ctx.readDb, name);
  if (!model) throw notFound('name', `Registered Model with name=${name} not found`);
  return model;
}

/** A LIKE pattern matching the text anywhere, its own % and _ taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

builder.queryFields((t) => ({
  registeredModel: t.field({
    type: RegisteredModelType,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, { name }, ctx) => (await findRegisteredModel(ctx.readDb, name)) ?? null,
  }),
  registeredModels: t.field({
    type: RegisteredModelConnection,
    errors: {},
    description: "MLflow's registered model search: filter like `name LIKE 'churn%' AND tags.team = 'ml'`, orderBy like `last_updated_timestamp DESC`.",
    args: {
      filter: t.arg.string(),
      nameContains: t.arg.string({ description: 'Case-insensitive substring of the name (added to filter).' }),
      orderBy: t.arg.stringList(),
      first: t.arg.int({ defaultValue: 100 }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) => {
      const window = pageWindow(args.first ?? 100, args.after, 1000);
      const { clauses, orderBy } = searchSyntaxAsDomainError(() => ({
        clauses: [
          ...parseRegisteredModelFilter(args.filter ?? undefined),
          ...(args.nameContains ? [{ kind: 'name', comparator: 'ILIKE', value: containing(args.nameContains) } as const] : []),
        ],
        orderBy: parseRegisteredModelOrderBy(args.orderBy ?? []),
      }));
      return fetchPage(window, (limit, offset) => searchRegisteredModels(ctx.readDb, { clauses, orderBy, limit, offset }));
    },
  }),
}));

const CreateRegisteredModelInput = builder.inputType('CreateRegisteredModelInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    tags: t.field({ type: [KeyValueInput] }),
    approvalRequiredStages: t.field({ type: [ModelStageEnum], description: 'Target stages that need approval by a second user from the start.' }),
    comment: t.string({ description: 'Why: kept in the audit trail.' }),
  }),
});

builder.mutationFields((t) => ({
  createRegisteredModel: t.field({
    type: RegisteredModelType,
    errors: {},
    args: { input: t.arg({ type: CreateRegisteredModelInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.registry.createRegisteredModel(
        {
          name: input.name,
          description: input.description ?? undefined,
          tags: input.tags ?? [],
          approvalRequiredStages: input.approvalRequiredStages ?? [],
          comment: input.comment ?? undefined,
        },
        commandContext(ctx.actor),
      );
      return loadRegisteredModel(ctx, input.name);
    },
  }),
  renameRegisteredModel: t.field({
    type: RegisteredModelType,
    errors: {},
    args: { name: t.arg.string({ required: true }), newName: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, newName, comment }, ctx) => {
      await ctx.registry.renameRegisteredModel(name, newName, commandContext(ctx.actor), comment ?? undefined);
      return loadRegisteredModel(ctx, newName);
    },
  }),
  updateRegisteredModel: t.field({
    type: RegisteredModelType,
    errors: {},
    args: { name: t.arg.string({ required: true }), description: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, description, comment }, ctx) => {
      await ctx.registry.updateRegisteredModel(name, description, commandContext(ctx.actor), comment ?? undefined);
      return loadRegisteredModel(ctx, name);
    },
  }),
  deleteRegisteredModel: t.field({
    type: DeletedRegisteredModelType,
    errors: {},
    args: { name: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, comment }, ctx) => {
      await ctx.registry.deleteRegisteredModel(name, commandContext(ctx.actor), comment ?? undefined);
      return { name };
    },
  }),
  setRegisteredModelTag: t.field({
    type: RegisteredModelType,
    errors: {},
    args: { name: t.arg.string({ required: true }), key: t.arg.string({ required: true }), value: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, key, value, comment }, ctx) => {
      await ctx.registry.setRegisteredModelTag(name, key, value, commandContext(ctx.actor), comment ?? undefined);
      return loadRegisteredModel(ctx, name);
    },
  }),
  deleteRegisteredModelTag: t.field({
    type: RegisteredModelType,
    errors: {},
    args: { name: t.arg.string({ required: true }), key: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, key, comment }, ctx) => {
      await ctx.registry.deleteRegisteredModelTag(name, key, commandContext(ctx.actor), comment ?? undefined);
      return loadRegisteredModel(ctx, name);
    },
  }),
  deleteRegisteredModelAlias: t.field({
    type: RegisteredModelType,
    errors: {},
    args: { name: t.arg.string({ required: true }), alias: t.arg.string({ required: true }), comment: t.arg.string() },
    resolve: async (_root, { name, alias, comment }, ctx) => {
      await ctx.registry.deleteRegisteredModelAlias(name, alias, commandContext(ctx.actor), comment ?? undefined);
      return loadRegisteredModel(ctx, name);
    },
  }),
}));
