import type { ModelStage } from '../../events/registryEvents.ts';
import { DomainError } from '../../tracking/domainError.ts';

/**
 * Refusals of the approval flow, each its own class so GraphQL can answer them as
 * their own types (subclasses of DomainError: REST and older clients still see a
 * DomainError with a code and field).
 */

/** A direct transition into a stage the model gates: it must be requested and approved. */
export class ApprovalRequiredError extends DomainError {
  constructor(
    readonly modelName: string,
    readonly version: number,
    readonly stage: ModelStage,
  ) {
    super(
      'PERMISSION_DENIED',
      `Registered model '${modelName}' requires approval to move a version to ${stage}: request the transition (GraphQL requestModelVersionStageTransition, ` +
        `or POST /api/2.0/mlflow/transition-requests/create) and have another user approve it.`,
      'stage',
    );
    this.name = 'ApprovalRequiredError';
  }
}

/** The requester tried to approve or reject their own request. */
export class SelfApprovalError extends DomainError {
  constructor(
    readonly requestId: number,
    readonly requestedBy: string,
    decision: 'approve' | 'reject',
  ) {
    super('PERMISSION_DENIED', `Transition request ${requestId} was made by ${requestedBy}; another user must ${decision} it.`, 'actor');
    this.name = 'SelfApprovalError';
  }
}

export const staleReasons = ['ALREADY_APPROVED', 'ALREADY_REJECTED', 'VERSION_DELETED', 'VERSION_MOVED'] as const;
export type StaleReason = (typeof staleReasons)[number];

/** The request can no longer be decided as asked: it was decided already, or its version was deleted or moved since. */
export class StaleTransitionRequestError extends DomainError {
  constructor(
    readonly requestId: number,
    readonly reason: StaleReason,
    message: string,
  ) {
    super('RESOURCE_CONFLICT', message, 'requestId');
    this.name = 'StaleTransitionRequestError';
  }
}
