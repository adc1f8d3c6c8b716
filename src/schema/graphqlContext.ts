import type { ArtifactService } from '../artifacts/artifactService.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RegistryService } from '../registry/registryService.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import type { RunLoaders } from './runLoaders.ts';

/** What every resolver receives: the tracking service, the read-model database and who is asking. */
export interface GraphQLContext {
  tracking: TrackingService;
  readDb: SqlExecutor;
  actor: string;
  loaders: RunLoaders;
  /** The model registry's write side. */
  registry: RegistryService;
  /** Artifact files, to list a run's artifacts. */
  artifacts: ArtifactService;
}
