import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, reasonOf, withTimeout } from '../server/configError.ts';
import type { ArtifactStore } from './artifactStore.ts';
import { LocalArtifactStore } from './localArtifactStore.ts';
import { S3ArtifactStore, type S3ArtifactStoreOptions } from './s3ArtifactStore.ts';

/** Which store to use, from configuration (--artifacts, MLLEDGER_ARTIFACTS) rather than code. */
export type ArtifactStoreConfig = { kind: 'local'; root: string } | ({ kind: 's3' } & S3ArtifactStoreOptions);

export async function createArtifactStore(config: ArtifactStoreConfig): Promise<ArtifactStore> {
  return config.kind === 'local' ? LocalArtifactStore.open(config.root) : new S3ArtifactStore(config);
}

/**
 * Opens the configured store and proves it usable before the server takes a
 * request: the folder can be created, or the S3 endpoint answers and the bucket
 * exists. Failures name the setting (a ConfigError).
 */
export async function openConfiguredArtifactStore(config: ArtifactStoreConfig, setting: string, timeoutMs = 10_000): Promise<ArtifactStore> {
  if (config.kind === 'local') {
    try {
      return await LocalArtifactStore.open(config.root);
    } catch (error) {
      throw new ConfigError(setting, `cannot use the folder ${config.root}: ${reasonOf(error)}`);
    }
  }
  const store = new S3ArtifactStore(config);
  const endpoint = `${config.useSSL ? 'https' : 'http'}://${config.endPoint}${config.port ? `:${config.port}` : ''}`;
  let exists: boolean;
  try {
    exists = await withTimeout(store.bucketExists(), timeoutMs, () => new ConfigError(setting, `no answer from S3 at ${endpoint} within ${timeoutMs / 1000} s`));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(setting, `cannot reach S3 at ${endpoint}: ${reasonOf(error)}`);
  }
  if (!exists) throw new ConfigError(setting, `bucket '${config.bucket}' does not exist at ${endpoint}; create it first (e.g. mc mb)`);
  return store;
}

export interface OpenedArtifactStore {
  store: ArtifactStore;
  /** Removes a temporary folder the store was given; a no-op otherwise. */
  dispose(): Promise<void>;
}

/**
 * The given store, else a folder 'artifacts' in the data dir, else a temp
 * folder that lives as long as the server (as in-memory events do); keeping
 * artifacts across restarts takes a data dir or an S3 store.
 */
export async function openArtifactStore(options: { store?: ArtifactStore; dataDir?: string }): Promise<OpenedArtifactStore> {
  if (options.store) return { store: options.store, dispose: async () => {} };
  if (options.dataDir) return { store: await LocalArtifactStore.open(join(options.dataDir, 'artifacts')), dispose: async () => {} };
  const root = await mkdtemp(join(tmpdir(), 'mlledger-artifacts-'));
  return {
    store: await LocalArtifactStore.open(root),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
