import type { IdentityService } from '../auth/identityService.ts';
import { isPermissionLevel, PERMISSION_LEVELS, type PermissionLevel } from '../auth/permissionLevel.ts';
import { findUser } from '../projections/identityUsersReadModel.ts';
import { findRegisteredModel } from '../projections/registryModelsReadModel.ts';
import { experimentPermission, experimentPermissionsOfUser, modelPermission, modelPermissionsOfUser } from '../projections/resourcePermissionsReadModel.ts';
import { alreadyExists, notFound } from '../tracking/domainError.ts';
import { invalidParameter, MlflowError } from './mlflowErrors.ts';
import type { JsonObject } from './mlflowJson.ts';
import { route, type Endpoint, type EndpointContext, type MlflowRoute } from './mlflowRoute.ts';
import type { RequestFields } from './requestFields.ts';

/**
 * MLflow's basic-auth API (mlflow.server.auth): users, and per-experiment and
 * per-registered-model permissions, with MLflow's paths and JSON. Who may call each
 * is in src/auth/restPolicy.ts. `user_id` in answers is the user name (this server
 * has no numeric user ids).
 */
function identityOf(ctx: EndpointContext): IdentityService {
  if (!ctx.identity) throw new MlflowError('NOT_IMPLEMENTED', 'User management is not enabled on this server.');
  return ctx.identity;
}

function permissionOf(fields: RequestFields): PermissionLevel {
  const value = fields.requiredString('permission');
  if (!isPermissionLevel(value)) throw invalidParameter(`Invalid permission '${value}'; expected one of ${PERMISSION_LEVELS.join(', ')}.`);
  return value;
}

async function userJson(ctx: EndpointContext, username: string): Promise<JsonObject> {
  const user = await findUser(ctx.readDb, username);
  if (!user) throw notFound('username', `User with username=${username} not found`);
  const experiments = await experimentPermissionsOfUser(ctx.readDb, username);
  const models = await modelPermissionsOfUser(ctx.readDb, username);
  return {
    username: user.username,
    is_admin: user.isAdmin,
    experiment_permissions: experiments.map((p) => ({ experiment_id: p.resourceId, user_id: username, permission: p.permission })),
    registered_model_permissions: models.filter((p) => p.name !== undefined).map((p) => ({ name: p.name, user_id: username, permission: p.permission })),
  };
}

const createUser: Endpoint = async (fields, ctx) => {
  const username = fields.requiredString('username');
  await identityOf(ctx).createUser({ username, password: fields.requiredString('password') }, ctx.command());
  return { user: await userJson(ctx, username) };
};

const getUser: Endpoint = async (fields, ctx) => ({ user: await userJson(ctx, fields.requiredString('username')) });

const updatePassword: Endpoint = async (fields, ctx) => {
  await identityOf(ctx).changePassword(fields.requiredString('username'), fields.requiredString('password'), ctx.command());
  return {};
};

const updateAdmin: Endpoint = async (fields, ctx) => {
  const isAdmin = fields.optionalBoolean('is_admin');
  if (isAdmin === undefined) throw invalidParameter("Missing value for required parameter 'is_admin'.");
  await identityOf(ctx).setAdmin(fields.requiredString('username'), isAdmin, ctx.command());
  return {};
};

const deleteUser: Endpoint = async (fields, ctx) => {
  await identityOf(ctx).deleteUser(fields.requiredString('username'), ctx.command());
  return {};
};

async function heldOnExperiment(ctx: EndpointContext, fields: RequestFields) {
  const experimentId = fields.requiredString('experiment_id');
  const username = fields.requiredString('username');
  return { experimentId, username, held: /^\d{1,18}$/.test(experimentId) ? await experimentPermission(ctx.readDb, experimentId, username) : undefined };
}

const experimentPermissionJson = (experimentId: string, username: string, permission: string): JsonObject => ({
  experiment_permission: { experiment_id: experimentId, user_id: username, permission },
});

