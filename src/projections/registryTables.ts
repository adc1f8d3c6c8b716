import { registryEvents } from '../events/registryEvents.ts';
import type { ReadModel } from './readModel.ts';
import { registryAliasesReadModel } from './registryAliasesReadModel.ts';
import { registryApprovalsReadModel } from './registryApprovalsReadModel.ts';
import { registryModelsReadModel } from './registryModelsReadModel.ts';
import { registryVersionsReadModel } from './registryVersionsReadModel.ts';

/** The read models the registry projector keeps, in the order it applies them (models first: versions join them). */
export const registryReadModels: readonly ReadModel[] = [registryModelsReadModel, registryVersionsReadModel, registryAliasesReadModel, registryApprovalsReadModel];

/** Every event type the registry read models read; the projector skips batches of others (metrics above all). */
export const registryEventTypes: readonly string[] = registryEvents.map((d) => d.type);
