import type { NewEvent } from '../../events/eventEnvelope.ts';
import {
  ModelVersionStageTransitionApproved,
  ModelVersionStageTransitionRejected,
  ModelVersionStageTransitionRequested,
  RegisteredModelApprovalPolicySet,
  type ModelStage,
} from '../../events/registryEvents.ts';
import { metadataFor, type CommandContext } from '../../tracking/commandContext.ts';
import { alreadyExists, invalid, notFound } from '../../tracking/domainError.ts';
import type { ModelsCatalog } from '../modelsCatalog.ts';
import type { RegisteredModelState, TransitionRequestState } from '../registeredModelState.ts';
import { checkArchiveExisting, existingVersion, stageTransitioned, type TransitionStage } from '../registryCommands.ts';
import { SelfApprovalError, StaleTransitionRequestError } from './approvalErrors.ts';
import { sameStages, validateApprovalStages } from './approvalPolicy.ts';

/**
 * The approval flow as pure decisions on a model's folded stream. A request is
 * its own event; only an approval by someone other than the requester moves the
 * stage, and it appends the approval and the transition together (one append),
 * the transition's causationId naming the approval.
 */

export interface ApprovalDecision {
  /** Why: required, it is what an auditor reads. */
  comment: string;
  /** Overrides the request's archive_existing_versions (MLflow's approve API takes it at approval time). */
  archiveExistingVersions?: boolean;
}

/** The policy in force: the model stream's last setting, else what the model was created with. */
export function gatedStages(state: RegisteredModelState, catalog: ModelsCatalog, modelId: string): ModelStage[] {
  return state.approvalStages ?? catalog.approvalAtCreation.get(modelId) ?? [];
}

export const decideApproval = {
  /** Setting the policy it already has changes nothing (and appends nothing). */
  setPolicy(current: readonly ModelStage[], modelId: string, stages: readonly unknown[], comment: string | undefined, ctx: CommandContext): NewEvent[] {
    const approvalRequiredStages = validateApprovalStages('approvalRequiredStages', stages);
    if (sameStages(approvalRequiredStages, current)) return [];
    return [RegisteredModelApprovalPolicySet.create({ modelId, approvalRequiredStages, previousStages: [...current], comment }, metadataFor(ctx, 0))];
  },

  request(state: RegisteredModelState, name: string, modelId: string, command: TransitionStage, ctx: CommandContext): NewEvent[] {
    const current = existingVersion(state, name, command.version);
    checkArchiveExisting(command.stage, command.archiveExistingVersions);
    if (current.stage === command.stage) throw invalid('stage', `Model version ${command.version} of '${name}' is already in stage ${command.stage}.`);
    const duplicate = [...state.requests.values()].find(
      (r) => r.status === 'PENDING' && r.version === command.version && r.toStage === command.stage && r.fromStage === current.stage,
    );
    if (duplicate) {
      throw alreadyExists('stage', `Transition request ${duplicate.requestId} (version ${command.version} of '${name}' to ${command.stage}) is already pending.`);
    }
    return [
      ModelVersionStageTransitionRequested.create(
        {
          modelId,
          requestId: state.lastRequestId + 1,
          version: command.version,
          fromStage: current.stage,
          toStage: command.stage,
          archiveExistingVersions: command.archiveExistingVersions,
          comment: command.comment,
        },
        metadataFor(ctx, 0),
      ),
    ];
  },

  approve(state: RegisteredModelState, name: string, modelId: string, requestId: number, decision: ApprovalDecision, ctx: CommandContext): NewEvent[] {
    const request = decidable(state, name, requestId, decision.comment, 'approve', ctx);
    const version = state.versions.get(request.version);
    if (!version) {
      throw new StaleTransitionRequestError(requestId, 'VERSION_DELETED', `Version ${request.version} of '${name}' was deleted after transition request ${requestId}; reject the request instead.`);
    }
    if (version.stage !== request.fromStage) {
      throw new StaleTransitionRequestError(
        requestId,
        'VERSION_MOVED',
        `Version ${request.version} of '${name}' moved from ${request.fromStage} to ${version.stage} after transition request ${requestId}; reject it and request the transition again.`,
      );
    }
    const archiveExistingVersions = decision.archiveExistingVersions ?? request.archiveExistingVersions;
    checkArchiveExisting(request.toStage, archiveExistingVersions);
    const { version: number, fromStage, toStage, requestedBy } = request;
    const approved = ModelVersionStageTransitionApproved.create(
      { modelId, requestId, version: number, fromStage, toStage, archiveExistingVersions, requestedBy, comment: decision.comment },
      metadataFor(ctx, 0),
    );
    const transition = { version: number, stage: toStage, archiveExistingVersions, comment: decision.comment };
    return [approved, stageTransitioned(state, modelId, version, transition, ctx, 1, approved.metadata.eventId)];
  },

  /** A stale request (its version moved or deleted) may still be rejected: that is how it gets closed. */
  reject(state: RegisteredModelState, name: string, modelId: string, requestId: number, comment: string, ctx: CommandContext): NewEvent[] {
    const request = decidable(state, name, requestId, comment, 'reject', ctx);
    const { version, fromStage, toStage, requestedBy } = request;
    return [ModelVersionStageTransitionRejected.create({ modelId, requestId, version, fromStage, toStage, requestedBy, comment }, metadataFor(ctx, 0))];
  },
};

/** The checks approve and reject share: the request exists, is pending, has a reason given, and is decided by someone else. */
function decidable(state: RegisteredModelState, name: string, requestId: number, comment: string, decision: 'approve' | 'reject', ctx: CommandContext): TransitionRequestState {
  if (!Number.isSafeInteger(requestId) || requestId < 1) throw invalid('requestId', `Transition request ids are positive integers, got ${requestId}.`);
  const request = state.requests.get(requestId);
  if (!request) throw notFound('requestId', `Transition request ${requestId} of registered model '${name}' not found.`);
  if (typeof comment !== 'string' || comment.trim() === '') {
    throw invalid('comment', `A comment is required to ${decision} a transition request: it is the reason the audit trail keeps.`);
  }
  if (request.status !== 'PENDING') {
    const reason = request.status === 'APPROVED' ? 'ALREADY_APPROVED' : 'ALREADY_REJECTED';
    throw new StaleTransitionRequestError(requestId, reason, `Transition request ${requestId} of '${name}' was already ${request.status.toLowerCase()}.`);
  }
  if (request.requestedBy === ctx.actor) throw new SelfApprovalError(requestId, request.requestedBy, decision);
  return request;
}
