import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  ModelVersionAliasDeleted,
  ModelVersionAliasSet,
  ModelVersionCreated,
  ModelVersionDeleted,
  ModelVersionStageTransitionApproved,
  ModelVersionStageTransitioned,
  ModelVersionStageTransitionRejected,
  ModelVersionStageTransitionRequested,
  RegisteredModelApprovalPolicySet,
  type ModelStage,
} from '../events/registryEvents.ts';
import type { StreamFold } from '../tracking/streamStateCache.ts';
import { advanceChainHead, emptyChainHead, type ChainHead } from './chainHead.ts';

export interface VersionState {
  version: number;
  stage: ModelStage;
  storageLocation: string;
}

export type TransitionRequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface TransitionRequestState {
  requestId: number;
  version: number;
  fromStage: ModelStage;
  toStage: ModelStage;
  archiveExistingVersions: boolean;
  requestedBy: string;
  status: TransitionRequestStatus;
}

/** What a model's commands decide on: its live versions, the highest number ever used, its aliases, its approvals. */
export interface RegisteredModelState {
  versions: Map<number, VersionState>;
  /** Never reused, even after a delete, as in MLflow. */
  lastVersion: number;
  aliases: Map<string, number>;
  /** Set once the model's own stream sets a policy; until then the one given at creation (in the catalogue) holds. */
  approvalStages?: ModelStage[];
  requests: Map<number, TransitionRequestState>;
  lastRequestId: number;
  head: ChainHead;
}

export const registeredModelFold: StreamFold<RegisteredModelState> = {
  initial: () => ({ versions: new Map(), lastVersion: 0, aliases: new Map(), requests: new Map(), lastRequestId: 0, head: emptyChainHead() }),
  evolve(state, event: RecordedEvent) {
    advanceChainHead(state.head, event);
    if (evolveApprovals(state, event)) return state;
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

/** Folds the approval events; true when the event was one of them. */
function evolveApprovals(state: RegisteredModelState, event: RecordedEvent): boolean {
  if (RegisteredModelApprovalPolicySet.is(event)) {
    state.approvalStages = event.data.approvalRequiredStages;
  } else if (ModelVersionStageTransitionRequested.is(event)) {
    const { requestId, version, fromStage, toStage, archiveExistingVersions } = event.data;
    state.requests.set(requestId, { requestId, version, fromStage, toStage, archiveExistingVersions, requestedBy: event.metadata.actor, status: 'PENDING' });
    state.lastRequestId = Math.max(state.lastRequestId, requestId);
  } else if (ModelVersionStageTransitionApproved.is(event) || ModelVersionStageTransitionRejected.is(event)) {
    const request = state.requests.get(event.data.requestId);
    if (request) request.status = ModelVersionStageTransitionApproved.is(event) ? 'APPROVED' : 'REJECTED';
  } else {
    return false;
  }
  return true;
}
