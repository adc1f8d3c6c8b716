import type { RecordedEvent } from '../../events/eventEnvelope.ts';
import {
  ModelVersionAliasDeleted,
  ModelVersionAliasSet,
  ModelVersionCreated,
  ModelVersionDeleted,
  ModelVersionDescriptionUpdated,
  ModelVersionStageTransitionApproved,
  ModelVersionStageTransitioned,
  ModelVersionStageTransitionRejected,
  ModelVersionStageTransitionRequested,
  ModelVersionTagDeleted,
  ModelVersionTagSet,
  RegisteredModelApprovalPolicySet,
  RegisteredModelCreated,
  RegisteredModelDeleted,
  RegisteredModelDescriptionUpdated,
  RegisteredModelRenamed,
  RegisteredModelTagDeleted,
  RegisteredModelTagSet,
  type ModelStage,
} from '../../events/registryEvents.ts';
import type { TransitionRequestStatus } from '../registeredModelState.ts';

/**
 * One registered model as its events describe it after some prefix of them:
 * what time travel answers and what the audit trail compares each event with.
 * Folded from the model's catalogue events (create, rename, delete) and its own
 * stream, merged in log order; nothing here reads a projection.
 */

export interface VersionSnapshot {
  version: number;
  stage: ModelStage;
  description: string;
  tags: Map<string, string>;
  source: string;
  storageLocation: string;
  runId?: string;
  runLink?: string;
  createdBy: string;
  creationTime: number;
  /** recordedAt (epoch ms) of the last event that changed this version. */
  lastUpdatedTime: number;
}

export interface TransitionRequestSnapshot {
  requestId: number;
  version: number;
  fromStage: ModelStage;
  toStage: ModelStage;
  archiveExistingVersions: boolean;
  requestedBy: string;
  requestedAt: number;
  comment?: string;
  status: TransitionRequestStatus;
  decidedBy?: string;
  decidedAt?: number;
  decisionComment?: string;
}

export type ModelStatus = 'NOT_CREATED' | 'ACTIVE' | 'DELETED';

export interface ModelSnapshot {
  modelId: string;
  status: ModelStatus;
  /** The name at this point (the last one it had, once deleted); undefined before creation. */
  name?: string;
  description: string;
  tags: Map<string, string>;
  createdBy?: string;
  creationTime?: number;
  lastUpdatedTime?: number;
  versions: Map<number, VersionSnapshot>;
  aliases: Map<string, number>;
  approvalRequiredStages: ModelStage[];
  requests: Map<number, TransitionRequestSnapshot>;
  /** The last event folded in: its position (an audit cursor) and time. */
  lastPosition?: string;
  lastRecordedAt?: string;
  eventCount: number;
}

export function emptySnapshot(modelId: string): ModelSnapshot {
  return {
    modelId,
    status: 'NOT_CREATED',
    description: '',
    tags: new Map(),
    versions: new Map(),
    aliases: new Map(),
    approvalRequiredStages: [],
    requests: new Map(),
    eventCount: 0,
  };
}

/** Folds one (upcast) event of this model into the snapshot, in place. Events of other models or kinds leave it as it is. */
export function evolveSnapshot(snapshot: ModelSnapshot, event: RecordedEvent): ModelSnapshot {
  const data = event.data as { modelId?: string };
  if (data?.modelId !== snapshot.modelId) return snapshot;
  const at = Date.parse(event.metadata.recordedAt);
  if (!applyModelEvent(snapshot, event, at) && !applyVersionEvent(snapshot, event, at)) applyApprovalEvent(snapshot, event, at);
  snapshot.lastPosition = event.position;
  snapshot.lastRecordedAt = event.metadata.recordedAt;
  snapshot.eventCount++;
  return snapshot;
}

