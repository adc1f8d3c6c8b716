import { queryTrackingServer } from './trackingServerGraphQL.ts';
import { invalidSearchMessage, type ExperimentSummary, type LifecycleView, type RunQuery, type RunSummary, type TrackingReader } from './trackingReader.ts';

/** The server's page limits for experiments and runs; larger requests are split into pages. */
const EXPERIMENT_PAGE = 1000;
const RUN_PAGE = 1000;

interface Connection<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null };
}

type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

interface RunNode {
  id: string;
  experimentId: string;
  name: string;
  status: string;
  lifecycleStage: string;
  artifactUri: string;
  startTime: number;
  endTime: number | null;
  latestMetrics: { key: string; value: MetricValue }[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
}

const EXPERIMENT_FIELDS = 'id name lifecycleStage artifactLocation creationTime';

/** Reads through a running mlledger server's GraphQL API, so a server may keep its embedded data folder. */
export class HttpTrackingReader implements TrackingReader {
  constructor(private readonly trackingUri: string) {}

  async listExperiments(view: LifecycleView): Promise<ExperimentSummary[]> {
    const all: ExperimentSummary[] = [];
    let after: string | null = null;
    do {
      const data: { experiments: Connection<ExperimentNode> } = await this.query(
        `query($first: Int!, $after: String, $view: ViewType!) { experiments(first: $first, after: $after, viewType: $view) { nodes { ${EXPERIMENT_FIELDS} } pageInfo { endCursor } } }`,
        { first: EXPERIMENT_PAGE, after, view },
      );
      all.push(...data.experiments.nodes.map(toExperiment));
      after = data.experiments.pageInfo.endCursor;
    } while (after);
    return all;
  }

  async findExperimentByName(name: string): Promise<ExperimentSummary | undefined> {
    const data = await this.query<{ experimentByName: ExperimentNode | null }>(`query($name: String!) { experimentByName(name: $name) { ${EXPERIMENT_FIELDS} } }`, { name });
    return data.experimentByName ? toExperiment(data.experimentByName) : undefined;
  }

  async searchRuns(query: RunQuery): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    let after: string | null = null;
    do {
      const first = Math.min(RUN_PAGE, query.maxResults - runs.length);
      const data: { searchRuns: Connection<RunNode> } = await this.query(
        `query($ids: [ID!]!, $filter: String, $orderBy: [String!], $view: ViewType!, $first: Int!, $after: String) {
          searchRuns(experimentIds: $ids, filter: $filter, orderBy: $orderBy, viewType: $view, first: $first, after: $after) {
            nodes { id experimentId name status lifecycleStage artifactUri startTime endTime latestMetrics { key value } params { key value } tags { key value } }
            pageInfo { endCursor }
          }
        }`,
        { ids: query.experimentIds, filter: query.filter ?? null, orderBy: query.orderBy, view: query.view, first, after },
      );
      runs.push(...data.searchRuns.nodes.map(toRun));
      after = data.searchRuns.pageInfo.endCursor;
    } while (after && runs.length < query.maxResults);
    return runs;
  }

  async close(): Promise<void> {}

  private query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    return queryTrackingServer<T>(this.trackingUri, query, variables, (error) => {
      const field = error.extensions?.field;
      return field === 'filter' || field === 'orderBy' ? invalidSearchMessage(field, error.message) : error.message;
    });
  }
}

interface ExperimentNode {
  id: string;
  name: string;
  lifecycleStage: string;
  artifactLocation: string;
  creationTime: number;
}

function toExperiment(node: ExperimentNode): ExperimentSummary {
  return { experimentId: node.id, name: node.name, lifecycleStage: node.lifecycleStage, artifactLocation: node.artifactLocation, creationTime: node.creationTime };
}

function toRun(node: RunNode): RunSummary {
  return {
    runId: node.id,
    experimentId: node.experimentId,
    runName: node.name,
    status: node.status,
    lifecycleStage: node.lifecycleStage,
    artifactUri: node.artifactUri,
    startTime: node.startTime,
    endTime: node.endTime ?? undefined,
    metrics: node.latestMetrics.map((m) => ({ key: m.key, value: Number(m.value) })),
    params: node.params,
    tags: node.tags,
  };
}
