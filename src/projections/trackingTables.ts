import { experimentEvents } from '../events/experimentEvents.ts';
import { loggedModelEvents } from '../events/loggedModelEvents.ts';
import { runEvents } from '../events/runEvents.ts';
import { runInputOutputEvents } from '../events/runInputOutputEvents.ts';
import { experimentsReadModel } from './experimentsReadModel.ts';
import { latestMetricsReadModel } from './latestMetricsReadModel.ts';
import { loggedModelsReadModel } from './loggedModelsReadModel.ts';
import { metricHistoryReadModel } from './metricHistoryReadModel.ts';
import type { ReadModel } from './readModel.ts';
import { runInputsReadModel } from './runInputsReadModel.ts';
import { runOutputsReadModel } from './runOutputsReadModel.ts';
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
  loggedModelsReadModel,
  runInputsReadModel,
  runOutputsReadModel,
];

/** DDL of every tracking table (each read model owns its own). */
export const trackingTablesSql = trackingReadModels.map((m) => m.schemaSql).join('\n');

export const trackingTables = trackingReadModels.flatMap((m) => m.tables);

/** Every event type the tracking read models read; the projector skips batches of others (artifacts, registry…). */
export const trackingEventTypes: readonly string[] = [...experimentEvents, ...runEvents, ...loggedModelEvents, ...runInputOutputEvents].map((d) => d.type);
