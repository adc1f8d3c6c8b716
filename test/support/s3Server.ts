import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3ArtifactStoreOptions } from '../../src/artifacts/s3ArtifactStore.ts';

export interface TestS3Server {
  /** Options for an S3ArtifactStore on this server's bucket. */
  options: S3ArtifactStoreOptions;
  close(): Promise<void>;
}

/** An in-process fake S3 (s3rver) on a random port over a temp folder, with one bucket. */
export async function startTestS3Server(bucket = 'artifacts'): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'mlledger-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    // s3rver's built-in account.
    options: { endPoint: '127.0.0.1', port, useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket, prefix: 'mlledger' },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
