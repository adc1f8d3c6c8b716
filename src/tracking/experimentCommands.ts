import type { NewEvent } from '../events/eventEnvelope.ts';
import {
  ExperimentCreated,
  ExperimentDeleted,
  ExperimentRenamed,
  ExperimentRestored,
  ExperimentTagDeleted,
  ExperimentTagSet,
} from '../events/experimentEvents.ts';
import { metadataFor, type CommandContext } from './commandContext.ts';
import { alreadyExists, invalid, notFound } from './domainError.ts';
import type { ExperimentsCatalog, ExperimentState } from './experimentsCatalog.ts';
import { trackingLimits } from './trackingLimits.ts';
import { validateExperimentId, validateExperimentName, validateKey } from './validation.ts';

export const DEFAULT_EXPERIMENT_ID = '0';

export interface CreateExperiment {
  name: string;
  artifactLocation?: string;
  tags?: { key: string; value: string }[];
}
export interface RenameExperiment {
  experimentId: string;
  newName: string;
}
export interface SetExperimentTag {
  experimentId: string;
  key: string;
  value: string;
}

/** Experiment commands as pure decisions over the catalogue: they return events or throw, never write. */
export const decideExperiment = {
  ensureDefault(catalog: ExperimentsCatalog, ctx: CommandContext, artifactRoot: string): NewEvent[] {
    if (catalog.byId.has(DEFAULT_EXPERIMENT_ID)) return [];
    return [
      ExperimentCreated.create(
        { experimentId: DEFAULT_EXPERIMENT_ID, name: 'Default', artifactLocation: `${artifactRoot}/${DEFAULT_EXPERIMENT_ID}`, tags: [], creationTime: ctx.now.getTime() },
        metadataFor(ctx, 0),
      ),
    ];
  },

  create(catalog: ExperimentsCatalog, command: CreateExperiment, ctx: CommandContext, artifactRoot: string): NewEvent[] {
    const name = validateExperimentName('name', command.name);
    if (catalog.idByName.has(name)) throw alreadyExists('name', `Experiment(name=${name}) already exists.`);
    if (command.artifactLocation?.startsWith('runs:')) throw invalid('artifact_location', `Experiment artifact location cannot be a runs:/ URI. Got '${command.artifactLocation}'.`);
    const tags = (command.tags ?? []).map((t, i) => experimentTag(t.key, t.value, `tags[${i}]`));
    const experimentId = String(catalog.nextId);
    return [
      ExperimentCreated.create(
        { experimentId, name, artifactLocation: command.artifactLocation || `${artifactRoot}/${experimentId}`, tags, creationTime: ctx.now.getTime() },
        metadataFor(ctx, 0),
      ),
    ];
  },

  rename(catalog: ExperimentsCatalog, command: RenameExperiment, ctx: CommandContext): NewEvent[] {
    const experiment = activeExperiment(catalog, command.experimentId);
    const name = validateExperimentName('new_name', command.newName);
    if (name === experiment.name) return [];
    if (catalog.idByName.has(name)) throw alreadyExists('new_name', `Experiment(name=${name}) already exists.`);
    return [ExperimentRenamed.create({ experimentId: experiment.experimentId, name }, metadataFor(ctx, 0))];
  },

  delete(catalog: ExperimentsCatalog, experimentId: string, ctx: CommandContext): NewEvent[] {
    const experiment = existingExperiment(catalog, experimentId);
    if (experiment.experimentId === DEFAULT_EXPERIMENT_ID) throw invalid('experiment_id', 'Cannot delete the default experiment \'0\'. This is an internally reserved experiment.');
    if (experiment.lifecycleStage === 'deleted') return [];
    return [ExperimentDeleted.create({ experimentId }, metadataFor(ctx, 0))];
  },

  restore(catalog: ExperimentsCatalog, experimentId: string, ctx: CommandContext): NewEvent[] {
    const experiment = existingExperiment(catalog, experimentId);
    if (experiment.lifecycleStage === 'active') return [];
    return [ExperimentRestored.create({ experimentId }, metadataFor(ctx, 0))];
  },

  setTag(catalog: ExperimentsCatalog, command: SetExperimentTag, ctx: CommandContext): NewEvent[] {
    const experiment = activeExperiment(catalog, command.experimentId);
    const tag = experimentTag(command.key, command.value, '');
    if (experiment.tags.get(tag.key) === tag.value) return [];
    return [ExperimentTagSet.create({ experimentId: experiment.experimentId, ...tag }, metadataFor(ctx, 0))];
  },

  deleteTag(catalog: ExperimentsCatalog, experimentId: string, key: string, ctx: CommandContext): NewEvent[] {
    const experiment = activeExperiment(catalog, experimentId);
    if (!experiment.tags.has(key)) throw notFound('key', `No tag with name: ${key} in experiment with id ${experimentId}`);
    return [ExperimentTagDeleted.create({ experimentId, key }, metadataFor(ctx, 0))];
  },
};

export function existingExperiment(catalog: ExperimentsCatalog, experimentId: string): ExperimentState {
  validateExperimentId('experiment_id', experimentId);
  const experiment = catalog.byId.get(experimentId);
  if (!experiment) throw notFound('experiment_id', `No Experiment with id=${experimentId} exists`);
  return experiment;
}

export function activeExperiment(catalog: ExperimentsCatalog, experimentId: string): ExperimentState {
  const experiment = existingExperiment(catalog, experimentId);
  if (experiment.lifecycleStage !== 'active') {
    throw invalid('experiment_id', `The experiment ${experimentId} must be in the 'active' state. Current state is ${experiment.lifecycleStage}.`);
  }
  return experiment;
}

function experimentTag(key: string, value: string, prefix: string) {
  const keyField = prefix ? `${prefix}.key` : 'key';
  const valueField = prefix ? `${prefix}.value` : 'value';
  validateKey(keyField, key, 'tag');
  if (key.length > trackingLimits.experimentTagKeyLength) throw invalid(keyField, `Experiment tag key exceeds ${trackingLimits.experimentTagKeyLength} characters.`);
  if (typeof value !== 'string') throw invalid(valueField, `Missing value for required parameter '${valueField}'.`);
  if (value.length > trackingLimits.experimentTagValueLength) {
    throw invalid(valueField, `Experiment tag value exceeds the maximum length of ${trackingLimits.experimentTagValueLength} characters (got ${value.length}).`);
  }
  return { key, value };
}
