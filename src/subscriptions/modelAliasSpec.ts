import { ModelVersionAliasDeleted, ModelVersionAliasSet } from '../events/registryEvents.ts';
import type { LiveSpec } from './liveSpec.ts';
import { modelSources } from './modelRoutes.ts';

/** An alias set, moved or deleted: version is where it points now (absent once deleted). */
export interface ModelAliasChangePayload {
  cursor: string;
  modelId: string;
  alias: string;
  version?: number;
  previousVersion?: number;
  actor: string;
  recordedAt: string;
  comment?: string;
}

export function modelAliasSpec(modelId: string): LiveSpec<ModelAliasChangePayload> {
  return {
    key: `model-aliases\u0000${modelId}`,
    ...modelSources(modelId),
    select(event) {
      const common = { cursor: event.position, modelId, actor: event.metadata.actor, recordedAt: event.metadata.recordedAt };
      if (ModelVersionAliasSet.is(event) && event.data.modelId === modelId) {
        const d = event.data;
        return { ...common, alias: d.alias, version: d.version, previousVersion: d.previousVersion, comment: d.comment };
      }
      if (ModelVersionAliasDeleted.is(event) && event.data.modelId === modelId) {
        const d = event.data;
        return { ...common, alias: d.alias, previousVersion: d.version, comment: d.comment };
      }
      return undefined;
    },
  };
}
