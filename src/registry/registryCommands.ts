import type { NewEvent } from '../events/eventEnvelope.ts';
import {
  ModelVersionAliasDeleted,
  ModelVersionAliasSet,
  ModelVersionCreated,
  ModelVersionDeleted,
  ModelVersionDescriptionUpdated,
  ModelVersionStageTransitioned,
  ModelVersionTagDeleted,
  ModelVersionTagSet,
  RegisteredModelCreated,
  RegisteredModelDeleted,
  RegisteredModelDescriptionUpdated,
  RegisteredModelRenamed,
  RegisteredModelTagDeleted,
  RegisteredModelTagSet,
  type ModelStage,
} from '../events/registryEvents.ts';
import { metadataFor, type CommandContext } from '../tracking/commandContext.ts';
import { alreadyExists, invalid, notFound } from '../tracking/domainError.ts';
import { ApprovalRequiredError } from './approvals/approvalErrors.ts';
import { validateApprovalStages } from './approvals/approvalPolicy.ts';
import type { ModelsCatalog } from './modelsCatalog.ts';
import type { RegisteredModelState, VersionState } from './registeredModelState.ts';
import { validateAlias, validateModelName, validateRegistryTag } from './registryValidation.ts';

/** The optional "why" every registry command carries into its events. */
export interface Commented {
  comment?: string;
}

export interface CreateRegisteredModel extends Commented {
  name: string;
  description?: string;
  tags?: { key: string; value: string }[];
  /** Target stages whose transitions need another user's approval from the start. */
  approvalRequiredStages?: readonly string[];
}

export interface CreateModelVersion extends Commented {
  source: string;
  storageLocation: string;
  runId?: string;
  runLink?: string;
  description?: string;
  tags?: { key: string; value: string }[];
}

export interface TransitionStage extends Commented {
  version: number;
  stage: ModelStage;
  archiveExistingVersions: boolean;
}

/** Stages whose other occupants archive_existing_versions may archive. */
const ACTIVE_STAGES: readonly ModelStage[] = ['Staging', 'Production'];

const modelNotFound = (name: string) => notFound('name', `Registered Model with name=${name} not found`);
const tagsOf = (tags: readonly { key: string; value: string }[] | undefined) =>
  (tags ?? []).map((tag, i) => validateRegistryTag(`tags[${i}].key`, `tags[${i}].value`, tag.key, tag.value));

/** Catalogue commands (the registered-models stream) as pure decisions: events or a thrown DomainError. */
export const decideCatalog = {
  create(catalog: ModelsCatalog, command: CreateRegisteredModel, modelId: string, ctx: CommandContext): NewEvent[] {
    const name = validateModelName('name', command.name);
    if (catalog.idByName.has(name)) throw alreadyExists('name', `Registered Model (name=${name}) already exists.`);
    const tags = tagsOf(command.tags);
    const approvalRequiredStages = validateApprovalStages('approvalRequiredStages', command.approvalRequiredStages ?? []);
    return [
      RegisteredModelCreated.create(
        { modelId, name, description: command.description ?? '', tags, userId: ctx.actor, creationTime: ctx.now.getTime(), approvalRequiredStages, comment: command.comment },
        metadataFor(ctx, 0),
      ),
    ];
  },

  rename(catalog: ModelsCatalog, name: string, newName: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const modelId = existingModelId(catalog, name);
    const validNewName = validateModelName('new_name', newName);
    if (validNewName === name) return [];
    if (catalog.idByName.has(validNewName)) throw alreadyExists('new_name', `Registered Model (name=${validNewName}) already exists.`);
    return [RegisteredModelRenamed.create({ modelId, fromName: name, name: validNewName, comment }, metadataFor(ctx, 0))];
  },

  delete(catalog: ModelsCatalog, name: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const modelId = existingModelId(catalog, name);
    return [RegisteredModelDeleted.create({ modelId, name, comment }, metadataFor(ctx, 0))];
  },
};

export function existingModelId(catalog: ModelsCatalog, name: string): string {
  validateModelName('name', name);
  const modelId = catalog.idByName.get(name);
  if (!modelId) throw modelNotFound(name);
  return modelId;
}

