import type { Access } from './access.ts';
import type { RequiredLevel } from './permissionLevel.ts';

/**
 * What each root field of the GraphQL API requires, checked before it resolves.
 * Reads need only name their entry point: every object a field returns is checked
 * again by what it belongs to (see resultGuard.ts), so lists come back filtered.
 * A root field missing here is refused to everyone but admins, and a test fails
 * until it is added: add one line when you add a field.
 */
export type FieldRule = (args: Readonly<Record<string, unknown>>, access: Access) => Promise<void> | void;

/** Any authenticated user; what comes back is still filtered by READ. */
export const anyUser: FieldRule = () => {};

export const adminOnly =
  (what: string): FieldRule =>
  (_args, access) =>
    access.requireAdmin(what);

/** A value at a dotted path of the arguments ('input.runId'). */
function argAt(args: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = args;
  for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

const each = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);

export const onExperiment =
  (path: string, level: RequiredLevel): FieldRule =>
  async (args, access) => {
    for (const id of each(argAt(args, path))) await access.requireExperiment(id, level);
  };

export const onRun =
  (path: string, level: RequiredLevel): FieldRule =>
  async (args, access) => {
    for (const id of each(argAt(args, path))) await access.requireRun(id, level);
  };

export const onModel =
  (path: string, level: RequiredLevel): FieldRule =>
  async (args, access) => {
    for (const name of each(argAt(args, path))) await access.requireRegisteredModel(name, level);
  };

export const onMonitor =
  (path: string, level: RequiredLevel): FieldRule =>
  async (args, access) => {
    for (const id of each(argAt(args, path))) await access.requireMonitor(id, level);
  };

export const all =
  (...rules: FieldRule[]): FieldRule =>
  async (args, access) => {
    for (const rule of rules) await rule(args, access);
  };

/** A model version may be registered only from a run (or logged model) the caller can read. */
const onVersionSource: FieldRule = async (args, access) => {
  const source = argAt(args, 'input.source');
  const run = typeof source === 'string' ? /^runs:\/([0-9a-f]{32})(\/|$)/.exec(source)?.[1] : undefined;
  for (const runId of [...each(argAt(args, 'input.runId')), ...(run ? [run] : [])]) await access.requireRun(runId, 'READ');
  const logged = typeof source === 'string' ? /^models:\/(m-[0-9a-f]+)(\/|$)/.exec(source)?.[1] : undefined;
  if (logged) await access.requireLoggedModel(logged, 'READ');
};

/** What freezing a reference profile needs, for freezeReferenceProfile itself and for mutations that carry one. */
const freezesProfile = onModel('model', 'EDIT');

/**
 * A registry mutation that may carry a `referenceProfile` (the model named at
 * `modelPath`) needs, when it does, what freezeReferenceProfile needs as well.
 */
const withReferenceProfile =
  (modelPath: string, rule: FieldRule): FieldRule =>
  async (args, access) => {
    await rule(args, access);
    if (args.referenceProfile !== undefined && args.referenceProfile !== null) await freezesProfile({ model: argAt(args, modelPath) }, access);
  };

export const queryRules: Record<string, FieldRule> = {
  experiment: onExperiment('id', 'READ'),
  experimentByName: anyUser,
  experiments: anyUser,
  run: onRun('id', 'READ'),
  searchRuns: onExperiment('experimentIds', 'READ'),
  metricSeries: onRun('runIds', 'READ'),
  compareRuns: onRun('runIds', 'READ'),
  trackingCursor: anyUser,
  registryCursor: anyUser,
  registeredModel: onModel('name', 'READ'),
  registeredModels: anyUser,
  modelVersion: onModel('name', 'READ'),
  modelVersionByAlias: onModel('name', 'READ'),
  searchModelVersions: anyUser,
  transitionRequests: onModel('name', 'READ'),
  registryAuditTrail: onModel('name', 'READ'),
  registeredModelAsOf: onModel('name', 'READ'),
  modelVersionAsOf: onModel('name', 'READ'),
  registryChainVerification: adminOnly('verify every hash chain of the registry'),
  modelMonitoring: onModel('model', 'READ'),
  monitors: onModel('model', 'READ'),
  monitor: onMonitor('id', 'READ'),
  alertHistory: all(onModel('model', 'READ'), onMonitor('monitorId', 'READ')),
  monitoringWebhooks: adminOnly('see monitoring webhooks (they hold signing secrets)'),
  me: anyUser,
  users: adminOnly('list users'),
  apiTokens: anyUser,
  experimentPermissions: onExperiment('experimentId', 'MANAGE'),
  registeredModelPermissions: onModel('name', 'MANAGE'),
};

