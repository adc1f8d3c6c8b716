import { z } from 'zod';
import { defineEvent } from './defineEvent.ts';

/**
 * MLflow 3's logged models: a model's files and metadata, created before its
 * files are uploaded and finalized after. Each model has a stream of its own,
 * keyed by its id ('m-' and 32 hex digits, as MLflow makes them).
 */
export const loggedModelStream = (modelId: string) => `logged-model-${modelId}`;

export const LOGGED_MODEL_ID = /^m-[0-9a-f]{32}$/;
const modelId = z.string().regex(LOGGED_MODEL_ID);
const keyValue = z.object({ key: z.string(), value: z.string() });
export const loggedModelStatus = z.enum(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']);
export type LoggedModelStatus = z.infer<typeof loggedModelStatus>;

/** A model was created, PENDING until finalized; artifactLocation is where its files go. */
export const LoggedModelCreated = defineEvent(
  'LoggedModelCreated',
  1,
  z.object({
    modelId,
    experimentId: z.string(),
    name: z.string(),
    artifactLocation: z.string(),
    modelType: z.string().optional(),
    sourceRunId: z.string().optional(),
    userId: z.string(),
    creationTime: z.number().int(),
    params: z.array(keyValue),
    tags: z.array(keyValue),
  }),
);
/** The upload finished (READY) or failed; any status may be set again later, as in MLflow. */
export const LoggedModelFinalized = defineEvent('LoggedModelFinalized', 1, z.object({ modelId, status: loggedModelStatus, updatedTime: z.number().int() }));
export const LoggedModelTagsSet = defineEvent('LoggedModelTagsSet', 1, z.object({ modelId, tags: z.array(keyValue).min(1) }));
export const LoggedModelTagDeleted = defineEvent('LoggedModelTagDeleted', 1, z.object({ modelId, key: z.string() }));
export const LoggedModelParamsLogged = defineEvent('LoggedModelParamsLogged', 1, z.object({ modelId, params: z.array(keyValue).min(1) }));
/** Soft delete: the model drops out of get and search, its record and files stay. */
export const LoggedModelDeleted = defineEvent('LoggedModelDeleted', 1, z.object({ modelId, deletedTime: z.number().int() }));

export const loggedModelEvents = [
  LoggedModelCreated,
  LoggedModelFinalized,
  LoggedModelTagsSet,
  LoggedModelTagDeleted,
  LoggedModelParamsLogged,
  LoggedModelDeleted,
] as const;
