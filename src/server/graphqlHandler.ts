import { createYoga } from 'graphql-yoga';
import type { ArtifactService } from '../artifacts/artifactService.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { RegistryService } from '../registry/registryService.ts';
import type { GraphQLContext } from '../schema/graphqlContext.ts';
import { schema } from '../schema/index.ts';
import { createRunLoaders } from '../schema/runLoaders.ts';
import type { TrackingService } from '../tracking/trackingService.ts';
import type { Logger } from './logger.ts';
import { maskUnexpectedErrors } from './maskErrors.ts';

export interface GraphQLHandlerOptions {
  tracking: TrackingService;
  registry: RegistryService;
  readDb: SqlExecutor;
  /** Who the embedded server acts as until authentication exists. */
  actor: string;
  logger: Logger;
  artifacts: ArtifactService;
}

/** graphql-yoga on /graphql, with GraphiQL; unexpected errors are masked, domain errors are typed results. */
export function createGraphQLHandler(options: GraphQLHandlerOptions) {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'mlledger' },
    landingPage: false,
    maskedErrors: { maskError: maskUnexpectedErrors },
    logging: {
      debug: (...args) => options.logger.debug({ args }, 'graphql'),
      info: (...args) => options.logger.info({ args }, 'graphql'),
      warn: (...args) => options.logger.warn({ args }, 'graphql'),
      error: (...args) => options.logger.error({ args }, 'graphql'),
    },
    context: () => ({
      tracking: options.tracking,
      registry: options.registry,
      readDb: options.readDb,
      actor: options.actor,
      loaders: createRunLoaders(options.readDb),
      artifacts: options.artifacts,
    }),
  });
}
