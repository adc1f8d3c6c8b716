import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import { DomainError } from '../tracking/domainError.ts';
import type { GraphQLContext } from './graphqlContext.ts';

/** The one schema builder. It defines no types itself (see the files beside it). */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    Long: { Input: number; Output: number };
    MetricValue: { Input: number; Output: number };
  };
}>({
  plugins: [ErrorsPlugin],
  defaultFieldNullability: false,
  errors: { defaultTypes: [DomainError], directResult: true },
});

builder.queryType({});
builder.mutationType({});
