import { DomainError } from '../tracking/domainError.ts';
import { builder } from './builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: "Machine-readable error codes; the same names MLflow's REST API uses.",
  values: ['INVALID_PARAMETER_VALUE', 'RESOURCE_DOES_NOT_EXIST', 'RESOURCE_ALREADY_EXISTS', 'RESOURCE_CONFLICT', 'PERMISSION_DENIED', 'DEADLINE_EXCEEDED', 'TEMPORARILY_UNAVAILABLE'] as const,
});

/** The typed error every mutation and search can return instead of its result. Nothing was written. */
builder.objectType(DomainError, {
  name: 'DomainError',
  description: 'A refused request: nothing was written. `field` names the input at fault.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message'),
    field: t.string({ nullable: true, resolve: (error) => error.field ?? null }),
  }),
});
