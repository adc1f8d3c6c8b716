import type { KeyValueRow } from '../projections/keyValueRows.ts';

/**
 * What the CLI's read commands need from a tracking store, whether they read
 * the read models directly or ask a running server over HTTP.
 */
export interface TrackingReader {
  listExperiments(view: LifecycleView): Promise<ExperimentSummary[]>;
  findExperimentByName(name: string): Promise<ExperimentSummary | undefined>;
  /** Runs in the order asked for (MLflow's default: newest first); filter and order use MLflow's search grammar. */
  searchRuns(query: RunQuery): Promise<RunSummary[]>;
  close(): Promise<void>;
}

export type LifecycleView = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface ExperimentSummary {
  experimentId: string;
  name: string;
  lifecycleStage: string;
  artifactLocation: string;
  creationTime: number;
}

export interface RunQuery {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  view: LifecycleView;
  maxResults: number;
}

export interface RunSummary {
  runId: string;
  experimentId: string;
  runName: string;
  status: string;
  lifecycleStage: string;
  artifactUri: string;
  startTime: number;
  endTime?: number;
  /** The latest value of each metric. */
  metrics: { key: string; value: number }[];
  params: KeyValueRow[];
  tags: KeyValueRow[];
}

/** A refused search, worded for the command line: the flag at fault, then the parser's own message. */
export function invalidSearchMessage(field: string, message: string): string {
  const flag = field === 'order_by' || field === 'orderBy' ? '--order-by' : field === 'filter' ? '--filter' : field;
  return `Invalid ${flag}: ${message}`;
}
