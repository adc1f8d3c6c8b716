import type { SqlExecutor } from '../db/sqlDb.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import type { RunLoaders } from './runLoaders.ts';

/** What every resolver receives: the tracking service, the read-model database and who is asking. */
export interface GraphQLContext {
  tracking: TrackingService;
  readDb: SqlExecutor;
  actor: string;
  loaders: RunLoaders;
}
