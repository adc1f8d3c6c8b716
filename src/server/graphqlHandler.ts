import { IncomingMessage } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { authorizeSchema } from '../auth/graphqlAuthorization.ts';
import type { IdentityService } from '../auth/identityService.ts';
import { accessOf } from '../auth/requestAccess.ts';
import { useGraphQLLimits } from './graphqlLimits.ts';
import type { ArtifactService } from '../artifacts/artifactService.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { MonitoringRuntime } from '../monitoring/monitoringRuntime.ts';
import type { MonitoringService } from '../monitoring/monitoringService.ts';
import type { RegistryService } from '../registry/registryService.ts';
import type { LiveHub } from '../subscriptions/liveHub.ts';
import type { GraphQLContext } from '../schema/graphqlContext.ts';
import { schema } from '../schema/index.ts';
import { createRunLoaders } from '../schema/runLoaders.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import type { Logger } from './logger.ts';
import { maskUnexpectedErrors } from './maskErrors.ts';
import { useGraphQLJsExecute } from './useGraphQLJsExecute.ts';

export interface GraphQLHandlerOptions {
  tracking: TrackingService;
  registry: RegistryService;
  readDb: SqlExecutor;
  /** Users, tokens and grants. */
  identity: IdentityService;
  logger: Logger;
  artifacts: ArtifactService;
  live: LiveHub;
  monitoring: MonitoringService;
  monitoringRuntime: MonitoringRuntime;
}

/** graphql-yoga on /graphql, with GraphiQL; unexpected errors are masked, domain errors are typed results. */
export function createGraphQLHandler(options: GraphQLHandlerOptions) {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    // Permission checks in every resolver (src/auth/graphqlAuthorization.ts).
    schema: authorizeSchema(schema),
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'mlledger' },
    landingPage: false,
    // The HTTP gate requires a Content-Length within the limit on every GraphQL POST, and Node reads
    // no more than it says; yoga's own limit re-counted each body through a web stream (~0.15 ms a request).
    maxRequestBodySize: false,
    plugins: [useGraphQLJsExecute(), useGraphQLLimits()],
    maskedErrors: { maskError: maskUnexpectedErrors },
    logging: {
      debug: (...args) => options.logger.debug({ args }, 'graphql'),
      info: (...args) => options.logger.info({ args }, 'graphql'),
      warn: (...args) => options.logger.warn({ args }, 'graphql'),
      error: (...args) => options.logger.error({ args }, 'graphql'),
    },
    // The request (or WebSocket upgrade) passed the authentication gate, which left its Access behind.
    context: (initial) => {
      const access = accessOf(initial.req instanceof IncomingMessage ? initial.req : undefined);
      return {
        tracking: options.tracking,
        registry: options.registry,
        readDb: options.readDb,
        access,
        actor: access.actor,
        identity: options.identity,
        loaders: createRunLoaders(options.readDb),
        artifacts: options.artifacts,
        live: options.live,
        monitoring: options.monitoring,
        monitoringRuntime: options.monitoringRuntime,
      };
    },
  });
}
