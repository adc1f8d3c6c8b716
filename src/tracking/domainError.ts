/** Machine-readable error codes, shared with MLflow's REST API so both APIs agree. */
export type ErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_CONFLICT'
  | 'PERMISSION_DENIED'
  | 'DEADLINE_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE';

/** A command or query refused for a reason the caller can act on. Nothing was written. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (field: string, message: string) => new DomainError('INVALID_PARAMETER_VALUE', message, field);
export const notFound = (field: string, message: string) => new DomainError('RESOURCE_DOES_NOT_EXIST', message, field);
export const alreadyExists = (field: string, message: string) => new DomainError('RESOURCE_ALREADY_EXISTS', message, field);
