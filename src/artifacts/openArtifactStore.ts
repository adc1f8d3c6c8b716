import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactStore } from './artifactStore.ts';
import { LocalArtifactStore } from './localArtifactStore.ts';
import { S3ArtifactStore, type S3ArtifactStoreOptions } from './s3ArtifactStore.ts';

/** Which store to use, for configuration (CLI flags, later) rather than code. */
export type ArtifactStoreConfig = { kind: 'local'; root: string } | ({ kind: 's3' } & S3ArtifactStoreOptions);

export async function createArtifactStore(config: ArtifactStoreConfig): Promise<ArtifactStore> {
  return config.kind === 'local' ? LocalArtifactStore.open(config.root) : new S3ArtifactStore(config);
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
