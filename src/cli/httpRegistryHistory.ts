import { queryTrackingServer } from './trackingServerGraphQL.ts';
import type { AuditEntry } from '../registry/history/auditEntry.ts';
import type { AuditPage, AuditQuery } from '../registry/history/registryHistory.ts';
import type { ChainReportView, ModelAsOfView, RegistryHistorySource } from './registryHistorySource.ts';

/** A typed DomainError result (every history query may answer one). */
interface DomainErrorNode {
  __typename: 'DomainError';
  message: string;
  field: string | null;
}

const ENTRY_FIELDS = `cursor eventId streamId revision eventType kind modelId modelName version versions actor recordedAt
  changes { field version before after } comment requestId requestedBy causationId correlationId hash prevHash summary`;

type EntryNode = Omit<AuditEntry, 'position' | 'version' | 'comment' | 'requestId' | 'requestedBy' | 'causationId' | 'hash' | 'prevHash' | 'changes'> & {
  cursor: string;
  version: number | null;
  comment: string | null;
  requestId: number | null;
  requestedBy: string | null;
  causationId: string | null;
  hash: string | null;
  prevHash: string | null;
  changes: { field: string; version: number | null; before: string | null; after: string | null }[];
};

interface AsOfNode {
  __typename: 'RegisteredModelAsOf';
  id: string;
  name: string;
  asOf: string;
  lastChangeAt: string | null;
  description: string;
  approvalRequiredStages: string[];
  aliases: { alias: string; version: number }[];
  versions: { version: number; currentStage: string; aliases: string[]; description: string; source: string }[];
}

/** Registry history through a running server's GraphQL API (the server reads its event store). */
export class HttpRegistryHistory implements RegistryHistorySource {
  constructor(private readonly trackingUri: string) {}

  async auditTrail(query: AuditQuery): Promise<AuditPage> {
    const data = await this.query<{ registryAuditTrail: DomainErrorNode | { __typename: 'AuditTrail'; modelId: string; nodes: EntryNode[]; pageInfo: { endCursor: string | null } } }>(
      `query($name: String!, $version: Int, $since: String, $until: String, $kinds: [AuditKind!], $first: Int, $after: String) {
        registryAuditTrail(name: $name, version: $version, since: $since, until: $until, kinds: $kinds, first: $first, after: $after) {
          __typename ... on DomainError { message field } ... on AuditTrail { modelId nodes { ${ENTRY_FIELDS} } pageInfo { endCursor } } } }`,
      {
        name: query.name,
        version: query.version,
        since: query.since?.toISOString(),
        until: query.until?.toISOString(),
        kinds: query.kinds?.map((k) => k.toUpperCase()),
        first: query.first,
        after: query.after,
      },
    );
    const trail = refusedOr(data.registryAuditTrail);
    return { modelId: trail.modelId, entries: trail.nodes.map(toEntry), endCursor: trail.pageInfo.endCursor ?? undefined };
  }

  async modelAsOf(name: string, at: Date): Promise<ModelAsOfView | undefined> {
    const data = await this.query<{ registeredModelAsOf: DomainErrorNode | AsOfNode | null }>(
      `query($name: String!, $at: String!) { registeredModelAsOf(name: $name, at: $at) { __typename ... on DomainError { message field }
        ... on RegisteredModelAsOf { id name asOf lastChangeAt description approvalRequiredStages aliases { alias version }
          versions { version currentStage aliases description source } } } }`,
      { name, at: at.toISOString() },
    );
    if (data.registeredModelAsOf === null) return undefined;
    const model = refusedOr(data.registeredModelAsOf);
    return {
      modelId: model.id,
      name: model.name,
      at: model.asOf,
      lastChangeAt: model.lastChangeAt,
      description: model.description,
      approvalRequiredStages: model.approvalRequiredStages,
      aliases: model.aliases,
      versions: model.versions.map((v) => ({ version: v.version, stage: v.currentStage, aliases: v.aliases, description: v.description, source: v.source })),
    };
  }

  async verifyChains(): Promise<ChainReportView> {
    const data = await this.query<{ registryChainVerification: ChainReportView }>(
      `{ registryChainVerification { streams events breaks { streamId revision eventId eventType position reason } } }`,
      {},
    );
    return data.registryChainVerification;
  }

  async close(): Promise<void> {}

  private query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    return queryTrackingServer<T>(this.trackingUri, query, variables);
  }
}

function refusedOr<T extends { __typename: string }>(result: DomainErrorNode | T): T {
  if (result.__typename === 'DomainError') throw new Error((result as DomainErrorNode).message);
  return result as T;
}

function toEntry(node: EntryNode): AuditEntry {
  const { cursor, version, comment, requestId, requestedBy, causationId, hash, prevHash, changes, ...rest } = node;
  return {
    ...rest,
    position: cursor,
    version: version ?? undefined,
    comment: comment ?? undefined,
    requestId: requestId ?? undefined,
    requestedBy: requestedBy ?? undefined,
    causationId: causationId ?? undefined,
    hash: hash ?? undefined,
    prevHash: prevHash ?? undefined,
    changes: changes.map((c) => ({ ...c, version: c.version ?? undefined })),
  };
}
