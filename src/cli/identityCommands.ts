import { isPermissionLevel, PERMISSION_LEVELS } from '../auth/permissionLevel.ts';
import { probePostgres } from '../db/probePostgres.ts';
import { listTokens } from '../projections/identityTokensReadModel.ts';
import { listUsers } from '../projections/identityUsersReadModel.ts';
import { experimentPermissionsOfUser, modelPermissionsOfUser } from '../projections/resourcePermissionsReadModel.ts';
import { eventStoreFactory } from '../server/eventStoreFactory.ts';
import { openBackend, type RegistryBackend } from '../server/openBackend.ts';
import { resolveStoreConfig } from '../server/serverConfig.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { localUser } from './localUser.ts';
import { readSecret } from './readSecret.ts';

export interface StoreOptions {
  dataDir: string;
  eventStore?: string;
}

/**
 * User, token and permission commands. They open the database themselves, as rebuild
 * does (stop an embedded server first: one process per data folder); the events they
 * append name the OS user as their actor. A running server offers the same through
 * GraphQL and MLflow's REST API.
 */
async function withBackend<T>(options: StoreOptions, work: (backend: RegistryBackend) => Promise<T>): Promise<T> {
  const config = resolveStoreConfig({ dataDir: options.dataDir, eventStore: options.eventStore }, process.env);
  if (config.postgres) await probePostgres(config.postgres, 'DATABASE_URL');
  const backend = await openBackend({
    databaseUrl: config.postgres?.connectionString,
    schema: config.schema,
    dataDir: config.postgres ? undefined : config.dataDir,
    createEventStore: eventStoreFactory(config.eventStore),
  });
  try {
    await backend.identityProjector.catchUp();
    return await work(backend);
  } finally {
    await backend.close();
  }
}

const cli = () => commandContext(localUser());

export async function createUserCommand(username: string, options: StoreOptions & { admin?: boolean }): Promise<void> {
  const password = await readSecret(`Password for ${username}: `);
  await withBackend(options, (b) => b.identity.createUser({ username, password, isAdmin: options.admin === true }, cli()));
  process.stdout.write(`created ${options.admin ? 'admin ' : ''}user ${username}\n`);
}

export async function changePasswordCommand(username: string, options: StoreOptions): Promise<void> {
  const password = await readSecret(`New password for ${username}: `);
  await withBackend(options, (b) => b.identity.changePassword(username, password, cli()));
  process.stdout.write(`changed the password of ${username}\n`);
}

export async function setAdminCommand(username: string, value: string, options: StoreOptions): Promise<void> {
  if (value !== 'true' && value !== 'false') throw new Error(`expected true or false, got '${value}'`);
  await withBackend(options, (b) => b.identity.setAdmin(username, value === 'true', cli()));
  process.stdout.write(`${username} is ${value === 'true' ? 'now' : 'no longer'} an admin\n`);
}

export async function deleteUserCommand(username: string, options: StoreOptions): Promise<void> {
  await withBackend(options, (b) => b.identity.deleteUser(username, cli()));
  process.stdout.write(`deleted user ${username} (and ended their tokens and grants)\n`);
}

export async function listUsersCommand(options: StoreOptions): Promise<void> {
  const users = await withBackend(options, (b) => listUsers(b.db));
  for (const u of users) process.stdout.write(`${u.username}\t${u.isAdmin ? 'admin' : 'user'}\t${new Date(u.createdAt).toISOString()}\n`);
}

export async function createTokenCommand(options: StoreOptions & { user: string; name: string; expiresInDays?: string }): Promise<void> {
  const days = options.expiresInDays === undefined ? undefined : Number(options.expiresInDays);
  if (days !== undefined && !(days > 0)) throw new Error(`--expires-in-days must be a positive number, got '${options.expiresInDays}'`);
  const created = await withBackend(options, (b) =>
    b.identity.createToken({ username: options.user, name: options.name, expiresAt: days === undefined ? undefined : Date.now() + days * 86_400_000 }, cli()),
  );
  // The secret goes to stdout alone (for scripts); the rest to stderr.
  process.stderr.write(`token ${created.tokenId} for ${options.user}; it is shown only this once:\n`);
  process.stdout.write(`${created.token}\n`);
}

export async function listTokensCommand(options: StoreOptions & { user?: string }): Promise<void> {
  const tokens = await withBackend(options, (b) => listTokens(b.db, options.user));
  for (const t of tokens) {
    const state = t.revokedAt ? `revoked ${new Date(t.revokedAt).toISOString()}` : t.expiresAt ? `expires ${new Date(t.expiresAt).toISOString()}` : 'active';
    process.stdout.write(`${t.tokenId}\t${t.username}\t${t.name}\t${state}\n`);
  }
}

export async function revokeTokenCommand(tokenId: string, options: StoreOptions): Promise<void> {
  await withBackend(options, (b) => b.identity.revokeToken(tokenId, undefined, cli()));
  process.stdout.write(`revoked token ${tokenId}\n`);
}

export async function setPermissionCommand(options: StoreOptions & { user: string; permission: string; experimentId?: string; model?: string }): Promise<void> {
  const permission = options.permission.toUpperCase();
  if (!isPermissionLevel(permission)) throw new Error(`--permission must be one of ${PERMISSION_LEVELS.join(', ')}, got '${options.permission}'`);
  if ((options.experimentId === undefined) === (options.model === undefined)) throw new Error('give exactly one of --experiment-id and --model');
  await withBackend(options, (b) =>
    options.experimentId !== undefined
      ? b.identity.setExperimentPermission(options.experimentId, options.user, permission, cli())
      : b.identity.setModelPermission(options.model ?? '', options.user, permission, cli()),
  );
  process.stdout.write(`${options.user} has ${permission} on ${options.experimentId !== undefined ? `experiment ${options.experimentId}` : `registered model ${options.model}`}\n`);
}

export async function listPermissionsCommand(options: StoreOptions & { user: string }): Promise<void> {
  const [experiments, models] = await withBackend(options, async (b) => [await experimentPermissionsOfUser(b.db, options.user), await modelPermissionsOfUser(b.db, options.user)] as const);
  for (const p of experiments) process.stdout.write(`experiment\t${p.resourceId}\t${p.permission}\n`);
  for (const p of models) process.stdout.write(`registered-model\t${p.name ?? `(deleted ${p.resourceId})`}\t${p.permission}\n`);
}
