import { z } from 'zod';
import { defineEvent, type Upcaster } from './defineEvent.ts';

/**
 * The model registry's events. The name catalogue (create, rename, delete) lives in
 * one stream so names stay unique; everything else about a model lives in the
 * model's own stream, keyed by a stable id that survives renames.
 */
export const REGISTERED_MODELS_STREAM = 'registered-models';
export const registeredModelStream = (modelId: string) => `registered-model-${modelId}`;

const modelId = z.string().regex(/^[0-9a-f]{32}$/);
const version = z.number().int().positive();
const keyValue = z.object({ key: z.string(), value: z.string() });
/** The "why" a caller may give for any registry change; kept for the audit trail. */
const comment = z.string().optional();
export const modelStage = z.enum(['None', 'Staging', 'Production', 'Archived']);
export type ModelStage = z.infer<typeof modelStage>;

/** Target stages a transition into needs another person's approval (sorted as modelStage lists them, no repeats). */
const approvalStages = z.array(modelStage);

// Catalogue stream.
/** v2 adds approvalRequiredStages, so a model can be gated from its first moment (v1 events upcast to []). */
export const RegisteredModelCreated = defineEvent(
  'RegisteredModelCreated',
  2,
  z.object({
    modelId,
    name: z.string(),
    description: z.string(),
    tags: z.array(keyValue),
    userId: z.string(),
    creationTime: z.number().int(),
    approvalRequiredStages: approvalStages,
    comment,
  }),
);
export const RegisteredModelRenamed = defineEvent('RegisteredModelRenamed', 1, z.object({ modelId, fromName: z.string(), name: z.string(), comment }));
export const RegisteredModelDeleted = defineEvent('RegisteredModelDeleted', 1, z.object({ modelId, name: z.string(), comment }));

// A model's own stream.
export const RegisteredModelDescriptionUpdated = defineEvent('RegisteredModelDescriptionUpdated', 1, z.object({ modelId, description: z.string(), comment }));
export const RegisteredModelTagSet = defineEvent('RegisteredModelTagSet', 1, z.object({ modelId, key: z.string(), value: z.string(), comment }));
export const RegisteredModelTagDeleted = defineEvent('RegisteredModelTagDeleted', 1, z.object({ modelId, key: z.string(), comment }));

export const ModelVersionCreated = defineEvent(
  'ModelVersionCreated',
  1,
  z.object({
    modelId,
    version,
    source: z.string(),
    /** Where the files are: the source with runs:/ resolved against the run's artifact root. */
    storageLocation: z.string(),
    runId: z.string().optional(),
    runLink: z.string().optional(),
    description: z.string(),
    tags: z.array(keyValue),
    userId: z.string(),
    creationTime: z.number().int(),
    comment,
  }),
);
export const ModelVersionDescriptionUpdated = defineEvent('ModelVersionDescriptionUpdated', 1, z.object({ modelId, version, description: z.string(), comment }));
export const ModelVersionTagSet = defineEvent('ModelVersionTagSet', 1, z.object({ modelId, version, key: z.string(), value: z.string(), comment }));
export const ModelVersionTagDeleted = defineEvent('ModelVersionTagDeleted', 1, z.object({ modelId, version, key: z.string(), comment }));
export const ModelVersionDeleted = defineEvent('ModelVersionDeleted', 1, z.object({ modelId, version, comment }));
export const ModelVersionStageTransitioned = defineEvent(
  'ModelVersionStageTransitioned',
  1,
  z.object({
    modelId,
    version,
    fromStage: modelStage,
    toStage: modelStage,
    /** Versions moved to Archived by archive_existing_versions, with the stage each left. */
    archivedVersions: z.array(z.object({ version, fromStage: modelStage })).optional(),
    comment,
  }),
);
export const ModelVersionAliasSet = defineEvent(
  'ModelVersionAliasSet',
  1,
  z.object({ modelId, alias: z.string(), version, previousVersion: version.optional(), comment }),
);
export const ModelVersionAliasDeleted = defineEvent('ModelVersionAliasDeleted', 1, z.object({ modelId, alias: z.string(), version, comment }));

// Approvals, in the model's stream so they serialise with the transitions they gate.
export const RegisteredModelApprovalPolicySet = defineEvent(
  'RegisteredModelApprovalPolicySet',
  1,
  z.object({ modelId, approvalRequiredStages: approvalStages, previousStages: approvalStages, comment }),
);
/** Request numbers count 1, 2, 3… per model, like versions. */
const requestId = z.number().int().positive();
export const ModelVersionStageTransitionRequested = defineEvent(
  'ModelVersionStageTransitionRequested',
  1,
  z.object({ modelId, requestId, version, fromStage: modelStage, toStage: modelStage, archiveExistingVersions: z.boolean(), comment }),
);
/**
 * Appended together with the ModelVersionStageTransitioned that carries out the
 * request (whose metadata.causationId is this event's id): the approval is the
 * decision, the transition the stage change every reader already understands.
 */
export const ModelVersionStageTransitionApproved = defineEvent(
  'ModelVersionStageTransitionApproved',
  1,
  z.object({ modelId, requestId, version, fromStage: modelStage, toStage: modelStage, archiveExistingVersions: z.boolean(), requestedBy: z.string(), comment }),
);
export const ModelVersionStageTransitionRejected = defineEvent(
  'ModelVersionStageTransitionRejected',
  1,
  z.object({ modelId, requestId, version, fromStage: modelStage, toStage: modelStage, requestedBy: z.string(), comment }),
);

/** RegisteredModelCreated v1 had no approval policy: nothing needed approval. */
export const registryUpcasters: readonly Upcaster[] = [
  { type: 'RegisteredModelCreated', fromVersion: 1, upcast: (data) => ({ ...(data as object), approvalRequiredStages: [] }) },
];

export const registryEvents = [
  RegisteredModelCreated,
  RegisteredModelRenamed,
  RegisteredModelDeleted,
  RegisteredModelDescriptionUpdated,
  RegisteredModelTagSet,
  RegisteredModelTagDeleted,
  ModelVersionCreated,
  ModelVersionDescriptionUpdated,
  ModelVersionTagSet,
  ModelVersionTagDeleted,
  ModelVersionDeleted,
  ModelVersionStageTransitioned,
  ModelVersionAliasSet,
  ModelVersionAliasDeleted,
  RegisteredModelApprovalPolicySet,
  ModelVersionStageTransitionRequested,
  ModelVersionStageTransitionApproved,
  ModelVersionStageTransitionRejected,
] as const;
