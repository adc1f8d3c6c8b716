import { experimentsReadModel } from './experimentsReadModel.ts';
import { latestMetricsReadModel } from './latestMetricsReadModel.ts';
import { metricHistoryReadModel } from './metricHistoryReadModel.ts';
import type { ReadModel } from './readModel.ts';
import { runParamsReadModel } from './runParamsReadModel.ts';
import { runsReadModel } from './runsReadModel.ts';
import { runTagsReadModel } from './runTagsReadModel.ts';

/** The read models the tracking projector keeps, in the order it applies them. */
export const trackingReadModels: readonly ReadModel[] = [
  experimentsReadModel,
  runsReadModel,
  runParamsReadModel,
  runTagsReadModel,
  metricHistoryReadModel,
  latestMetricsReadModel,
];

/** DDL of every tracking table (each read model owns its own). */
export const trackingTablesSql = trackingReadModels.map((m) => m.schemaSql).join('\n');

export const trackingTables = trackingReadModels.flatMap((m) => m.tables);
