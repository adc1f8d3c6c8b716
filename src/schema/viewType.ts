import { builder } from './builder.ts';

export const ViewTypeEnum = builder.enumType('ViewType', {
  description: "Which lifecycle stages a listing includes, as MLflow's ViewType.",
  values: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const,
});
