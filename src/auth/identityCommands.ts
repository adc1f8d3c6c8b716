import type { NewEvent } from '../events/eventEnvelope.ts';
import {
  ApiTokenCreated,
  ApiTokenRevoked,
  ExperimentPermissionDeleted,
  ExperimentPermissionSet,
  RegisteredModelPermissionDeleted,
  RegisteredModelPermissionSet,
  UserAdminChanged,
  UserCreated,
  UserDeleted,
  UserPasswordChanged,
} from '../events/identityEvents.ts';
import { SYSTEM_ACTOR } from '../projections/resourcePermissionsReadModel.ts';
import { metadataFor, type CommandContext } from '../tracking/commandContext.ts';
import { alreadyExists, invalid, notFound } from '../tracking/domainError.ts';
import type { IdentityState } from './identityState.ts';
import type { PermissionLevel } from './permissionLevel.ts';

/** User names go into HTTP Basic credentials (no ':') and into logs and audit trails (no control characters). */
const USERNAME = /^[A-Za-z0-9._@+-]{1,64}$/;
export const tokenNameMaxLength = 100;

export function validateUsername(field: string, username: string): string {
  if (!USERNAME.test(username)) throw invalid(field, `'${field}' must be 1 to 64 letters, digits or . _ @ + -; got ${JSON.stringify(username.slice(0, 80))}.`);
  if (username === SYSTEM_ACTOR) throw invalid(field, `'${SYSTEM_ACTOR}' is reserved for the server's own events.`);
  return username;
}

function existingUser(state: IdentityState, field: string, username: string) {
  const user = state.users.get(username);
  if (!user) throw notFound(field, `User '${username}' does not exist.`);
  return user;
}

/** Identity commands as pure decisions over the identity stream's state. Hashes arrive already computed. */
export const decideIdentity = {
  createUser(state: IdentityState, command: { username: string; passwordHash: string; isAdmin: boolean }, ctx: CommandContext): NewEvent[] {
    validateUsername('username', command.username);
    if (state.users.has(command.username)) throw alreadyExists('username', `User '${command.username}' already exists.`);
    return [UserCreated.create(command, metadataFor(ctx, 0))];
  },

  changePassword(state: IdentityState, command: { username: string; passwordHash: string }, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', command.username);
    return [UserPasswordChanged.create(command, metadataFor(ctx, 0))];
  },

  setAdmin(state: IdentityState, command: { username: string; isAdmin: boolean }, ctx: CommandContext): NewEvent[] {
    const user = existingUser(state, 'username', command.username);
    if (user.isAdmin === command.isAdmin) return [];
    if (!command.isAdmin && lastAdmin(state, command.username)) throw invalid('is_admin', `'${command.username}' is the last admin; make another user admin first.`);
    return [UserAdminChanged.create(command, metadataFor(ctx, 0))];
  },

  deleteUser(state: IdentityState, username: string, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', username);
    if (lastAdmin(state, username)) throw invalid('username', `'${username}' is the last admin; make another user admin first.`);
    return [UserDeleted.create({ username }, metadataFor(ctx, 0))];
  },

  createToken(state: IdentityState, command: { tokenId: string; username: string; name: string; tokenHash: string; expiresAt?: number }, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', command.username);
    if (command.name.length === 0 || command.name.length > tokenNameMaxLength) throw invalid('name', `A token name must be 1 to ${tokenNameMaxLength} characters; got ${command.name.length}.`);
    if (command.expiresAt !== undefined && command.expiresAt <= ctx.now.getTime()) throw invalid('expiresAt', 'A token must expire in the future.');
    return [ApiTokenCreated.create(command, metadataFor(ctx, 0))];
  },

  /** Revoking is idempotent; `owner` restricts it to one user's tokens (a non-admin revoking their own). */
  revokeToken(state: IdentityState, tokenId: string, owner: string | undefined, ctx: CommandContext): NewEvent[] {
    const token = state.tokens.get(tokenId);
    if (!token || (owner !== undefined && token.username !== owner)) throw notFound('tokenId', `Token '${tokenId}' does not exist.`);
    if (token.revoked) return [];
    return [ApiTokenRevoked.create({ tokenId, username: token.username }, metadataFor(ctx, 0))];
  },

  setExperimentPermission(state: IdentityState, command: { experimentId: string; username: string; permission: PermissionLevel }, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', command.username);
    return [ExperimentPermissionSet.create(command, metadataFor(ctx, 0))];
  },

  deleteExperimentPermission(state: IdentityState, command: { experimentId: string; username: string }, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', command.username);
    return [ExperimentPermissionDeleted.create(command, metadataFor(ctx, 0))];
  },

  setModelPermission(state: IdentityState, command: { modelId: string; name: string; username: string; permission: PermissionLevel }, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', command.username);
    return [RegisteredModelPermissionSet.create(command, metadataFor(ctx, 0))];
  },

  deleteModelPermission(state: IdentityState, command: { modelId: string; name: string; username: string }, ctx: CommandContext): NewEvent[] {
    existingUser(state, 'username', command.username);
    return [RegisteredModelPermissionDeleted.create(command, metadataFor(ctx, 0))];
  },
};

function lastAdmin(state: IdentityState, username: string): boolean {
  if (!state.users.get(username)?.isAdmin) return false;
  return [...state.users.values()].filter((u) => u.isAdmin).length === 1;
}
