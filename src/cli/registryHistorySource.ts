import type { AuditPage, AuditQuery } from '../registry/history/registryHistory.ts';
import { openDirectRegistryHistory } from './directRegistryHistory.ts';
import { HttpRegistryHistory } from './httpRegistryHistory.ts';

/** A version as it was at an instant, as the CLI prints it. */
export interface VersionAsOfView {
  version: number;
  stage: string;
  aliases: string[];
  description: string;
  source: string;
}

/** A registered model as it was at an instant. */
export interface ModelAsOfView {
  modelId: string;
  name: string;
  /** The instant asked about. */
  at: string;
  /** When the last change up to that instant was recorded. */
  lastChangeAt: string | null;
  description: string;
  approvalRequiredStages: string[];
  aliases: { alias: string; version: number }[];
  versions: VersionAsOfView[];
}

export interface ChainBreakView {
  streamId: string;
  revision: number;
  eventId: string;
  eventType: string;
  position: string;
  reason: string;
}

export interface ChainReportView {
  streams: number;
  events: number;
  breaks: ChainBreakView[];
}

/** Where registry history comes from: the event store itself, or a server's GraphQL API. */
export interface RegistryHistorySource {
  auditTrail(query: AuditQuery): Promise<AuditPage>;
  modelAsOf(name: string, at: Date): Promise<ModelAsOfView | undefined>;
  verifyChains(): Promise<ChainReportView>;
  close(): Promise<void>;
}

export interface HistorySourceOptions {
  dataDir: string;
  trackingUri?: string;
  eventStore?: string;
}

/** A server when one is named (--tracking-uri, else MLFLOW_TRACKING_URI), else the event store directly. */
export async function withRegistryHistory<T>(options: HistorySourceOptions, fn: (source: RegistryHistorySource) => Promise<T>): Promise<T> {
  const trackingUri = options.trackingUri || process.env.MLFLOW_TRACKING_URI || undefined;
  if (trackingUri !== undefined && !/^https?:\/\//i.test(trackingUri)) {
    throw new Error(`Only http(s) tracking URIs are supported, got '${trackingUri}' (from ${options.trackingUri ? '--tracking-uri' : 'MLFLOW_TRACKING_URI'}).`);
  }
  const source = trackingUri ? new HttpRegistryHistory(trackingUri) : await openDirectRegistryHistory(options);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}
