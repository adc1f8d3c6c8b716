import { REGISTERED_MODELS_STREAM, registeredModelStream } from '../events/registryEvents.ts';
import { modelCatalogRoute, streamRoute } from './routeKeys.ts';

/** Where a model's events are: its own stream, and its entries in the shared catalogue stream. */
export function modelSources(modelId: string): { routes: string[]; streams: string[] } {
  return {
    routes: [streamRoute(registeredModelStream(modelId)), modelCatalogRoute(modelId)],
    streams: [REGISTERED_MODELS_STREAM, registeredModelStream(modelId)],
  };
}
