import { findTransitionRequests, type TransitionRequestRow } from '../projections/registryApprovalsReadModel.ts';
import type { RegistryService } from '../registry/registryService.ts';
import { parseStage, parseVersion, validateModelName } from '../registry/registryValidation.ts';
import { notFound } from '../tracking/domainError.ts';
import { MlflowError } from './mlflowErrors.ts';
import type { JsonObject } from './mlflowJson.ts';
import { route, type Endpoint, type EndpointContext, type MlflowRoute } from './mlflowRoute.ts';
import type { RequestFields } from './requestFields.ts';

/**
 * Stage transition requests in the shape of Databricks' model registry API
 * (transition-requests/create, approve, reject, list), which the open-source
 * mlflow client lacks but the Databricks SDK speaks. A request is named by
 * (name, version, stage) as there; `request_id` (ours) picks one exactly.
 * A direct model-versions/transition-stage into a gated stage answers 403
 * PERMISSION_DENIED pointing here, and changes nothing.
 */

function registryOf(ctx: EndpointContext): RegistryService {
  if (!ctx.registry) throw new MlflowError('NOT_IMPLEMENTED', 'The model registry is not enabled on this server.');
  return ctx.registry;
}

interface Target {
  name: string;
  version: number;
  stage: ReturnType<typeof parseStage>;
}

const targetOf = (fields: RequestFields): Target => ({
  name: validateModelName('name', fields.requiredString('name')),
  version: parseVersion('version', fields.requiredString('version')),
  stage: parseStage('stage', fields.requiredString('stage')),
});

const pending = (ctx: EndpointContext, name: string, version: number) => findTransitionRequests(ctx.readDb, { name, version, status: 'PENDING', limit: 1000, offset: 0 });

/** The pending request a decision is about: by request_id when given, else the newest live one for (version, stage). */
async function requestToDecide(ctx: EndpointContext, fields: RequestFields, target: Target): Promise<number> {
  const requestId = fields.optionalInteger('request_id');
  if (requestId !== undefined) return requestId;
  const candidates = (await pending(ctx, target.name, target.version)).filter((r) => r.toStage === target.stage);
  const chosen = candidates.filter((r) => !r.stale).at(-1) ?? candidates.at(-1);
  if (!chosen) throw notFound('stage', `No pending transition request for version ${target.version} of '${target.name}' to ${target.stage}.`);
  return chosen.requestId;
}

function requestJson(row: TransitionRequestRow): JsonObject {
  return {
    id: String(row.requestId),
    request_id: String(row.requestId),
    creation_timestamp: row.requestedAt,
    user_id: row.requestedBy,
    from_stage: row.fromStage,
    to_stage: row.toStage,
    comment: row.comment,
    available_actions: row.status === 'PENDING' ? ['APPROVE_TRANSITION_REQUEST', 'REJECT_TRANSITION_REQUEST'] : undefined,
  };
}

function activityJson(row: TransitionRequestRow): JsonObject {
  return {
    id: String(row.requestId),
    activity_type: row.status === 'APPROVED' ? 'APPROVED_REQUEST' : 'REJECTED_REQUEST',
    from_stage: row.fromStage,
    to_stage: row.toStage,
    user_id: row.decidedBy,
    comment: row.decisionComment,
    creation_timestamp: row.decidedAt,
    last_updated_timestamp: row.decidedAt,
  };
}

async function loadRequest(ctx: EndpointContext, name: string, requestId: number): Promise<TransitionRequestRow> {
  const [row] = await findTransitionRequests(ctx.readDb, { name, requestId, limit: 1, offset: 0 });
  if (!row) throw notFound('request_id', `Transition request ${requestId} of registered model '${name}' not found.`);
  return row;
}

const createRequest: Endpoint = async (fields, ctx) => {
  const target = targetOf(fields);
  const requestId = await registryOf(ctx).requestModelVersionStageTransition(
    { ...target, archiveExistingVersions: fields.optionalBoolean('archive_existing_versions') ?? false, comment: fields.optionalString('comment') },
    ctx.command(),
  );
  return { request: requestJson(await loadRequest(ctx, target.name, requestId)) };
};

const approveRequest: Endpoint = async (fields, ctx) => {
  const target = targetOf(fields);
  const requestId = await requestToDecide(ctx, fields, target);
  const decision = { comment: fields.optionalString('comment') ?? '', archiveExistingVersions: fields.optionalBoolean('archive_existing_versions') };
  await registryOf(ctx).approveTransitionRequest(target.name, requestId, decision, ctx.command());
  return { activity: activityJson(await loadRequest(ctx, target.name, requestId)) };
};

const rejectRequest: Endpoint = async (fields, ctx) => {
  const target = targetOf(fields);
  const requestId = await requestToDecide(ctx, fields, target);
  await registryOf(ctx).rejectTransitionRequest(target.name, requestId, fields.optionalString('comment') ?? '', ctx.command());
  return { activity: activityJson(await loadRequest(ctx, target.name, requestId)) };
};

/** The open requests of one version, as Databricks lists them. */
const listRequests: Endpoint = async (fields, ctx) => {
  const name = validateModelName('name', fields.requiredString('name'));
  const version = parseVersion('version', fields.requiredString('version'));
  const rows = await pending(ctx, name, version);
  return { requests: rows.length === 0 ? undefined : rows.map(requestJson) };
};

export const transitionRequestRoutes: MlflowRoute[] = [
  route('POST', 'transition-requests/create', createRequest),
  route('POST', 'transition-requests/approve', approveRequest),
  route('POST', 'transition-requests/reject', rejectRequest),
  route('GET', 'transition-requests/list', listRequests),
];
