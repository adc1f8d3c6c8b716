import { sqlParameters } from '../db/sqlParameters.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  modelStage,
  ModelVersionStageTransitionApproved,
  ModelVersionStageTransitionRejected,
  ModelVersionStageTransitionRequested,
  RegisteredModelApprovalPolicySet,
  RegisteredModelCreated,
  RegisteredModelDeleted,
  type ModelStage,
} from '../events/registryEvents.ts';
import type { TransitionRequestStatus } from '../registry/registeredModelState.ts';
import type { TransitionRequestSnapshot } from '../registry/history/modelSnapshot.ts';
import { toNumber, toOptionalNumber, type ReadModel } from './readModel.ts';

/** A request as the read model keeps it: the snapshot time travel builds, plus where it belongs and whether it can still pass. */
export interface TransitionRequestRow extends TransitionRequestSnapshot {
  modelId: string;
  /** The model's current name. */
  name: string;
  /** Pending, but its version was deleted or left the stage it was requested from: it can only be rejected. */
  stale: boolean;
}

/** Each model's approval policy and its stage transition requests, pending and decided. */
export const registryApprovalsReadModel: ReadModel = {
  name: 'registry-approvals',
  tables: ['registered_model_approval_stages', 'model_transition_requests'],
  schemaSql: `
    create table if not exists registered_model_approval_stages (
      model_id text not null,
      stage text not null,
      primary key (model_id, stage)
    );
    create table if not exists model_transition_requests (
      model_id text not null,
      request_id int not null,
      version int not null,
      from_stage text not null,
      to_stage text not null,
      archive_existing_versions boolean not null,
      requested_by text not null,
      requested_at bigint not null,
      comment text,
      status text not null,
      decided_by text,
      decided_at bigint,
      decision_comment text,
      primary key (model_id, request_id)
    );
    create index if not exists model_transition_requests_pending on model_transition_requests (status, requested_at);`,
  async apply(events, tx) {
    for (const event of events) await applyOne(event, tx);
  },
};

async function applyOne(event: RecordedEvent, tx: SqlExecutor): Promise<void> {
  const at = Date.parse(event.metadata.recordedAt);
  if (RegisteredModelCreated.is(event)) {
    await setStages(tx, event.data.modelId, event.data.approvalRequiredStages);
  } else if (RegisteredModelApprovalPolicySet.is(event)) {
    await setStages(tx, event.data.modelId, event.data.approvalRequiredStages);
  } else if (ModelVersionStageTransitionRequested.is(event)) {
    const d = event.data;
    await tx.query(`insert into model_transition_requests values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', null, null, null)`, [
      d.modelId,
      d.requestId,
      d.version,
      d.fromStage,
      d.toStage,
      d.archiveExistingVersions,
      event.metadata.actor,
      at,
      d.comment ?? null,
    ]);
  } else if (ModelVersionStageTransitionApproved.is(event) || ModelVersionStageTransitionRejected.is(event)) {
    const status: TransitionRequestStatus = ModelVersionStageTransitionApproved.is(event) ? 'APPROVED' : 'REJECTED';
    await tx.query(
      `update model_transition_requests set status = $3, decided_by = $4, decided_at = $5, decision_comment = $6 where model_id = $1 and request_id = $2`,
      [event.data.modelId, event.data.requestId, status, event.metadata.actor, at, event.data.comment ?? null],
    );
  } else if (RegisteredModelDeleted.is(event)) {
    await tx.query(`delete from registered_model_approval_stages where model_id = $1`, [event.data.modelId]);
    await tx.query(`delete from model_transition_requests where model_id = $1`, [event.data.modelId]);
  }
}

async function setStages(tx: SqlExecutor, modelId: string, stages: readonly string[]): Promise<void> {
  await tx.query(`delete from registered_model_approval_stages where model_id = $1`, [modelId]);
  if (stages.length > 0) await tx.query(`insert into registered_model_approval_stages select $1, unnest($2::text[])`, [modelId, stages]);
}

////////// Queries

/** The gated stages per model, in modelStage's order. */
export async function approvalStagesOfModels(db: SqlExecutor, modelIds: readonly string[]): Promise<Map<string, ModelStage[]>> {
  const { rows } = await db.query<{ modelId: string; stage: ModelStage }>(
    `select model_id as "modelId", stage from registered_model_approval_stages where model_id = any($1::text[])`,
    [modelIds],
  );
  const byModel = new Map<string, ModelStage[]>(modelIds.map((id) => [id, []]));
  for (const row of rows) byModel.get(row.modelId)?.push(row.stage);
  for (const stages of byModel.values()) stages.sort((a, b) => modelStage.options.indexOf(a) - modelStage.options.indexOf(b));
  return byModel;
}

export interface TransitionRequestQuery {
  /** A model by its current name; every model when absent. */
  name?: string;
  version?: number;
  requestId?: number;
  status?: TransitionRequestStatus;
  limit: number;
  offset: number;
}

interface RawRequestRow {
  modelId: string;
  name: string;
  requestId: number;
  version: number;
  fromStage: ModelStage;
  toStage: ModelStage;
  archiveExistingVersions: boolean;
  requestedBy: string;
  requestedAt: number;
  comment: string | null;
  status: TransitionRequestStatus;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionComment: string | null;
  stale: boolean;
}

/** Requests, oldest first (per model in request order); stale is worked out against the versions as they are now. */
export async function findTransitionRequests(db: SqlExecutor, query: TransitionRequestQuery): Promise<TransitionRequestRow[]> {
  const { params, param } = sqlParameters();
  const conditions = ['true'];
  if (query.name !== undefined) conditions.push(`m.name = ${param(query.name)}`);
  if (query.version !== undefined) conditions.push(`r.version = ${param(query.version)}`);
  if (query.requestId !== undefined) conditions.push(`r.request_id = ${param(query.requestId)}`);
  if (query.status !== undefined) conditions.push(`r.status = ${param(query.status)}`);
  const { rows } = await db.query<RawRequestRow>(
    `select r.model_id as "modelId", m.name, r.request_id as "requestId", r.version, r.from_stage as "fromStage", r.to_stage as "toStage",
            r.archive_existing_versions as "archiveExistingVersions", r.requested_by as "requestedBy", r.requested_at as "requestedAt",
            r.comment, r.status, r.decided_by as "decidedBy", r.decided_at as "decidedAt", r.decision_comment as "decisionComment",
            (r.status = 'PENDING' and (v.version is null or v.current_stage <> r.from_stage)) as stale
       from model_transition_requests r
       join registered_models m on m.model_id = r.model_id
       left join model_versions v on v.model_id = r.model_id and v.version = r.version
      where ${conditions.join(' and ')}
      order by r.requested_at, m.name collate "C", r.request_id
      limit ${param(query.limit)} offset ${param(query.offset)}`,
    params,
  );
  return rows.map((row) => ({
    ...row,
    requestId: toNumber(row.requestId),
    version: toNumber(row.version),
    requestedAt: toNumber(row.requestedAt),
    comment: row.comment ?? undefined,
    decidedBy: row.decidedBy ?? undefined,
    decidedAt: toOptionalNumber(row.decidedAt),
    decisionComment: row.decisionComment ?? undefined,
  }));
}
