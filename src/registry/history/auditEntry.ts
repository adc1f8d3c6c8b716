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
} from '../../events/registryEvents.ts';
import type { ModelSnapshot } from './modelSnapshot.ts';

/** What kind of change an audit entry records: one kind per registry event type. */
export const auditKinds = {
  RegisteredModelCreated: 'MODEL_CREATED',
  RegisteredModelRenamed: 'MODEL_RENAMED',
  RegisteredModelDeleted: 'MODEL_DELETED',
  RegisteredModelDescriptionUpdated: 'MODEL_DESCRIPTION_UPDATED',
  RegisteredModelTagSet: 'MODEL_TAG_SET',
  RegisteredModelTagDeleted: 'MODEL_TAG_DELETED',
  RegisteredModelApprovalPolicySet: 'APPROVAL_POLICY_SET',
  ModelVersionCreated: 'VERSION_CREATED',
  ModelVersionDescriptionUpdated: 'VERSION_DESCRIPTION_UPDATED',
  ModelVersionTagSet: 'VERSION_TAG_SET',
  ModelVersionTagDeleted: 'VERSION_TAG_DELETED',
  ModelVersionDeleted: 'VERSION_DELETED',
  ModelVersionStageTransitioned: 'STAGE_TRANSITIONED',
  ModelVersionAliasSet: 'ALIAS_SET',
  ModelVersionAliasDeleted: 'ALIAS_DELETED',
  ModelVersionStageTransitionRequested: 'TRANSITION_REQUESTED',
  ModelVersionStageTransitionApproved: 'TRANSITION_APPROVED',
  ModelVersionStageTransitionRejected: 'TRANSITION_REJECTED',
} as const;

export type AuditKind = (typeof auditKinds)[keyof typeof auditKinds];
export const auditKindNames: readonly AuditKind[] = Object.values(auditKinds);

/**
 * One field's before → after. A null before means it did not exist (or was empty),
 * a null after that it stopped existing: a version's stage is null before it is
 * created and after it is deleted, a model's name likewise.
 */
export interface AuditChange {
  /** name, description, tag.<key>, stage, alias.<alias>, approvalRequiredStages, request.<id>.status, source. */
  field: string;
  /** The version the field belongs to; absent for the model's own fields. */
  version?: number;
  before: string | null;
  after: string | null;
}

export interface AuditEntry {
  /** The event's global position: the cursor to resume after. */
  position: string;
  eventId: string;
  streamId: string;
  revision: number;
  eventType: string;
  kind: AuditKind;
  modelId: string;
  /** The model's name when the change happened (its new name, for a rename). */
  modelName: string;
  /** The version the change is about, if it is about one. */
  version?: number;
  /** Every version the change touched (archive_existing_versions, alias moves), for filtering by version. */
  versions: number[];
  actor: string;
  recordedAt: string;
  changes: AuditChange[];
  /** The "why" given with the change. */
  comment?: string;
  /** For request, approval and rejection entries. */
  requestId?: number;
  /** The request an approval decided was made by this user. */
  requestedBy?: string;
  /** The event this one was appended because of (a transition carried out by an approval names the approval). */
  causationId?: string;
  correlationId: string;
  hash?: string;
  prevHash?: string;
  /** One line for people: "alice moved v2 Staging → Production". */
  summary: string;
}

const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);
const stagesText = (stages: readonly string[]) => (stages.length === 0 ? null : stages.join(','));
const arrow = (before: string | null, after: string | null) => `${before ?? '∅'} → ${after ?? '∅'}`;

/**
 * The audit entry for one (upcast) registry event, given the model as it was just
 * before it. Pure: the same snapshot and event always give the same entry. Streams
 * fold each event into the snapshot (evolveSnapshot) after mapping it. Answers
 * undefined for events that are not about this model's registry entry.
 */
