import type { SqlExecutor } from '../db/sqlDb.ts';
import type { KeyValueRow } from '../projections/keyValueRows.ts';
import { aliasesOfModels, type AliasRow } from '../projections/registryAliasesReadModel.ts';
import { registeredModelTags } from '../projections/registryModelsReadModel.ts';
import { latestVersions, modelVersionTags, type ModelVersionRow } from '../projections/registryVersionsReadModel.ts';
import { BatchLoader } from './batchLoader.ts';
import type { GraphQLContext } from './graphqlContext.ts';

function createRegistryLoaders(db: SqlExecutor) {
  return {
    modelTags: new BatchLoader<KeyValueRow[]>((ids) => registeredModelTags(db, ids), []),
    aliases: new BatchLoader<AliasRow[]>((ids) => aliasesOfModels(db, ids), []),
    latestVersions: new BatchLoader<ModelVersionRow[]>((ids) => latestVersions(db, ids), []),
    /** Keyed "<modelId>/<version>". */
    versionTags: new BatchLoader<KeyValueRow[]>(
      (keys) =>
        modelVersionTags(
          db,
          keys.map((key) => {
            const [modelId, version] = key.split('/');
            return { modelId, version: Number(version) };
          }),
        ),
      [],
    ),
  };
}

type RegistryLoaders = ReturnType<typeof createRegistryLoaders>;

// One set per request, made on first use, so the shared context needs no registry fields beyond the service.
const perRequest = new WeakMap<GraphQLContext, RegistryLoaders>();

/** Per-request loaders: one query per field across every model or version in a response. */
export function registryLoaders(ctx: GraphQLContext): RegistryLoaders {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    loaders = createRegistryLoaders(ctx.readDb);
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
