import type { Access } from '../auth/access.ts';
import { PERMISSION_LEVELS } from '../auth/permissionLevel.ts';
import { listTokens, type ApiTokenRow } from '../projections/identityTokensReadModel.ts';
import { findUser, listUsers, type UserRow } from '../projections/identityUsersReadModel.ts';
import { findRegisteredModel } from '../projections/registryModelsReadModel.ts';
import { permissionsOnExperiment, permissionsOnModel, experimentPermissionsOfUser, modelPermissionsOfUser, type PermissionRow } from '../projections/resourcePermissionsReadModel.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { invalid, notFound } from '../tracking/domainError.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './graphqlContext.ts';
import { LongScalar } from './scalars.ts';

export const PermissionLevelEnum = builder.enumType('PermissionLevel', {
  description: 'READ < EDIT < MANAGE; NO_PERMISSIONS, granted explicitly, takes away the default.',
  values: PERMISSION_LEVELS,
});

const UserType = builder.objectRef<UserRow>('User').implement({
  description: 'A user who signs in with a password (HTTP Basic) or an API token (Bearer).',
  fields: (t) => ({
    username: t.exposeString('username'),
    isAdmin: t.exposeBoolean('isAdmin'),
    createdAt: t.field({ type: LongScalar, resolve: (u) => u.createdAt }),
  }),
});

const ApiTokenType = builder.objectRef<ApiTokenRow>('ApiToken').implement({
  description: 'An API token as listed: its secret is shown only once, when it is created.',
  fields: (t) => ({
    id: t.exposeID('tokenId'),
    username: t.exposeString('username'),
    name: t.exposeString('name'),
    createdAt: t.field({ type: LongScalar, resolve: (r) => r.createdAt }),
    expiresAt: t.field({ type: LongScalar, nullable: true, resolve: (r) => r.expiresAt ?? null }),
    revokedAt: t.field({ type: LongScalar, nullable: true, resolve: (r) => r.revokedAt ?? null }),
  }),
});