function applyModelEvent(s: ModelSnapshot, event: RecordedEvent, at: number): boolean {
  if (RegisteredModelCreated.is(event)) {
    const d = event.data;
    s.status = 'ACTIVE';
    s.name = d.name;
    s.description = d.description;
    s.createdBy = d.userId;
    s.creationTime = d.creationTime;
    s.tags = new Map(d.tags.map((t) => [t.key, t.value]));
    s.approvalRequiredStages = [...d.approvalRequiredStages];
  } else if (RegisteredModelRenamed.is(event)) {
    s.name = event.data.name;
  } else if (RegisteredModelDeleted.is(event)) {
    s.status = 'DELETED';
  } else if (RegisteredModelDescriptionUpdated.is(event)) {
    s.description = event.data.description;
  } else if (RegisteredModelTagSet.is(event)) {
    s.tags.set(event.data.key, event.data.value);
  } else if (RegisteredModelTagDeleted.is(event)) {
    s.tags.delete(event.data.key);
  } else if (RegisteredModelApprovalPolicySet.is(event)) {
    s.approvalRequiredStages = [...event.data.approvalRequiredStages];
  } else {
    return false;
  }
  s.lastUpdatedTime = at;
  return true;
}

function applyVersionEvent(s: ModelSnapshot, event: RecordedEvent, at: number): boolean {
  const touch = (version: number) => {
    const found = s.versions.get(version);
    if (found) found.lastUpdatedTime = at;
    return found;
  };
  if (ModelVersionCreated.is(event)) {
    const d = event.data;
    s.versions.set(d.version, {
      version: d.version,
      stage: 'None',
      description: d.description,
      tags: new Map(d.tags.map((t) => [t.key, t.value])),
      source: d.source,
      storageLocation: d.storageLocation,
      runId: d.runId,
      runLink: d.runLink,
      createdBy: d.userId,
      creationTime: d.creationTime,
      lastUpdatedTime: d.creationTime,
    });
  } else if (ModelVersionDescriptionUpdated.is(event)) {
    const version = touch(event.data.version);
    if (version) version.description = event.data.description;
  } else if (ModelVersionTagSet.is(event)) {
    touch(event.data.version)?.tags.set(event.data.key, event.data.value);
  } else if (ModelVersionTagDeleted.is(event)) {
    touch(event.data.version)?.tags.delete(event.data.key);
  } else if (ModelVersionDeleted.is(event)) {
    s.versions.delete(event.data.version);
  } else if (ModelVersionStageTransitioned.is(event)) {
    const moved = touch(event.data.version);
    if (moved) moved.stage = event.data.toStage;
    for (const archived of event.data.archivedVersions ?? []) {
      const version = touch(archived.version);
      if (version) version.stage = 'Archived';
    }
  } else if (ModelVersionAliasSet.is(event)) {
    s.aliases.set(event.data.alias, event.data.version);
  } else if (ModelVersionAliasDeleted.is(event)) {
    s.aliases.delete(event.data.alias);
  } else {
    return false;
  }
  return true;
}

function applyApprovalEvent(s: ModelSnapshot, event: RecordedEvent, at: number): void {
  if (ModelVersionStageTransitionRequested.is(event)) {
    const d = event.data;
    s.requests.set(d.requestId, {
      requestId: d.requestId,
      version: d.version,
      fromStage: d.fromStage,
      toStage: d.toStage,
      archiveExistingVersions: d.archiveExistingVersions,
      requestedBy: event.metadata.actor,
      requestedAt: at,
      comment: d.comment,
      status: 'PENDING',
    });
  } else if (ModelVersionStageTransitionApproved.is(event) || ModelVersionStageTransitionRejected.is(event)) {
    const request = s.requests.get(event.data.requestId);
    if (!request) return;
    request.status = ModelVersionStageTransitionApproved.is(event) ? 'APPROVED' : 'REJECTED';
    request.decidedBy = event.metadata.actor;
    request.decidedAt = at;
    request.decisionComment = event.data.comment;
  }
}

/** Versions in a stage, highest first. */
export function versionsInStage(snapshot: ModelSnapshot, stage: ModelStage): VersionSnapshot[] {
  return [...snapshot.versions.values()].filter((v) => v.stage === stage).sort((a, b) => b.version - a.version);
}

/** Whether a pending request can no longer be approved as asked (its version was deleted or left the stage it was requested from). */
export function isStale(snapshot: ModelSnapshot, request: TransitionRequestSnapshot): boolean {
  if (request.status !== 'PENDING') return false;
  const version = snapshot.versions.get(request.version);
  return !version || version.stage !== request.fromStage;
}
