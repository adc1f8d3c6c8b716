import type { ReadModel } from './readModel.ts';
import { registryAliasesReadModel } from './registryAliasesReadModel.ts';
import { registryModelsReadModel } from './registryModelsReadModel.ts';
import { registryVersionsReadModel } from './registryVersionsReadModel.ts';

/** The read models the registry projector keeps, in the order it applies them (models first: versions join them). */
export const registryReadModels: readonly ReadModel[] = [registryModelsReadModel, registryVersionsReadModel, registryAliasesReadModel];