const CreatedApiTokenType = builder.objectRef<{ token: string; apiToken: ApiTokenRow }>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret: send it as `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN). Shown this once only.' }),
    apiToken: t.field({ type: ApiTokenType, resolve: (c) => c.apiToken }),
  }),
});

const PermissionType = builder.objectRef<PermissionRow>('Permission').implement({
  description: "One user's explicit grant on an experiment or registered model (the creator's MANAGE included).",
  fields: (t) => ({
    username: t.exposeString('username'),
    permission: t.field({ type: PermissionLevelEnum, resolve: (p) => p.permission }),
  }),
});

const DeletedUserType = builder.objectRef<{ username: string }>('DeletedUser').implement({ fields: (t) => ({ username: t.exposeString('username') }) });

/** Every explicit grant on one resource, as a mutation answers it. */
const GrantsType = builder.objectRef<{ permissions: PermissionRow[] }>('Grants').implement({
  fields: (t) => ({ permissions: t.field({ type: [PermissionType], resolve: (g) => g.permissions }) }),
});

interface Me {
  access: Access;
}

const MeType = builder.objectRef<Me>('Me').implement({
  description: 'Who this request acts as: the actor on every event it causes.',
  fields: (t) => ({
    username: t.string({ resolve: (m) => m.access.actor }),
    isAdmin: t.boolean({ resolve: (m) => m.access.isAdmin }),
    authenticationEnabled: t.boolean({ description: 'false: the server runs without authentication, everyone is this local user.', resolve: (m) => m.access.authenticated }),
    defaultPermission: t.field({ type: PermissionLevelEnum, description: 'What users hold where they have no explicit grant.', resolve: (m) => m.access.defaultPermission }),
    experimentPermissions: t.field({
      type: [ExperimentGrantType],
      description: 'This user\'s explicit grants on experiments.',
      resolve: (m, _a, ctx) => experimentPermissionsOfUser(ctx.readDb, m.access.actor),
    }),
    registeredModelPermissions: t.field({
      type: [ModelGrantType],
      description: 'This user\'s explicit grants on registered models.',
      resolve: (m, _a, ctx) => modelPermissionsOfUser(ctx.readDb, m.access.actor),
    }),
  }),
});

const ExperimentGrantType = builder.objectRef<PermissionRow>('ExperimentGrant').implement({
  fields: (t) => ({
    experimentId: t.exposeID('resourceId'),
    permission: t.field({ type: PermissionLevelEnum, resolve: (p) => p.permission }),
  }),
});

const ModelGrantType = builder.objectRef<PermissionRow>('RegisteredModelGrant').implement({
  fields: (t) => ({
    modelId: t.exposeID('resourceId', { description: "The model's stable id (a rename keeps its grants)." }),
    permission: t.field({ type: PermissionLevelEnum, resolve: (p) => p.permission }),
  }),
});

/** A user acting on their own account, or an admin on anyone's. */
function selfOrAdmin(ctx: GraphQLContext, username: string, what: string): void {
  if (username !== ctx.actor) ctx.access.requireAdmin(what);
}

async function modelIdOf(ctx: GraphQLContext, name: string): Promise<string> {
  const model = await findRegisteredModel(ctx.readDb, name);
  if (!model) throw notFound('name', `Registered Model with name=${name} not found`);
  return model.modelId;
}

async function existingUser(ctx: GraphQLContext, username: string): Promise<UserRow> {
  const user = await findUser(ctx.readDb, username);
  if (!user) throw notFound('username', `User '${username}' does not exist.`);
  return user;
}

builder.queryFields((t) => ({
  me: t.field({ type: MeType, resolve: (_r, _a, ctx) => ({ access: ctx.access }) }),
  users: t.field({ type: [UserType], description: 'Admins only.', resolve: (_r, _a, ctx) => listUsers(ctx.readDb) }),
  apiTokens: t.field({
    type: [ApiTokenType],
    description: "Your tokens (an admin may name another user's), revoked ones included.",
    args: { username: t.arg.string() },
    resolve: (_r, { username }, ctx) => {
      const whose = username ?? ctx.actor;
      selfOrAdmin(ctx, whose, "list another user's tokens");
      return listTokens(ctx.readDb, whose);
    },
  }),
  experimentPermissions: t.field({
    type: [PermissionType],
    description: 'Explicit grants on an experiment (needs MANAGE on it).',
    args: { experimentId: t.arg.id({ required: true }) },
    resolve: (_r, { experimentId }, ctx) => permissionsOnExperiment(ctx.readDb, String(experimentId)),
  }),
  registeredModelPermissions: t.field({
    type: [PermissionType],
    description: 'Explicit grants on a registered model (needs MANAGE on it).',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_r, { name }, ctx) => permissionsOnModel(ctx.readDb, await modelIdOf(ctx, name)),
  }),
}));

builder.mutationFields((t) => ({
  createUser: t.field({
    type: UserType,
    errors: {},
    description: 'Admins only. Passwords are kept as salted scrypt hashes.',
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }), isAdmin: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_r, args, ctx) => {
      await ctx.identity.createUser({ username: args.username, password: args.password, isAdmin: args.isAdmin ?? false }, commandContext(ctx.actor));
      return existingUser(ctx, args.username);
    },
  }),
  deleteUser: t.field({
    type: DeletedUserType,
    errors: {},
    description: 'Admins only. The user\'s tokens and grants end with it.',
    args: { username: t.arg.string({ required: true }) },
    resolve: async (_r, { username }, ctx) => {
      await ctx.identity.deleteUser(username, commandContext(ctx.actor));
      return { username };
    },
  }),
  setUserAdmin: t.field({
    type: UserType,
    errors: {},
    args: { username: t.arg.string({ required: true }), isAdmin: t.arg.boolean({ required: true }) },
    resolve: async (_r, { username, isAdmin }, ctx) => {
      await ctx.identity.setAdmin(username, isAdmin, commandContext(ctx.actor));
      return existingUser(ctx, username);
    },
  }),
  changePassword: t.field({
    type: UserType,
    errors: {},
    description: 'Your own password, or (admins) anyone\'s.',
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_r, { username, password }, ctx) => {
      selfOrAdmin(ctx, username, "change another user's password");
      await ctx.identity.changePassword(username, password, commandContext(ctx.actor));
      return existingUser(ctx, username);
    },
  }),
  createApiToken: t.field({
    type: CreatedApiTokenType,
    errors: {},
    description: 'A token for yourself (admins: for anyone). The secret is in the answer and nowhere else.',
    args: { name: t.arg.string({ required: true }), username: t.arg.string(), expiresAt: t.arg({ type: LongScalar, description: 'Epoch milliseconds; never when omitted.' }) },
    resolve: async (_r, args, ctx) => {
      const username = args.username ?? ctx.actor;
      selfOrAdmin(ctx, username, 'create tokens for another user');
      const created = await ctx.identity.createToken({ username, name: args.name, expiresAt: args.expiresAt ?? undefined }, commandContext(ctx.actor));
      const apiToken = (await listTokens(ctx.readDb, username)).find((row) => row.tokenId === created.tokenId);
      if (!apiToken) throw invalid('name', 'The token was stored but is not readable yet; list your tokens to see it.');
      return { token: created.token, apiToken };
    },
  }),
  revokeApiToken: t.field({
    type: ApiTokenType,
    errors: {},
    description: 'Refused from the next request on. Your own tokens, or (admins) anyone\'s.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const tokenId = String(id);
      await ctx.identity.revokeToken(tokenId, ctx.access.isAdmin ? undefined : ctx.actor, commandContext(ctx.actor));
      const [row] = (await listTokens(ctx.readDb)).filter((r) => r.tokenId === tokenId);
      if (!row) throw notFound('id', `Token '${tokenId}' does not exist.`);
      return row;
    },
  }),
  setExperimentPermission: t.field({
    type: GrantsType,
    errors: {},
    description: 'Grants a user a level on an experiment (needs MANAGE on it); answers every grant on it.',
    args: { experimentId: t.arg.id({ required: true }), username: t.arg.string({ required: true }), permission: t.arg({ type: PermissionLevelEnum, required: true }) },
    resolve: async (_r, args, ctx) => {
      await ctx.identity.setExperimentPermission(String(args.experimentId), args.username, args.permission, commandContext(ctx.actor));
      return { permissions: await permissionsOnExperiment(ctx.readDb, String(args.experimentId)) };
    },
  }),
  deleteExperimentPermission: t.field({
    type: GrantsType,
    errors: {},
    description: "Removes a user's grant (they fall back to the default).",
    args: { experimentId: t.arg.id({ required: true }), username: t.arg.string({ required: true }) },
    resolve: async (_r, args, ctx) => {
      await ctx.identity.deleteExperimentPermission(String(args.experimentId), args.username, commandContext(ctx.actor));
      return { permissions: await permissionsOnExperiment(ctx.readDb, String(args.experimentId)) };
    },
  }),
  setRegisteredModelPermission: t.field({
    type: GrantsType,
    errors: {},
    args: { name: t.arg.string({ required: true }), username: t.arg.string({ required: true }), permission: t.arg({ type: PermissionLevelEnum, required: true }) },
    resolve: async (_r, args, ctx) => {
      await ctx.identity.setModelPermission(args.name, args.username, args.permission, commandContext(ctx.actor));
      return { permissions: await permissionsOnModel(ctx.readDb, await modelIdOf(ctx, args.name)) };
    },
  }),
  deleteRegisteredModelPermission: t.field({
    type: GrantsType,
    errors: {},
    args: { name: t.arg.string({ required: true }), username: t.arg.string({ required: true }) },
    resolve: async (_r, args, ctx) => {
      await ctx.identity.deleteModelPermission(args.name, args.username, commandContext(ctx.actor));
      return { permissions: await permissionsOnModel(ctx.readDb, await modelIdOf(ctx, args.name)) };
    },
  }),
}));
