import type { SqlExecutor } from '../db/sqlDb.ts';
import { experimentPermission, modelPermission } from '../projections/resourcePermissionsReadModel.ts';
import { DomainError } from '../tracking/domainError.ts';
import { GenerationMemo, IdentityGeneration } from './identityGeneration.ts';
import { allows, type PermissionLevel, type RequiredLevel } from './permissionLevel.ts';
import type { Principal } from './principal.ts';
import type { OwnerRef } from './resultGuard.ts';
import { describeResource, resourceOf, type Resource } from './resources.ts';

export interface AccessDeps {
  readDb: SqlExecutor;
  /** false: the single local user may do everything. */
  authEnabled: boolean;
  /** What a user holds on a resource without an explicit grant. */
  defaultPermission: PermissionLevel;
  generation: IdentityGeneration;
  /** Waits until the identity read models hold everything logged so far (before a refusal is final). */
  settle(): Promise<void>;
  /** Whether the principal still holds its credentials (a long-lived connection asks again). */
  stillValid?(): Promise<boolean>;
}

export const permissionDenied = (message: string) => new DomainError('PERMISSION_DENIED', message);

/**
 * What one request (or one WebSocket connection) may do. Every API surface asks it
 * before acting: `require(resource, level)`, or one of the shortcuts that first find
 * the resource a run, model name, logged model or artifact path belongs to.
 */
export class Access {
  private readonly levels: GenerationMemo<PermissionLevel>;
  private readonly validity: GenerationMemo<boolean>;
  private readonly runExperiments = new Map<string, Resource>();

  constructor(
    readonly principal: Principal,
    private readonly deps: AccessDeps,
  ) {
    this.levels = new GenerationMemo(deps.generation);
    this.validity = new GenerationMemo(deps.generation, 1);
  }

  /** The actor recorded on every event this request causes. */
  get actor(): string {
    return this.principal.username;
  }

  /** Whether the actor was proven by credentials (so client-sent user names are ignored). */
  get authenticated(): boolean {
    return this.deps.authEnabled;
  }

  get isAdmin(): boolean {
    return !this.deps.authEnabled || this.principal.isAdmin;
  }

  get defaultPermission(): PermissionLevel {
    return this.deps.defaultPermission;
  }

  /** The level held on a resource: MANAGE for admins, else the explicit grant, else the default. */
  async level(resource: Resource): Promise<PermissionLevel> {
    if (this.isAdmin) return 'MANAGE';
    const key = resource.kind === 'experiment' ? `e:${resource.experimentId}` : `m:${resource.modelId}`;
    return this.levels.get(key, async () => {
      const username = this.principal.username;
      const explicit =
        resource.kind === 'experiment' ? await experimentPermission(this.deps.readDb, resource.experimentId, username) : await modelPermission(this.deps.readDb, resource.modelId, username);
      return explicit ?? this.deps.defaultPermission;
    });
  }

  async can(resource: Resource, needed: RequiredLevel): Promise<boolean> {
    return allows(await this.level(resource), needed);
  }

  /**
   * Throws PERMISSION_DENIED unless the level is held. A refusal is checked once more
   * after the identity read models catch up: a grant (or the creator's MANAGE) may
   * have been logged an instant ago.
   */
  async require(resource: Resource | undefined, needed: RequiredLevel): Promise<void> {
    if (!resource || (await this.can(resource, needed))) return;
    await this.settle();
    if (await this.can(resource, needed)) return;
    throw permissionDenied(`Permission denied: ${this.principal.username} does not have ${needed} permission on ${describeResource(resource)}.`);
  }

  /** Waits for the identity read models to reach the log's head and forgets cached levels (before re-checking a refusal). */
  async settle(): Promise<void> {
    await this.deps.settle();
    this.levels.forget();
  }

  requireAdmin(what: string): void {
    if (!this.isAdmin) throw permissionDenied(`Permission denied: only an admin may ${what}.`);
  }

  async requireExperiment(experimentId: string, needed: RequiredLevel): Promise<void> {
    if (/^\d{1,18}$/.test(experimentId)) await this.require({ kind: 'experiment', experimentId }, needed);
  }

  async requireRun(runId: string, needed: RequiredLevel): Promise<void> {
    if (!this.isAdmin) await this.require(await resourceOf.run(this.deps.readDb, runId), needed);
  }

  async requireRegisteredModel(name: string, needed: RequiredLevel): Promise<void> {
    if (!this.isAdmin) await this.require(await resourceOf.registeredModel(this.deps.readDb, name), needed);
  }

  async requireMonitor(monitorId: string, needed: RequiredLevel): Promise<void> {
    if (!this.isAdmin) await this.require(await resourceOf.monitor(this.deps.readDb, monitorId), needed);
  }

  async requireLoggedModel(modelId: string, needed: RequiredLevel): Promise<void> {
    if (!this.isAdmin) await this.require(await resourceOf.loggedModel(this.deps.readDb, modelId), needed);
  }

  /** An artifact store path ('' for the top level): paths under no experiment are for admins only. */
  async requireArtifactPath(path: string, needed: RequiredLevel): Promise<void> {
    if (this.isAdmin) return;
    const owner = await resourceOf.artifactPath(this.deps.readDb, path);
    if (!owner) throw permissionDenied(`Permission denied: the artifact path '${path}' belongs to no experiment; only an admin may ${needed === 'READ' ? 'read' : 'change'} it.`);
    await this.require(owner, needed);
  }

  /** READ on what a returned object belongs to (see resultGuard.ts). A run not (yet) in the read models names nobody. */
  async canRead(owner: OwnerRef): Promise<boolean> {
    if (this.isAdmin) return true;
    if (owner.kind === 'registeredModel') return this.can({ kind: 'registeredModel', modelId: owner.modelId }, 'READ');
    if (owner.kind === 'experiment') return !/^\d{1,18}$/.test(owner.experimentId) || this.can({ kind: 'experiment', experimentId: owner.experimentId }, 'READ');
    let experiment = this.runExperiments.get(owner.runId);
    if (experiment === undefined) {
      experiment = await resourceOf.run(this.deps.readDb, owner.runId);
      if (experiment === undefined) return true;
      // A run never moves to another experiment: this can be kept for the connection's life.
      if (this.runExperiments.size > 10_000) this.runExperiments.clear();
      this.runExperiments.set(owner.runId, experiment);
    }
    return this.can(experiment, 'READ');
  }

  /** READ on the registered model with this name now; a name no model has is readable (there is nothing to see). */
  async canReadModelNamed(name: string): Promise<boolean> {
    if (this.isAdmin) return true;
    const model = await resourceOf.registeredModel(this.deps.readDb, name);
    return model === undefined || this.can(model, 'READ');
  }

  /** For connections that outlive a request: whether the credentials still hold (a revoked token does not). */
  async stillValid(): Promise<boolean> {
    const check = this.deps.stillValid;
    if (!check) return true;
    return this.validity.get('valid', check);
  }
}

/** The single local user of a server without authentication (and of tools that embed the handlers): allowed everything. */
export function localAccess(username: string, readDb: SqlExecutor): Access {
  return new Access({ username, isAdmin: true }, { readDb, authEnabled: false, defaultPermission: 'MANAGE', generation: new IdentityGeneration(), settle: async () => {} });
}
