import { z } from 'zod';
import { defineEvent } from './defineEvent.ts';

/**
 * Users, their API tokens and who may do what: every change is an event in this one
 * stream, so user names stay unique and each grant is ordered after the user it names.
 * Secrets never enter the log in the clear: passwords as salted scrypt hashes, tokens
 * as sha256 hashes.
 */
export const IDENTITY_STREAM = 'identity';

const username = z.string().min(1);
const permission = z.enum(['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE']);
const experimentId = z.string().regex(/^\d+$/);
const modelId = z.string().regex(/^[0-9a-f]{32}$/);

export const UserCreated = defineEvent('UserCreated', 1, z.object({ username, passwordHash: z.string(), isAdmin: z.boolean() }));
export const UserPasswordChanged = defineEvent('UserPasswordChanged', 1, z.object({ username, passwordHash: z.string() }));
export const UserAdminChanged = defineEvent('UserAdminChanged', 1, z.object({ username, isAdmin: z.boolean() }));
/** Deleting a user ends its tokens and grants with it. */
export const UserDeleted = defineEvent('UserDeleted', 1, z.object({ username }));

export const ApiTokenCreated = defineEvent(
  'ApiTokenCreated',
  1,
  z.object({ tokenId: z.string(), username, name: z.string(), tokenHash: z.string().regex(/^[0-9a-f]{64}$/), expiresAt: z.number().int().optional() }),
);
export const ApiTokenRevoked = defineEvent('ApiTokenRevoked', 1, z.object({ tokenId: z.string(), username }));

export const ExperimentPermissionSet = defineEvent('ExperimentPermissionSet', 1, z.object({ experimentId, username, permission }));
export const ExperimentPermissionDeleted = defineEvent('ExperimentPermissionDeleted', 1, z.object({ experimentId, username }));
/** Keyed by the model's stable id (a rename keeps its grants); the name is kept for readers of the log. */
export const RegisteredModelPermissionSet = defineEvent('RegisteredModelPermissionSet', 1, z.object({ modelId, name: z.string(), username, permission }));
export const RegisteredModelPermissionDeleted = defineEvent('RegisteredModelPermissionDeleted', 1, z.object({ modelId, name: z.string(), username }));

export const identityEvents = [
  UserCreated,
  UserPasswordChanged,
  UserAdminChanged,
  UserDeleted,
  ApiTokenCreated,
  ApiTokenRevoked,
  ExperimentPermissionSet,
  ExperimentPermissionDeleted,
  RegisteredModelPermissionSet,
  RegisteredModelPermissionDeleted,
] as const;
