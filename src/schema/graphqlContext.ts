import type { ArtifactService } from '../artifacts/artifactService.ts';
import type { Access } from '../auth/access.ts';
import type { IdentityService } from '../auth/identityService.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { MonitoringRuntime } from '../monitoring/monitoringRuntime.ts';
import type { MonitoringService } from '../monitoring/monitoringService.ts';
import type { RegistryService } from '../registry/registryService.ts';
import type { LiveHub } from '../subscriptions/liveHub.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import type { RunLoaders } from './runLoaders.ts';

/** What every resolver receives: the tracking service, the read-model database and who is asking. */
export interface GraphQLContext {
  tracking: TrackingService;
  readDb: SqlExecutor;
  /** Who asks (the authenticated user, or the local user when authentication is off): every event's actor. */
  actor: string;
  /** What the asker may do; the schema's resolvers already check it (src/auth/graphqlAuthorization.ts). */
  access: Access;
  /** Users, tokens and grants. */
  identity: IdentityService;
  loaders: RunLoaders;
  /** The model registry's write side. */
  registry: RegistryService;
  /** Artifact files, to list a run's artifacts. */
  artifacts: ArtifactService;
  /** Subscriptions: this process's shared log feed. */
  live: LiveHub;
  /** Production monitoring's write side (ingestion, profiles, monitors, webhooks). */
  monitoring: MonitoringService;
  /** The monitor evaluator of this process. */
  monitoringRuntime: MonitoringRuntime;
}
