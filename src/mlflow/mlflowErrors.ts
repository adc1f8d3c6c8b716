import { SearchSyntaxError } from '../search/searchErrors.ts';
import { RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, isUnavailableError } from '../server/unavailable.ts';
import { DomainError, type ErrorCode } from '../tracking/domainError.ts';

/** The MLflow error codes this API answers with: the domain's, plus those only the HTTP layer produces. */
export type MlflowErrorCode = ErrorCode | 'BAD_REQUEST' | 'ENDPOINT_NOT_FOUND' | 'NOT_IMPLEMENTED' | 'INTERNAL_ERROR';

/**
 * MLflow's ERROR_CODE_TO_HTTP_STATUS for the codes above. RESOURCE_ALREADY_EXISTS is 400, not 409,
 * and every refusal of the caller's input is 4xx: the Python client retries 5xx for minutes.
 */
const HTTP_STATUS: Record<MlflowErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409,
  PERMISSION_DENIED: 403,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  INTERNAL_ERROR: 500,
};

/** A refusal produced by the REST layer itself (parsing, routing), before any command runs. */
export class MlflowError extends Error {
  readonly status: number;

  constructor(
    readonly code: MlflowErrorCode,
    message: string,
    /** Only for the few answers whose HTTP status is not the code's (405). */
    status?: number,
  ) {
    super(message);
    this.name = 'MlflowError';
    this.status = status ?? HTTP_STATUS[code];
  }
}

const API_DOCS_HINT = 'See the API docs for more information about request parameters.';

export function missingParameter(name: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'. ${API_DOCS_HINT}`);
}

/** MLflow's wording for a value of the wrong type, naming the type as Python would see it. */
export function invalidParameterType(name: string, value: unknown): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied: Hint: Value was of type '${pythonTypeName(value)}'. ${API_DOCS_HINT}`);
}

export function invalidParameter(message: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', message);
}

function pythonTypeName(value: unknown): string {
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (value === null || value === undefined) return 'NoneType';
  return 'dict';
}

export interface ErrorAnswer {
  status: number;
  body: { error_code: string; message: string };
  /** Retry-After on a 503. */
  headers?: Record<string, string>;
}

/**
 * The answer for an error thrown while handling a request. Errors we do not
 * recognise become a bare 500 INTERNAL_ERROR: their text may hold SQL or paths.
 */
export function errorAnswer(error: unknown): { answer: ErrorAnswer; expected: boolean } {
  if (error instanceof MlflowError) return { answer: answer(error.status, error.code, error.message), expected: true };
  if (error instanceof DomainError) return { answer: answer(HTTP_STATUS[error.code], error.code, error.message), expected: true };
  if (error instanceof SearchSyntaxError) return { answer: answer(400, 'INVALID_PARAMETER_VALUE', error.message), expected: true };
  // A store that is down is the server's trouble, but a passing one: the client may retry as it is.
  if (isUnavailableError(error)) return { answer: { ...answer(503, 'TEMPORARILY_UNAVAILABLE', UNAVAILABLE_MESSAGE), headers: { 'retry-after': RETRY_AFTER_SECONDS } }, expected: true };
  return { answer: answer(500, 'INTERNAL_ERROR', 'The server failed to handle the request; the error has been logged.'), expected: false };
}

function answer(status: number, code: string, message: string): ErrorAnswer {
  return { status, body: { error_code: code, message } };
}
