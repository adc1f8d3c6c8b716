import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';
import { DomainError } from '../tracking/domainError.ts';

/**
 * Queries report refusals as GraphQL errors carrying the same machine-readable
 * code and field that mutations return as DomainError objects. Anything else is
 * masked: no stack traces or SQL reach a client.
 */
export function maskUnexpectedErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError && error instanceof GraphQLError) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { code: original.code, field: original.field },
    });
  }
  return maskError(error, message, isDev);
}
