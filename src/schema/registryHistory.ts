import type { TransitionRequestRow } from '../projections/registryApprovalsReadModel.ts';
import { auditKindNames, type AuditChange, type AuditEntry } from '../registry/history/auditEntry.ts';
import { parseInstant } from '../registry/history/instant.ts';
import { isStale, versionsInStage, type ModelSnapshot, type VersionSnapshot } from '../registry/history/modelSnapshot.ts';
import type { AuditPage } from '../registry/history/registryHistory.ts';
import type { ChainBreak } from '../registry/hashChain.ts';
import type { RegistryChainReport } from '../registry/verifyRegistryChains.ts';
import { TransitionRequestStatusEnum, TransitionRequestType } from './approvals.ts';
import { builder } from './builder.ts';
import { TagType } from './keyValue.ts';
import { ModelStageEnum } from './modelVersion.ts';
import { PageInfo } from './paging.ts';
import { LongScalar } from './scalars.ts';

export const AuditKindEnum = builder.enumType('AuditKind', { values: auditKindNames, description: 'What an audit entry records: one kind per registry event type.' });

const AuditChangeType = builder.objectRef<AuditChange>('AuditChange').implement({
  description: 'One field before → after; null before means it did not exist yet, null after that it stopped existing.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'name, description, tag.<key>, stage, source, alias.<alias>, approvalRequiredStages or request.<id>.status.' }),
    version: t.int({ nullable: true, resolve: (c) => c.version ?? null }),
    before: t.string({ nullable: true, resolve: (c) => c.before }),
    after: t.string({ nullable: true, resolve: (c) => c.after }),
  }),
});

export const AuditEntryType = builder.objectRef<AuditEntry>('AuditEntry').implement({
  description: 'One change of a registered model, read from its event: who, when, what before → after, and why.',
  fields: (t) => ({
    cursor: t.exposeString('position', { description: "The event's global position: pass as `after` to continue from here." }),
    eventId: t.exposeString('eventId'),
    streamId: t.exposeString('streamId'),
    revision: t.exposeInt('revision'),
    eventType: t.exposeString('eventType'),
    kind: t.field({ type: AuditKindEnum, resolve: (e) => e.kind }),
    modelId: t.exposeString('modelId'),
    modelName: t.exposeString('modelName', { description: 'The name the model had then.' }),
    version: t.int({ nullable: true, resolve: (e) => e.version ?? null }),
    versions: t.exposeIntList('versions', { description: 'Every version the change touched.' }),
    actor: t.exposeString('actor'),
    recordedAt: t.exposeString('recordedAt', { description: 'ISO-8601 instant.' }),
    changes: t.field({ type: [AuditChangeType], resolve: (e) => e.changes }),
    comment: t.string({ nullable: true, resolve: (e) => e.comment ?? null }),
    requestId: t.int({ nullable: true, resolve: (e) => e.requestId ?? null }),
    requestedBy: t.string({ nullable: true, resolve: (e) => e.requestedBy ?? null }),
    causationId: t.string({ nullable: true, description: 'The event this one followed from (a transition names the approval that caused it).', resolve: (e) => e.causationId ?? null }),
    correlationId: t.exposeString('correlationId'),
    hash: t.string({ nullable: true, resolve: (e) => e.hash ?? null }),
    prevHash: t.string({ nullable: true, resolve: (e) => e.prevHash ?? null }),
    summary: t.exposeString('summary'),
  }),
});

const AuditTrailType = builder.objectRef<AuditPage>('AuditTrail').implement({
  fields: (t) => ({
    modelId: t.exposeString('modelId'),
    nodes: t.field({ type: [AuditEntryType], resolve: (page) => page.entries }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page }),
  }),
});

/** A model as of an instant, with the instant asked about. */
interface AsOf {
  model: ModelSnapshot;
  at: Date;
}

interface VersionAsOf extends AsOf {
  version: VersionSnapshot;
}

const tagsOf = (tags: Map<string, string>) => [...tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));
const versionAsOf = (asOf: AsOf, version: VersionSnapshot | undefined): VersionAsOf | null => (version ? { ...asOf, version } : null);

