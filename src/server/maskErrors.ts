import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import { DomainError } from '../tracking/domainError.ts';
import { isUnavailableError, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE } from './unavailable.ts';

interface LocatedError {
  originalError?: unknown;
  nodes?: GraphQLError['nodes'];
  path?: GraphQLError['path'];
}

/**
 * Queries report refusals as GraphQL errors carrying the same machine-readable
 * code and field that mutations return as DomainError objects. Anything else is
 * masked: no stack traces or SQL reach a client.
 */
export function maskUnexpectedErrors(error: unknown, message: string, isDev?: boolean): Error {
  // Duck-typed: a test runner may load graphql's ESM and CJS builds side by side.
  const located = (typeof error === 'object' && error !== null ? error : {}) as LocatedError;
  const original = located.originalError ?? error;
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      nodes: located.nodes,
      path: located.path,
      extensions: { code: original.code, field: original.field },
    });
  }
  if (isUnavailableError(original)) {
    return new GraphQLError(UNAVAILABLE_MESSAGE, {
      nodes: located.nodes,
      path: located.path,
      extensions: { code: 'TEMPORARILY_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': RETRY_AFTER_SECONDS } } },
    });
  }
  return maskError(error, message, isDev);
}
