import { ModelVersionStageTransitioned, type ModelStage } from '../events/registryEvents.ts';
import type { LiveSpec } from './liveSpec.ts';
import { modelSources } from './modelRoutes.ts';

/** One stage transition of a model version, with the versions it archived. */
export interface ModelStageChangePayload {
  cursor: string;
  modelId: string;
  version: number;
  fromStage: ModelStage;
  toStage: ModelStage;
  archivedVersions: { version: number; fromStage: ModelStage }[];
  actor: string;
  recordedAt: string;
  comment?: string;
  /** The approval that carried this transition out, when there was one. */
  causationId?: string;
}

export function modelStageSpec(modelId: string): LiveSpec<ModelStageChangePayload> {
  return {
    key: `model-stages\u0000${modelId}`,
    ...modelSources(modelId),
    select(event) {
      if (!ModelVersionStageTransitioned.is(event) || event.data.modelId !== modelId) return undefined;
      const d = event.data;
      return {
        cursor: event.position,
        modelId,
        version: d.version,
        fromStage: d.fromStage,
        toStage: d.toStage,
        archivedVersions: d.archivedVersions ?? [],
        actor: event.metadata.actor,
        recordedAt: event.metadata.recordedAt,
        comment: d.comment,
        causationId: event.metadata.causationId,
      };
    },
  };
}