function requestRows(model: ModelSnapshot): TransitionRequestRow[] {
  return [...model.requests.values()].map((r) => ({ ...r, modelId: model.modelId, name: model.name ?? '', stale: isStale(model, r) }));
}

const ModelVersionAsOfType = builder.objectRef<VersionAsOf>('ModelVersionAsOf').implement({
  description: 'A model version as it was at an instant, folded from the events.',
  fields: (t) => ({
    name: t.string({ resolve: (v) => v.model.name ?? '' }),
    version: t.int({ resolve: (v) => v.version.version }),
    currentStage: t.field({ type: ModelStageEnum, description: 'The stage at that instant.', resolve: (v) => v.version.stage }),
    description: t.string({ resolve: (v) => v.version.description }),
    tags: t.field({ type: [TagType], resolve: (v) => tagsOf(v.version.tags) }),
    aliases: t.stringList({ resolve: (v) => [...v.model.aliases].filter(([, n]) => n === v.version.version).map(([alias]) => alias).sort() }),
    source: t.string({ resolve: (v) => v.version.source }),
    downloadUri: t.string({ resolve: (v) => v.version.storageLocation }),
    runId: t.string({ nullable: true, resolve: (v) => v.version.runId ?? null }),
    userId: t.string({ resolve: (v) => v.version.createdBy }),
    creationTimestamp: t.field({ type: LongScalar, resolve: (v) => v.version.creationTime }),
    lastUpdatedTimestamp: t.field({ type: LongScalar, resolve: (v) => v.version.lastUpdatedTime }),
  }),
});

const AliasAsOfType = builder.objectRef<{ alias: string; version: number }>('ModelAliasAsOf').implement({
  fields: (t) => ({ alias: t.exposeString('alias'), version: t.exposeInt('version') }),
});

const RegisteredModelAsOfType = builder.objectRef<AsOf>('RegisteredModelAsOf').implement({
  description: 'A registered model as it was at an instant: folded from its events recorded up to then, not read from the current tables.',
  fields: (t) => ({
    id: t.id({ resolve: (m) => m.model.modelId }),
    name: t.string({ description: 'The name it had then.', resolve: (m) => m.model.name ?? '' }),
    asOf: t.string({ description: 'The instant asked about (ISO-8601).', resolve: (m) => m.at.toISOString() }),
    lastChangeAt: t.string({ nullable: true, description: 'When the last change up to that instant was recorded.', resolve: (m) => m.model.lastRecordedAt ?? null }),
    lastCursor: t.string({ nullable: true, description: "That change's position: audit entries after it happened later.", resolve: (m) => m.model.lastPosition ?? null }),
    description: t.string({ resolve: (m) => m.model.description }),
    tags: t.field({ type: [TagType], resolve: (m) => tagsOf(m.model.tags) }),
    approvalRequiredStages: t.field({ type: [ModelStageEnum], resolve: (m) => m.model.approvalRequiredStages }),
    aliases: t.field({ type: [AliasAsOfType], resolve: (m) => [...m.model.aliases].map(([alias, version]) => ({ alias, version })).sort((a, b) => (a.alias < b.alias ? -1 : 1)) }),
    versions: t.field({ type: [ModelVersionAsOfType], resolve: (m) => [...m.model.versions.values()].sort((a, b) => a.version - b.version).map((v) => ({ ...m, version: v })) }),
    versionsInStage: t.field({
      type: [ModelVersionAsOfType],
      description: 'The versions in a stage then, highest first: "which version was in Production?"',
      args: { stage: t.arg({ type: ModelStageEnum, required: true }) },
      resolve: (m, { stage }) => versionsInStage(m.model, stage).map((v) => ({ ...m, version: v })),
    }),
    versionByAlias: t.field({
      type: ModelVersionAsOfType,
      nullable: true,
      description: 'The version an alias pointed at then: "which version held champion?"',
      args: { alias: t.arg.string({ required: true }) },
      resolve: (m, { alias }) => {
        const number = m.model.aliases.get(alias);
        return number === undefined ? null : versionAsOf(m, m.model.versions.get(number));
      },
    }),
    modelVersion: t.field({
      type: ModelVersionAsOfType,
      nullable: true,
      args: { version: t.arg.int({ required: true }) },
      resolve: (m, { version }) => versionAsOf(m, m.model.versions.get(version)),
    }),
    transitionRequests: t.field({
      type: [TransitionRequestType],
      description: 'Requests made up to then, with their status then (modelVersion on each shows the version as it is now).',
      args: { status: t.arg({ type: TransitionRequestStatusEnum }) },
      resolve: (m, { status }) => requestRows(m.model).filter((r) => !status || r.status === status),
    }),
  }),
});

