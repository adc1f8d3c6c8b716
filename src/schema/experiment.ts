import { findExperimentById, findExperimentByName, listExperiments, type ExperimentRow } from '../projections/experimentsReadModel.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import { KeyValueInput, TagType } from './keyValue.ts';
import { connectionType, fetchPage, pageWindow } from './paging.ts';
import { LongScalar } from './scalars.ts';
import { ViewTypeEnum } from './viewType.ts';

export const ExperimentType = builder.objectRef<ExperimentRow>('Experiment').implement({
  fields: (t) => ({
    id: t.exposeID('experimentId', { description: "MLflow's experiment id: an increasing number as a string; '0' is Default." }),
    name: t.exposeString('name'),
    artifactLocation: t.exposeString('artifactLocation'),
    lifecycleStage: t.exposeString('lifecycleStage'),
    creationTime: t.field({ type: LongScalar, resolve: (e) => e.creationTime }),
    lastUpdateTime: t.field({ type: LongScalar, resolve: (e) => e.lastUpdateTime }),
    tags: t.field({ type: [TagType], resolve: (e, _args, ctx) => ctx.loaders.experimentTags.load(e.experimentId) }),
  }),
});

const ExperimentConnection = connectionType('ExperimentConnection', ExperimentType);

builder.queryFields((t) => ({
  experiment: t.field({
    type: ExperimentType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => (await findExperimentById(ctx.readDb, String(id))) ?? null,
  }),
  experimentByName: t.field({
    type: ExperimentType,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, { name }, ctx) => (await findExperimentByName(ctx.readDb, name)) ?? null,
  }),
  experiments: t.field({
    type: ExperimentConnection,
    args: {
      first: t.arg.int({ defaultValue: 100 }),
      after: t.arg.string(),
      viewType: t.arg({ type: ViewTypeEnum, defaultValue: 'ACTIVE_ONLY' }),
      nameContains: t.arg.string({ description: 'Case-insensitive substring of the name.' }),
    },
    resolve: (_root, args, ctx) => {
      const window = pageWindow(args.first ?? 100, args.after, 1000);
      const nameLike = args.nameContains ? `%${args.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
      return fetchPage(window, (limit, offset) => listExperiments(ctx.readDb, { viewType: args.viewType ?? 'ACTIVE_ONLY', nameLike, limit, offset }));
    },
  }),
}));

const CreateExperimentInput = builder.inputType('CreateExperimentInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    artifactLocation: t.string(),
    tags: t.field({ type: [KeyValueInput] }),
  }),
});

/** Every experiment mutation answers with the experiment as the read model now shows it. */
async function experimentAfterWrite(ctx: { readDb: Parameters<typeof findExperimentById>[0] }, id: string): Promise<ExperimentRow> {
  const experiment = await findExperimentById(ctx.readDb, id);
  if (!experiment) throw notFound('id', `No Experiment with id=${id} exists`);
  return experiment;
}

builder.mutationFields((t) => ({
  createExperiment: t.field({
    type: ExperimentType,
    errors: {},
    args: { input: t.arg({ type: CreateExperimentInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = await ctx.tracking.createExperiment(
        { name: input.name, artifactLocation: input.artifactLocation ?? undefined, tags: input.tags ?? [] },
        commandContext(ctx.actor),
      );
      return experimentAfterWrite(ctx, id);
    },
  }),
  renameExperiment: t.field({
    type: ExperimentType,
    errors: {},
    args: { id: t.arg.id({ required: true }), newName: t.arg.string({ required: true }) },
    resolve: async (_root, { id, newName }, ctx) => {
      await ctx.tracking.renameExperiment({ experimentId: String(id), newName }, commandContext(ctx.actor));
      return experimentAfterWrite(ctx, String(id));
    },
  }),
  deleteExperiment: t.field({
    type: ExperimentType,
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.tracking.deleteExperiment(String(id), commandContext(ctx.actor));
      return experimentAfterWrite(ctx, String(id));
    },
  }),
  restoreExperiment: t.field({
    type: ExperimentType,
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.tracking.restoreExperiment(String(id), commandContext(ctx.actor));
      return experimentAfterWrite(ctx, String(id));
    },
  }),
  setExperimentTag: t.field({
    type: ExperimentType,
    errors: {},
    args: { experimentId: t.arg.id({ required: true }), key: t.arg.string({ required: true }), value: t.arg.string({ required: true }) },
    resolve: async (_root, { experimentId, key, value }, ctx) => {
      await ctx.tracking.setExperimentTag({ experimentId: String(experimentId), key, value }, commandContext(ctx.actor));
      return experimentAfterWrite(ctx, String(experimentId));
    },
  }),
  deleteExperimentTag: t.field({
    type: ExperimentType,
    errors: {},
    args: { experimentId: t.arg.id({ required: true }), key: t.arg.string({ required: true }) },
    resolve: async (_root, { experimentId, key }, ctx) => {
      await ctx.tracking.deleteExperimentTag(String(experimentId), key, commandContext(ctx.actor));
      return experimentAfterWrite(ctx, String(experimentId));
    },
  }),
}));