/** Commands on one model's stream. `name` is only for messages; the stream is keyed by modelId. */
export const decideModel = {
  updateDescription(modelId: string, description: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    return [RegisteredModelDescriptionUpdated.create({ modelId, description, comment }, metadataFor(ctx, 0))];
  },

  setTag(modelId: string, key: string, value: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const tag = validateRegistryTag('key', 'value', key, value);
    return [RegisteredModelTagSet.create({ modelId, ...tag, comment }, metadataFor(ctx, 0))];
  },

  deleteTag(modelId: string, key: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    validateRegistryTag('key', 'value', key, '');
    return [RegisteredModelTagDeleted.create({ modelId, key, comment }, metadataFor(ctx, 0))];
  },

  createVersion(state: RegisteredModelState, modelId: string, command: CreateModelVersion, ctx: CommandContext): NewEvent[] {
    const tags = tagsOf(command.tags);
    // The next number comes from the folded stream and the append expects its exact revision: no gaps, no duplicates.
    const version = state.lastVersion + 1;
    return [
      ModelVersionCreated.create(
        {
          modelId,
          version,
          source: command.source,
          storageLocation: command.storageLocation,
          runId: command.runId,
          runLink: command.runLink,
          description: command.description ?? '',
          tags,
          userId: ctx.actor,
          creationTime: ctx.now.getTime(),
          comment: command.comment,
        },
        metadataFor(ctx, 0),
      ),
    ];
  },

  updateVersionDescription(state: RegisteredModelState, name: string, modelId: string, version: number, description: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    existingVersion(state, name, version);
    return [ModelVersionDescriptionUpdated.create({ modelId, version, description, comment }, metadataFor(ctx, 0))];
  },

  setVersionTag(state: RegisteredModelState, name: string, modelId: string, version: number, key: string, value: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const tag = validateRegistryTag('key', 'value', key, value);
    existingVersion(state, name, version);
    return [ModelVersionTagSet.create({ modelId, version, ...tag, comment }, metadataFor(ctx, 0))];
  },

  deleteVersionTag(state: RegisteredModelState, name: string, modelId: string, version: number, key: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    validateRegistryTag('key', 'value', key, '');
    existingVersion(state, name, version);
    return [ModelVersionTagDeleted.create({ modelId, version, key, comment }, metadataFor(ctx, 0))];
  },

  /** The version's aliases go first, each as its own event, so the trail shows them leaving. */
  deleteVersion(state: RegisteredModelState, name: string, modelId: string, version: number, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    existingVersion(state, name, version);
    const aliases = [...state.aliases].filter(([, v]) => v === version).map(([alias]) => alias);
    const events: NewEvent[] = aliases.map((alias, i) => ModelVersionAliasDeleted.create({ modelId, alias, version, comment }, metadataFor(ctx, i)));
    events.push(ModelVersionDeleted.create({ modelId, version, comment }, metadataFor(ctx, events.length)));
    return events;
  },

  /** gatedStages: the stages this model only enters through an approved request (see approvals/). */
  transitionStage(state: RegisteredModelState, name: string, modelId: string, command: TransitionStage, gatedStages: readonly ModelStage[], ctx: CommandContext): NewEvent[] {
    const current = existingVersion(state, name, command.version);
    checkArchiveExisting(command.stage, command.archiveExistingVersions);
    if (gatedStages.includes(command.stage)) throw new ApprovalRequiredError(name, command.version, command.stage);
    return [stageTransitioned(state, modelId, current, command, ctx, 0)];
  },

  /** Moving an alias records where it pointed before; setting it to where it already points changes nothing. */
  setAlias(state: RegisteredModelState, name: string, modelId: string, alias: string, version: number, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const validAlias = validateAlias('alias', alias);
    existingVersion(state, name, version);
    const previousVersion = state.aliases.get(validAlias);
    if (previousVersion === version) return [];
    return [ModelVersionAliasSet.create({ modelId, alias: validAlias, version, previousVersion, comment }, metadataFor(ctx, 0))];
  },

  deleteAlias(state: RegisteredModelState, modelId: string, alias: string, comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const validAlias = validateAlias('alias', alias);
    const version = state.aliases.get(validAlias);
    // As MLflow: deleting an alias that is not set succeeds and changes nothing.
    if (version === undefined) return [];
    return [ModelVersionAliasDeleted.create({ modelId, alias: validAlias, version, comment }, metadataFor(ctx, 0))];
  },
};

/** archive_existing_versions only makes sense for the active stages. */
export function checkArchiveExisting(stage: ModelStage, archiveExistingVersions: boolean): void {
  if (archiveExistingVersions && !ACTIVE_STAGES.includes(stage)) {
    throw invalid(
      'archive_existing_versions',
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${ACTIVE_STAGES.join(', ')}.`,
    );
  }
}

/** The transition event, with the versions archive_existing_versions moves out of the target stage (decided on this state). */
export function stageTransitioned(state: RegisteredModelState, modelId: string, current: VersionState, command: TransitionStage, ctx: CommandContext, index: number, causationId?: string): NewEvent {
  const archivedVersions = command.archiveExistingVersions
    ? [...state.versions.values()].filter((v) => v.stage === command.stage && v.version !== command.version).map((v) => ({ version: v.version, fromStage: v.stage }))
    : [];
  return ModelVersionStageTransitioned.create(
    { modelId, version: command.version, fromStage: current.stage, toStage: command.stage, archivedVersions: archivedVersions.length ? archivedVersions : undefined, comment: command.comment },
    causationId === undefined ? metadataFor(ctx, index) : { ...metadataFor(ctx, index), causationId },
  );
}

export function existingVersion(state: RegisteredModelState, name: string, version: number): VersionState {
  const found = state.versions.get(version);
  if (!found) throw notFound('version', `Model Version (name=${name}, version=${version}) not found`);
  return found;
}
