import { openDirectTrackingReader } from './directTrackingReader.ts';
import { HttpTrackingReader } from './httpTrackingReader.ts';
import type { TrackingReader } from './trackingReader.ts';

export interface TrackingSourceOptions {
  dataDir: string;
  trackingUri?: string;
  /** For direct reads: postgres or esdb, as for serve. */
  eventStore?: string;
}

/**
 * A server when one is named (--tracking-uri, else MLFLOW_TRACKING_URI, as the
 * mlflow CLI does), else the database itself (DATABASE_URL or the data folder).
 */
export async function openTrackingReader(options: TrackingSourceOptions): Promise<TrackingReader> {
  const trackingUri = options.trackingUri || process.env.MLFLOW_TRACKING_URI || undefined;
  if (trackingUri === undefined) return openDirectTrackingReader({ dataDir: options.dataDir, eventStore: options.eventStore });
  if (!/^https?:\/\//i.test(trackingUri)) {
    throw new Error(`Only http(s) tracking URIs are supported, got '${trackingUri}' (from ${options.trackingUri ? '--tracking-uri' : 'MLFLOW_TRACKING_URI'}).`);
  }
  return new HttpTrackingReader(trackingUri);
}

/** Opens a reader, runs fn with it, and closes it whatever happens. */
export async function withTrackingReader<T>(options: TrackingSourceOptions, fn: (reader: TrackingReader) => Promise<T>): Promise<T> {
  const reader = await openTrackingReader(options);
  try {
    return await fn(reader);
  } finally {
    await reader.close();
  }
}