const ChainBreakType = builder.objectRef<ChainBreak>('ChainBreak').implement({
  description: 'The first event of a stream that does not fit its hash chain.',
  fields: (t) => ({
    streamId: t.string({ resolve: (b) => b.event.streamId }),
    revision: t.int({ resolve: (b) => b.event.revision }),
    eventId: t.string({ resolve: (b) => b.event.metadata.eventId }),
    eventType: t.string({ resolve: (b) => b.event.type }),
    position: t.string({ resolve: (b) => b.event.position }),
    reason: t.exposeString('reason'),
  }),
});

const ChainReportType = builder.objectRef<RegistryChainReport>('RegistryChainReport').implement({
  fields: (t) => ({
    ok: t.boolean({ resolve: (r) => r.breaks.length === 0 }),
    streams: t.exposeInt('streams'),
    events: t.exposeInt('events'),
    breaks: t.field({ type: [ChainBreakType], resolve: (r) => r.breaks }),
  }),
});

builder.queryFields((t) => ({
  registryAuditTrail: t.field({
    type: AuditTrailType,
    errors: {},
    description:
      'Every change of a registered model (or of one version) in log order, read from its events: actor, time, kind, before → after, comment. ' +
      'A deleted model is found by its last name. since is inclusive, until exclusive; page with first/after (after = an entry cursor).',
    args: {
      name: t.arg.string({ required: true }),
      version: t.arg.int(),
      since: t.arg.string({ description: 'ISO-8601; UTC when no offset is given.' }),
      until: t.arg.string({ description: 'ISO-8601; UTC when no offset is given.' }),
      kinds: t.arg({ type: [AuditKindEnum] }),
      first: t.arg.int({ defaultValue: 100 }),
      after: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      ctx.registry.history.auditTrail({
        name: args.name,
        version: args.version ?? undefined,
        since: args.since ? parseInstant('since', args.since) : undefined,
        until: args.until ? parseInstant('until', args.until) : undefined,
        kinds: args.kinds ?? [],
        first: args.first ?? 100,
        after: args.after ?? undefined,
      }),
  }),
  registeredModelAsOf: t.field({
    type: RegisteredModelAsOfType,
    nullable: true,
    errors: {},
    description: 'The model that had this name at the instant, as it was then (null if no model had the name then). Folded from the events, not the current tables.',
    args: { name: t.arg.string({ required: true }), at: t.arg.string({ required: true, description: 'ISO-8601, e.g. 2026-03-01T12:00Z; UTC when no offset is given.' }) },
    resolve: async (_root, { name, at }, ctx) => {
      const instant = parseInstant('at', at);
      const model = await ctx.registry.history.modelAsOf(name, instant);
      return model ? { model, at: instant } : null;
    },
  }),
  modelVersionAsOf: t.field({
    type: ModelVersionAsOfType,
    nullable: true,
    errors: {},
    description: 'One version as it was at the instant (null if it did not exist then).',
    args: { name: t.arg.string({ required: true }), version: t.arg.int({ required: true }), at: t.arg.string({ required: true }) },
    resolve: async (_root, { name, version, at }, ctx) => {
      const instant = parseInstant('at', at);
      const model = await ctx.registry.history.modelAsOf(name, instant);
      return model ? versionAsOf({ model, at: instant }, model.versions.get(version)) : null;
    },
  }),
  registryChainVerification: t.field({
    type: ChainReportType,
    description: "Recomputes every registry stream's hash chain on the server. For an independent check, run `mlledger audit verify` against the database.",
    resolve: async (_root, _args, ctx) => ctx.registry.history.verifyChains(),
  }),
}));
