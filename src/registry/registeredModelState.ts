import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  ModelVersionAliasDeleted,
  ModelVersionAliasSet,
  ModelVersionCreated,
  ModelVersionDeleted,
  ModelVersionStageTransitioned,
  type ModelStage,
} from '../events/registryEvents.ts';
import type { StreamFold } from '../tracking/streamStateCache.ts';
import { advanceChainHead, emptyChainHead, type ChainHead } from './chainHead.ts';

export interface VersionState {
  version: number;
  stage: ModelStage;
  storageLocation: string;
}

/** What a model's commands decide on: its live versions, the highest number ever used, its aliases. */
export interface RegisteredModelState {
  versions: Map<number, VersionState>;
  /** Never reused, even after a delete, as in MLflow. */
  lastVersion: number;
  aliases: Map<string, number>;
  head: ChainHead;
}

export const registeredModelFold: StreamFold<RegisteredModelState> = {
  initial: () => ({ versions: new Map(), lastVersion: 0, aliases: new Map(), head: emptyChainHead() }),
  evolve(state, event: RecordedEvent) {
    advanceChainHead(state.head, event);
    if (ModelVersionCreated.is(event)) {
      const { version, storageLocation } = event.data;
      state.versions.set(version, { version, stage: 'None', storageLocation });
      state.lastVersion = Math.max(state.lastVersion, version);
    } else if (ModelVersionStageTransitioned.is(event)) {
      const moved = state.versions.get(event.data.version);
      if (moved) moved.stage = event.data.toStage;
      for (const archived of event.data.archivedVersions ?? []) {
        const version = state.versions.get(archived.version);
        if (version) version.stage = 'Archived';
      }
    } else if (ModelVersionDeleted.is(event)) {
      state.versions.delete(event.data.version);
    } else if (ModelVersionAliasSet.is(event)) {
      state.aliases.set(event.data.alias, event.data.version);
    } else if (ModelVersionAliasDeleted.is(event)) {
      state.aliases.delete(event.data.alias);
    }
    return state;
  },
};