const createExperimentPermission: Endpoint = async (fields, ctx) => {
  const { experimentId, username, held } = await heldOnExperiment(ctx, fields);
  if (held) throw alreadyExists('username', `Experiment permission (experiment_id=${experimentId}, username=${username}) already exists.`);
  const permission = permissionOf(fields);
  await identityOf(ctx).setExperimentPermission(experimentId, username, permission, ctx.command());
  return experimentPermissionJson(experimentId, username, permission);
};

const getExperimentPermission: Endpoint = async (fields, ctx) => {
  const { experimentId, username, held } = await heldOnExperiment(ctx, fields);
  if (!held) throw notFound('username', `Experiment permission with experiment_id=${experimentId} and username=${username} not found`);
  return experimentPermissionJson(experimentId, username, held);
};

const updateExperimentPermission: Endpoint = async (fields, ctx) => {
  const { experimentId, username, held } = await heldOnExperiment(ctx, fields);
  if (!held) throw notFound('username', `Experiment permission with experiment_id=${experimentId} and username=${username} not found`);
  await identityOf(ctx).setExperimentPermission(experimentId, username, permissionOf(fields), ctx.command());
  return {};
};

const deleteExperimentPermission: Endpoint = async (fields, ctx) => {
  const { experimentId, username, held } = await heldOnExperiment(ctx, fields);
  if (!held) throw notFound('username', `Experiment permission with experiment_id=${experimentId} and username=${username} not found`);
  await identityOf(ctx).deleteExperimentPermission(experimentId, username, ctx.command());
  return {};
};

async function heldOnModel(ctx: EndpointContext, fields: RequestFields) {
  const name = fields.requiredString('name');
  const username = fields.requiredString('username');
  const model = await findRegisteredModel(ctx.readDb, name);
  if (!model) throw notFound('name', `Registered Model with name=${name} not found`);
  return { name, username, held: await modelPermission(ctx.readDb, model.modelId, username) };
}

const modelPermissionJson = (name: string, username: string, permission: string): JsonObject => ({
  registered_model_permission: { name, user_id: username, permission },
});

const createModelPermission: Endpoint = async (fields, ctx) => {
  const { name, username, held } = await heldOnModel(ctx, fields);
  if (held) throw alreadyExists('username', `Registered model permission (name=${name}, username=${username}) already exists.`);
  const permission = permissionOf(fields);
  await identityOf(ctx).setModelPermission(name, username, permission, ctx.command());
  return modelPermissionJson(name, username, permission);
};

const getModelPermission: Endpoint = async (fields, ctx) => {
  const { name, username, held } = await heldOnModel(ctx, fields);
  if (!held) throw notFound('username', `Registered model permission with name=${name} and username=${username} not found`);
  return modelPermissionJson(name, username, held);
};

const updateModelPermission: Endpoint = async (fields, ctx) => {
  const { name, username, held } = await heldOnModel(ctx, fields);
  if (!held) throw notFound('username', `Registered model permission with name=${name} and username=${username} not found`);
  await identityOf(ctx).setModelPermission(name, username, permissionOf(fields), ctx.command());
  return {};
};

const deleteModelPermission: Endpoint = async (fields, ctx) => {
  const { name, username, held } = await heldOnModel(ctx, fields);
  if (!held) throw notFound('username', `Registered model permission with name=${name} and username=${username} not found`);
  await identityOf(ctx).deleteModelPermission(name, username, ctx.command());
  return {};
};

export const permissionRoutes: MlflowRoute[] = [
  route('POST', 'users/create', createUser),
  route('GET', 'users/get', getUser),
  route('PATCH', 'users/update-password', updatePassword),
  route('PATCH', 'users/update-admin', updateAdmin),
  route('DELETE', 'users/delete', deleteUser),
  route('POST', 'experiments/permissions/create', createExperimentPermission),
  route('GET', 'experiments/permissions/get', getExperimentPermission),
  route('PATCH', 'experiments/permissions/update', updateExperimentPermission),
  route('DELETE', 'experiments/permissions/delete', deleteExperimentPermission),
  route('POST', 'registered-models/permissions/create', createModelPermission),
  route('GET', 'registered-models/permissions/get', getModelPermission),
  route('PATCH', 'registered-models/permissions/update', updateModelPermission),
  route('DELETE', 'registered-models/permissions/delete', deleteModelPermission),
];