export function auditEntryOf(before: ModelSnapshot, event: RecordedEvent): AuditEntry | undefined {
  const kind = (auditKinds as Record<string, AuditKind | undefined>)[event.type];
  const data = event.data as { modelId?: string; comment?: string };
  if (!kind || data?.modelId !== before.modelId) return undefined;
  const detail = describe(before, event);
  const { metadata } = event;
  return {
    position: event.position,
    eventId: metadata.eventId,
    streamId: event.streamId,
    revision: event.revision,
    eventType: event.type,
    kind,
    modelId: before.modelId,
    modelName: detail.modelName ?? before.name ?? '',
    version: detail.version,
    versions: [...new Set([...detail.changes.flatMap((c) => (c.version === undefined ? [] : [c.version])), ...(detail.alsoTouched ?? [])])].sort((a, b) => a - b),
    actor: metadata.actor,
    recordedAt: metadata.recordedAt,
    changes: detail.changes,
    comment: orNull(data.comment) ?? undefined,
    requestId: detail.requestId,
    requestedBy: detail.requestedBy,
    causationId: metadata.causationId,
    correlationId: metadata.correlationId,
    hash: metadata.hash,
    prevHash: metadata.prevHash,
    summary: `${metadata.actor} ${detail.summary}`,
  };
}

interface Described {
  changes: AuditChange[];
  summary: string;
  version?: number;
  modelName?: string;
  requestId?: number;
  requestedBy?: string;
  /** Versions a change touched without a change of its own listed (the version an alias left). */
  alsoTouched?: number[];
}

function describe(s: ModelSnapshot, event: RecordedEvent): Described {
  if (RegisteredModelCreated.is(event)) {
    const d = event.data;
    const changes: AuditChange[] = [{ field: 'name', before: null, after: d.name }];
    if (d.description) changes.push({ field: 'description', before: null, after: d.description });
    for (const tag of d.tags) changes.push({ field: `tag.${tag.key}`, before: null, after: tag.value });
    if (d.approvalRequiredStages.length > 0) changes.push({ field: 'approvalRequiredStages', before: null, after: stagesText(d.approvalRequiredStages) });
    return { changes, summary: `created model ${d.name}`, modelName: d.name };
  }
  if (RegisteredModelRenamed.is(event)) {
    return { changes: [{ field: 'name', before: event.data.fromName, after: event.data.name }], summary: `renamed ${event.data.fromName} to ${event.data.name}`, modelName: event.data.name };
  }
  if (RegisteredModelDeleted.is(event)) {
    return { changes: [{ field: 'name', before: event.data.name, after: null }], summary: `deleted model ${event.data.name}`, modelName: event.data.name };
  }
  if (RegisteredModelDescriptionUpdated.is(event)) {
    return field(undefined, 'description', orNull(s.description), orNull(event.data.description), 'described the model');
  }
  if (RegisteredModelTagSet.is(event)) return field(undefined, `tag.${event.data.key}`, s.tags.get(event.data.key) ?? null, event.data.value, 'tagged the model');
  if (RegisteredModelTagDeleted.is(event)) return field(undefined, `tag.${event.data.key}`, s.tags.get(event.data.key) ?? null, null, 'untagged the model');
  if (RegisteredModelApprovalPolicySet.is(event)) {
    return field(undefined, 'approvalRequiredStages', stagesText(event.data.previousStages), stagesText(event.data.approvalRequiredStages), 'set the approval policy');
  }
  return describeVersionEvent(s, event) ?? describeApprovalEvent(event) ?? { changes: [], summary: event.type };
}

function field(version: number | undefined, name: string, before: string | null, after: string | null, what: string): Described {
  const where = version === undefined ? '' : ` of v${version}`;
  return { changes: [{ field: name, version, before, after }], summary: `${what}: ${name}${where} ${arrow(before, after)}`, version };
}

