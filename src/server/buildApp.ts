import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openBackend, type BackendConfig, type RegistryBackend } from './openBackend.ts';
import { createGraphQLHandler } from './graphqlHandler.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMlflowHandler } from '../mlflow/mlflowHandler.ts';
import { createArtifactProxyHandler } from '../artifacts/artifactProxyHandler.ts';
import { ArtifactService } from '../artifacts/artifactService.ts';
import type { ArtifactStore } from '../artifacts/artifactStore.ts';
import { openArtifactStore } from '../artifacts/openArtifactStore.ts';
import { LiveHub, type LiveHubOptions } from '../subscriptions/liveHub.ts';
import { attachGraphQLWebSocket } from './graphqlWebSocket.ts';
import { defaultAuthConfig, type AuthConfig } from '../auth/authConfig.ts';
import { openAuthGate } from '../auth/openAuthGate.ts';
import { createHttpGate } from './httpGate.ts';
import { createUiHandler } from '../ui/uiHandler.ts';
import type { UiFiles } from '../ui/uiFiles.ts';
import { createMonitoringRestHandler } from '../monitoring/monitoringRestHandler.ts';
import { MonitoringRuntime, type MonitoringRuntimeOptions } from '../monitoring/monitoringRuntime.ts';

export interface AppConfig extends BackendConfig {
  host?: string;
  port?: number;
  /** The actor recorded on events while authentication is off. */
  user?: string;
  logger?: Logger;
  /** Where artifact bytes go (S3, tests); default a folder 'artifacts' in dataDir, else a temp folder. */
  artifacts?: ArtifactStore;
  /** Subscription buffers and replay batch size (tests make them small). */
  subscriptions?: LiveHubOptions;
  /** Monitor evaluation and webhook delivery loops (tests turn the schedules off and drive them). */
  monitoring?: MonitoringRuntimeOptions;
  /** The web UI's files (tests pass a fresh build); default web/dist, built when missing. */
  ui?: UiFiles;
  /** Authentication and permissions (default: off, everyone is `user`). */
  auth?: AuthConfig;
  /** Browser origins besides the server's own that may send it state-changing requests. */
  allowedOrigins?: readonly string[];
  /** Bytes one artifact upload may hold (default 5 GiB). */
  maxArtifactUploadBytes?: number;
}

export interface App {
  backend: RegistryBackend;
  /** Subscriptions of this process (one shared log feed). */
  live: LiveHub;
  /** Monitor evaluator and webhook dispatcher of this process. */
  monitoring: MonitoringRuntime;
  /** Listens; resolves with the base URL once /health answers. */
  start(): Promise<string>;
  /** Stops taking requests, lets running ones finish, then closes the stores. */
  stop(): Promise<void>;
}

/** The one HTTP server: GraphQL at /graphql, /health, and (later) MLflow's REST API. */
export async function buildApp(config: AppConfig = {}): Promise<App> {
  const logger = config.logger ?? createLogger();
  const backend = await openBackend({ ...config, onProjectorError: (error) => logger.error({ err: error }, 'projector failed; retrying') });
  const artifactStore = await openArtifactStore({ store: config.artifacts, dataDir: config.dataDir });
  const artifactService = new ArtifactService(artifactStore.store, backend.store);
  const live = new LiveHub(backend.store, { ...config.subscriptions, onFeedError: (error) => logger.error({ err: error }, 'subscription feed failed; retrying') });
  const monitoring = new MonitoringRuntime(backend.monitoring, backend.db, logger, config.monitoring);
  const gate = await openAuthGate(backend, config.auth ?? defaultAuthConfig, config.user ?? 'local', logger);
  const admit = createHttpGate(gate, { allowedOrigins: config.allowedOrigins, logger });
  const graphql = createGraphQLHandler({ tracking: backend.tracking, registry: backend.registry, readDb: backend.db, identity: backend.identity, logger, artifacts: artifactService, live, monitoring: backend.monitoring, monitoringRuntime: monitoring });
  const artifacts = createArtifactProxyHandler({ artifacts: artifactService, readDb: backend.db, logger, maxUploadBytes: config.maxArtifactUploadBytes });
  const mlflow = createMlflowHandler({ tracking: backend.tracking, registry: backend.registry, identity: backend.identity, readDb: backend.db, logger });
  const monitoringRest = createMonitoringRestHandler({ monitoring: backend.monitoring, readDb: backend.db, logger });
  const ui = createUiHandler({ files: config.ui, logger });
  let ready = false;
  let stopping = false;

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (stopping) {
      // Keep-alive clients would otherwise hold the server open: refuse, retryably, and hang up.
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
      res.end(JSON.stringify({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'The server is shutting down; retry against another instance.' }));
      return;
    }
    if (url === '/health' || url.startsWith('/health?')) {
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'OK' : 'starting');
      return;
    }
    // Who is asking and may they: answered here when not (see httpGate.ts).
    if (!(await admit(req, res))) return;
    if (url === '/graphql' || url.startsWith('/graphql?')) {
      void graphql.handle(req, res);
      return;
    }
    // MLflow's artifact proxy and REST API (neither rejects; both answer their own errors).
    if (await monitoringRest(req, res)) return;
    if (await artifacts(req, res)) return;
    if (await mlflow(req, res)) return;
    // The web UI at / (its pages, assets and client routes); GraphiQL stays at /graphql.
    if (await ui(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: `No route for ${req.method} ${url.split('?')[0]}` }));
  });
  server.keepAliveTimeout = 5_000;
  const webSocket = attachGraphQLWebSocket(server, graphql, '/graphql', { gate, allowedOrigins: config.allowedOrigins });

  return {
    backend,
    live,
    monitoring,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port ?? 5000, config.host ?? '127.0.0.1', () => resolve());
      });
      ready = true;
      monitoring.start();
      const { address, port } = server.address() as AddressInfo;
      const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
      logger.info({ url, store: config.databaseUrl ? 'postgres' : 'pglite', dataDir: config.dataDir }, 'mlledger listening');
      return url;
    },
    async stop() {
      ready = false;
      stopping = true;
      // Subscribers get their cursor in a last message before the sockets close.
      await live.close();
      await webSocket.close();
      // Acknowledged writes are already in the event store; closing only waits for requests in flight.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearInterval(sweeper);
      clearTimeout(deadline);
      await monitoring.stop();
      await backend.close();
      await artifactStore.dispose();
      logger.info('mlledger stopped');
    },
  };
}
