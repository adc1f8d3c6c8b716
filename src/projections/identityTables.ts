import { ExperimentCreated } from '../events/experimentEvents.ts';
import { identityEvents } from '../events/identityEvents.ts';
import { RegisteredModelCreated } from '../events/registryEvents.ts';
import { identityTokensReadModel } from './identityTokensReadModel.ts';
import { identityUsersReadModel } from './identityUsersReadModel.ts';
import type { ReadModel } from './readModel.ts';
import { resourcePermissionsReadModel } from './resourcePermissionsReadModel.ts';

/** The read models the identity projector keeps: users, tokens, grants. */
export const identityReadModels: readonly ReadModel[] = [identityUsersReadModel, identityTokensReadModel, resourcePermissionsReadModel];

/** Identity events, plus the creations whose actor gets MANAGE. */
export const identityEventTypes: readonly string[] = [...identityEvents.map((d) => d.type), ExperimentCreated.type, RegisteredModelCreated.type];