export const mutationRules: Record<string, FieldRule> = {
  createExperiment: anyUser,
  renameExperiment: onExperiment('id', 'EDIT'),
  setExperimentTag: onExperiment('experimentId', 'EDIT'),
  deleteExperimentTag: onExperiment('experimentId', 'EDIT'),
  deleteExperiment: onExperiment('id', 'MANAGE'),
  restoreExperiment: onExperiment('id', 'MANAGE'),
  createRun: onExperiment('input.experimentId', 'EDIT'),
  updateRun: onRun('input.runId', 'EDIT'),
  deleteRun: onRun('id', 'MANAGE'),
  restoreRun: onRun('id', 'MANAGE'),
  logParam: onRun('runId', 'EDIT'),
  logMetric: onRun('runId', 'EDIT'),
  logMetrics: onRun('runId', 'EDIT'),
  setTag: onRun('runId', 'EDIT'),
  deleteTag: onRun('runId', 'EDIT'),
  logBatch: onRun('runId', 'EDIT'),
  createRegisteredModel: anyUser,
  renameRegisteredModel: onModel('name', 'EDIT'),
  updateRegisteredModel: onModel('name', 'EDIT'),
  setRegisteredModelTag: onModel('name', 'EDIT'),
  deleteRegisteredModelTag: onModel('name', 'EDIT'),
  setRegisteredModelAlias: onModel('name', 'EDIT'),
  deleteRegisteredModelAlias: onModel('name', 'EDIT'),
  deleteRegisteredModel: onModel('name', 'MANAGE'),
  createModelVersion: withReferenceProfile('input.name', all(onModel('input.name', 'EDIT'), onVersionSource)),
  updateModelVersion: onModel('name', 'EDIT'),
  setModelVersionTag: onModel('name', 'EDIT'),
  deleteModelVersionTag: onModel('name', 'EDIT'),
  transitionModelVersionStage: withReferenceProfile('name', onModel('name', 'EDIT')),
  deleteModelVersion: onModel('name', 'MANAGE'),
  requestModelVersionStageTransition: onModel('name', 'EDIT'),
  approveTransitionRequest: withReferenceProfile('name', onModel('name', 'MANAGE')),
  rejectTransitionRequest: onModel('name', 'MANAGE'),
  setModelApprovalPolicy: onModel('name', 'MANAGE'),
  logPredictions: onModel('model', 'EDIT'),
  logGroundTruth: onModel('model', 'EDIT'),
  freezeReferenceProfile: freezesProfile,
  createMonitor: onModel('input.model', 'EDIT'),
  deleteMonitor: onMonitor('id', 'EDIT'),
  evaluateMonitors: (args, access) => (args.model === undefined || args.model === null ? access.requireAdmin('evaluate the monitors of every model') : onModel('model', 'EDIT')(args, access)),
  registerMonitoringWebhook: adminOnly('register monitoring webhooks'),
  removeMonitoringWebhook: adminOnly('remove monitoring webhooks'),
  // Identity: the resolvers check self-or-admin themselves (see src/schema/identity.ts).
  createUser: adminOnly('create users'),
  deleteUser: adminOnly('delete users'),
  setUserAdmin: adminOnly('make or unmake admins'),
  changePassword: anyUser,
  createApiToken: anyUser,
  revokeApiToken: anyUser,
  setExperimentPermission: onExperiment('experimentId', 'MANAGE'),
  deleteExperimentPermission: onExperiment('experimentId', 'MANAGE'),
  setRegisteredModelPermission: onModel('name', 'MANAGE'),
  deleteRegisteredModelPermission: onModel('name', 'MANAGE'),
};

/** Subscriptions are checked when they start; every payload is checked again before it is sent. */
export const subscriptionRules: Record<string, FieldRule> = {
  runMetrics: onRun('runIds', 'READ'),
  runStatusChanges: onRun('runIds', 'READ'),
  newRuns: onExperiment('experimentId', 'READ'),
  modelStageChanges: onModel('name', 'READ'),
  modelAliasChanges: onModel('name', 'READ'),
  registryAuditTrail: onModel('name', 'READ'),
  monitoringAlerts: all(onModel('model', 'READ'), onMonitor('monitorIds', 'READ')),
};

export const rootRules = { Query: queryRules, Mutation: mutationRules, Subscription: subscriptionRules } as const;
