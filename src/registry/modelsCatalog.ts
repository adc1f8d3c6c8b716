import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { RegisteredModelCreated, RegisteredModelDeleted, RegisteredModelRenamed } from '../events/registryEvents.ts';
import type { StreamFold } from '../tracking/streamStateCache.ts';
import { advanceChainHead, emptyChainHead, type ChainHead } from './chainHead.ts';

/** What catalogue commands decide on: which live model holds each name. */
export interface ModelsCatalog {
  idByName: Map<string, string>;
  nameById: Map<string, string>;
  head: ChainHead;
}

export const modelsCatalogFold: StreamFold<ModelsCatalog> = {
  initial: () => ({ idByName: new Map(), nameById: new Map(), head: emptyChainHead() }),
  evolve(catalog, event: RecordedEvent) {
    advanceChainHead(catalog.head, event);
    if (RegisteredModelCreated.is(event)) {
      catalog.idByName.set(event.data.name, event.data.modelId);
      catalog.nameById.set(event.data.modelId, event.data.name);
    } else if (RegisteredModelRenamed.is(event)) {
      catalog.idByName.delete(event.data.fromName);
      catalog.idByName.set(event.data.name, event.data.modelId);
      catalog.nameById.set(event.data.modelId, event.data.name);
    } else if (RegisteredModelDeleted.is(event)) {
      catalog.idByName.delete(event.data.name);
      catalog.nameById.delete(event.data.modelId);
    }
    return catalog;
  },
};
