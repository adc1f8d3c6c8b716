import { randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { EventStore } from '../events/eventStore.ts';
import { IDENTITY_STREAM } from '../events/identityEvents.ts';
import type { Projector } from '../projections/projector.ts';
import { findRegisteredModel } from '../projections/registryModelsReadModel.ts';
import { CommandHandler } from '../tracking/commandHandler.ts';
import type { CommandContext } from '../tracking/commandContext.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import { StreamStateCache } from '../tracking/streamStateCache.ts';
import { validateExperimentId } from '../tracking/validation.ts';
import { findExperimentById } from '../projections/experimentsReadModel.ts';
import { generateApiToken } from './apiTokens.ts';
import { decideIdentity } from './identityCommands.ts';
import { identityFold, type IdentityState } from './identityState.ts';
import { hashPassword, passwordLimits } from './passwords.ts';
import type { NewEvent } from '../events/eventEnvelope.ts';
import type { PermissionLevel } from './permissionLevel.ts';

export interface IdentityServiceOptions {
  store: EventStore;
  projector: Projector;
  readDb: SqlExecutor;
}

export interface CreatedToken {
  tokenId: string;
  /** Shown to the caller once; only its hash is kept. */
  token: string;
}

/**
 * The write side of users, tokens and grants. Like every service it returns once
 * the read models show the change, so a revoked token is refused from the next request on.
 */
export class IdentityService {
  readonly projector: Projector;
  readonly readDb: SqlExecutor;
  private readonly commands: CommandHandler;
  private readonly state: StreamStateCache<IdentityState>;

  constructor(options: IdentityServiceOptions) {
    this.projector = options.projector;
    this.readDb = options.readDb;
    this.commands = new CommandHandler(options.store);
    this.state = new StreamStateCache(options.store, identityFold, 1);
  }

  async createUser(command: { username: string; password: string; isAdmin?: boolean }, ctx: CommandContext): Promise<void> {
    const passwordHash = await hashPassword(checkPassword(command.password));
    await this.decide((s) => decideIdentity.createUser(s, { username: command.username, passwordHash, isAdmin: command.isAdmin ?? false }, ctx));
  }

  async changePassword(username: string, password: string, ctx: CommandContext): Promise<void> {
    const passwordHash = await hashPassword(checkPassword(password));
    await this.decide((s) => decideIdentity.changePassword(s, { username, passwordHash }, ctx));
  }

  async setAdmin(username: string, isAdmin: boolean, ctx: CommandContext): Promise<void> {
    await this.decide((s) => decideIdentity.setAdmin(s, { username, isAdmin }, ctx));
  }

  async deleteUser(username: string, ctx: CommandContext): Promise<void> {
    await this.decide((s) => decideIdentity.deleteUser(s, username, ctx));
  }

  async createToken(command: { username: string; name: string; expiresAt?: number }, ctx: CommandContext): Promise<CreatedToken> {
    const { token, tokenHash } = generateApiToken();
    const tokenId = randomBytes(8).toString('hex');
    await this.decide((s) => decideIdentity.createToken(s, { tokenId, username: command.username, name: command.name, tokenHash, expiresAt: command.expiresAt }, ctx));
    return { tokenId, token };
  }

  /** owner: only a token of this user may be revoked (someone revoking their own). */
  async revokeToken(tokenId: string, owner: string | undefined, ctx: CommandContext): Promise<void> {
    await this.decide((s) => decideIdentity.revokeToken(s, tokenId, owner, ctx));
  }

  async setExperimentPermission(experimentId: string, username: string, permission: PermissionLevel, ctx: CommandContext): Promise<void> {
    const id = await this.existingExperiment(experimentId);
    await this.decide((s) => decideIdentity.setExperimentPermission(s, { experimentId: id, username, permission }, ctx));
  }

  async deleteExperimentPermission(experimentId: string, username: string, ctx: CommandContext): Promise<void> {
    const id = await this.existingExperiment(experimentId);
    await this.decide((s) => decideIdentity.deleteExperimentPermission(s, { experimentId: id, username }, ctx));
  }

  async setModelPermission(name: string, username: string, permission: PermissionLevel, ctx: CommandContext): Promise<void> {
    const model = await this.existingModel(name);
    await this.decide((s) => decideIdentity.setModelPermission(s, { modelId: model.modelId, name: model.name, username, permission }, ctx));
  }

  async deleteModelPermission(name: string, username: string, ctx: CommandContext): Promise<void> {
    const model = await this.existingModel(name);
    await this.decide((s) => decideIdentity.deleteModelPermission(s, { modelId: model.modelId, name: model.name, username }, ctx));
  }

  private async existingExperiment(experimentId: string): Promise<string> {
    const id = validateExperimentId('experiment_id', experimentId);
    if (!(await findExperimentById(this.readDb, id))) throw notFound('experiment_id', `No Experiment with id=${id} exists`);
    return id;
  }

  private async existingModel(name: string) {
    const model = await findRegisteredModel(this.readDb, name);
    if (!model) throw notFound('name', `Registered Model with name=${name} not found`);
    return model;
  }

  private async decide(decide: (state: IdentityState) => NewEvent[]): Promise<void> {
    const result = await this.commands.handle(this.state, IDENTITY_STREAM, decide);
    await this.projector.waitFor(result.position);
  }
}

function checkPassword(password: string): string {
  if (password.length < passwordLimits.minLength || password.length > passwordLimits.maxLength) {
    throw invalid('password', `A password must be ${passwordLimits.minLength} to ${passwordLimits.maxLength} characters; got ${password.length}.`);
  }
  return password;
}
