import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { RegisteredModelCreated, RegisteredModelDeleted, RegisteredModelRenamed, type ModelStage } from '../events/registryEvents.ts';
import type { StreamFold } from '../tracking/streamStateCache.ts';
import { advanceChainHead, emptyChainHead, type ChainHead } from './chainHead.ts';

/** What catalogue commands decide on: which live model holds each name. */
export interface ModelsCatalog {
  idByName: Map<string, string>;
  nameById: Map<string, string>;
  /** The approval policy each model was created with (its own stream may replace it later). */
  approvalAtCreation: Map<string, ModelStage[]>;
  head: ChainHead;
}

export const modelsCatalogFold: StreamFold<ModelsCatalog> = {
  initial: () => ({ idByName: new Map(), nameById: new Map(), approvalAtCreation: new Map(), head: emptyChainHead() }),
  evolve(catalog, event: RecordedEvent) {
    advanceChainHead(catalog.head, event);
    if (RegisteredModelCreated.is(event)) {
      catalog.idByName.set(event.data.name, event.data.modelId);
      catalog.nameById.set(event.data.modelId, event.data.name);
      if (event.data.approvalRequiredStages.length > 0) catalog.approvalAtCreation.set(event.data.modelId, event.data.approvalRequiredStages);
    } else if (RegisteredModelRenamed.is(event)) {
      catalog.idByName.delete(event.data.fromName);
      catalog.idByName.set(event.data.name, event.data.modelId);
      catalog.nameById.set(event.data.modelId, event.data.name);
    } else if (RegisteredModelDeleted.is(event)) {
      catalog.idByName.delete(event.data.name);
      catalog.nameById.delete(event.data.modelId);
      catalog.approvalAtCreation.delete(event.data.modelId);
    }
    return catalog;
  },
};