function describeVersionEvent(s: ModelSnapshot, event: RecordedEvent): Described | undefined {
  if (ModelVersionCreated.is(event)) {
    const d = event.data;
    const changes: AuditChange[] = [
      { field: 'stage', version: d.version, before: null, after: 'None' },
      { field: 'source', version: d.version, before: null, after: d.source },
    ];
    if (d.description) changes.push({ field: 'description', version: d.version, before: null, after: d.description });
    for (const tag of d.tags) changes.push({ field: `tag.${tag.key}`, version: d.version, before: null, after: tag.value });
    return { changes, summary: `created v${d.version} from ${d.source}`, version: d.version };
  }
  const versionOf = (n: number) => s.versions.get(n);
  if (ModelVersionDescriptionUpdated.is(event)) {
    const { version, description } = event.data;
    return field(version, 'description', orNull(versionOf(version)?.description), orNull(description), 'described');
  }
  if (ModelVersionTagSet.is(event)) {
    const { version, key, value } = event.data;
    return field(version, `tag.${key}`, versionOf(version)?.tags.get(key) ?? null, value, 'tagged');
  }
  if (ModelVersionTagDeleted.is(event)) {
    const { version, key } = event.data;
    return field(version, `tag.${key}`, versionOf(version)?.tags.get(key) ?? null, null, 'untagged');
  }
  if (ModelVersionDeleted.is(event)) {
    const { version } = event.data;
    return { changes: [{ field: 'stage', version, before: versionOf(version)?.stage ?? null, after: null }], summary: `deleted v${version}`, version };
  }
  if (ModelVersionStageTransitioned.is(event)) {
    const d = event.data;
    const archived = d.archivedVersions ?? [];
    const changes: AuditChange[] = [
      { field: 'stage', version: d.version, before: d.fromStage, after: d.toStage },
      ...archived.map((a) => ({ field: 'stage', version: a.version, before: a.fromStage, after: 'Archived' })),
    ];
    const also = archived.length === 0 ? '' : ` (archived ${archived.map((a) => `v${a.version}`).join(', ')})`;
    return { changes, summary: `moved v${d.version} ${arrow(d.fromStage, d.toStage)}${also}`, version: d.version };
  }
  if (ModelVersionAliasSet.is(event)) {
    const { alias, version, previousVersion } = event.data;
    const changes: AuditChange[] = [{ field: `alias.${alias}`, version, before: previousVersion === undefined ? null : String(previousVersion), after: String(version) }];
    const from = previousVersion === undefined ? '' : ` from v${previousVersion}`;
    return { changes, summary: `pointed alias ${alias} at v${version}${from}`, version, alsoTouched: previousVersion === undefined ? [] : [previousVersion] };
  }
  if (ModelVersionAliasDeleted.is(event)) {
    const { alias, version } = event.data;
    return { changes: [{ field: `alias.${alias}`, version, before: String(version), after: null }], summary: `removed alias ${alias} from v${version}`, version };
  }
  return undefined;
}

function describeApprovalEvent(event: RecordedEvent): Described | undefined {
  if (ModelVersionStageTransitionRequested.is(event)) {
    const d = event.data;
    return {
      changes: [{ field: `request.${d.requestId}.status`, version: d.version, before: null, after: 'PENDING' }],
      summary: `requested v${d.version} ${arrow(d.fromStage, d.toStage)} (request ${d.requestId})`,
      version: d.version,
      requestId: d.requestId,
      requestedBy: event.metadata.actor,
    };
  }
  if (ModelVersionStageTransitionApproved.is(event) || ModelVersionStageTransitionRejected.is(event)) {
    const d = event.data;
    const approved = ModelVersionStageTransitionApproved.is(event);
    return {
      changes: [{ field: `request.${d.requestId}.status`, version: d.version, before: 'PENDING', after: approved ? 'APPROVED' : 'REJECTED' }],
      summary: `${approved ? 'approved' : 'rejected'} request ${d.requestId} by ${d.requestedBy}: v${d.version} ${arrow(d.fromStage, d.toStage)}`,
      version: d.version,
      requestId: d.requestId,
      requestedBy: d.requestedBy,
    };
  }
  return undefined;
}
