import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../src/artifacts/artifactStore.ts';
import { LocalArtifactStore } from '../src/artifacts/localArtifactStore.ts';
import { S3ArtifactStore } from '../src/artifacts/s3ArtifactStore.ts';
import { describeArtifactStoreContract, readAll } from './support/artifactStoreContract.ts';
import { startTestS3Server, type TestS3Server } from './support/s3Server.ts';

describeArtifactStoreContract('local folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlledger-artifacts-test-'));
  return { store: await LocalArtifactStore.open(root), close: () => rm(root, { recursive: true, force: true }) };
});

describeArtifactStoreContract('S3 (s3rver)', async () => {
  const s3 = await startTestS3Server();
  return { store: new S3ArtifactStore(s3.options), close: () => s3.close() };
});

describe('local folder store', () => {
  it('leaves no temp file behind when an upload fails half way', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mlledger-artifacts-test-'));
    try {
      const store = await LocalArtifactStore.open(root);
      async function* failing() {
        yield Buffer.from('partial');
        throw new Error('client went away');
      }
      await expect(store.put('1/half.bin', Readable.from(failing()))).rejects.toThrow('client went away');
      expect(await store.list('1')).toEqual([]);
      expect(await readdir(join(root, '.uploads'))).toEqual([]);
      expect(await store.list('')).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('has no multipart upload', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mlledger-artifacts-test-'));
    const store: ArtifactStore = await LocalArtifactStore.open(root);
    expect(store.multipart).toBeUndefined();
    await rm(root, { recursive: true, force: true });
  });
});

describe('S3 store multipart upload through presigned part URLs', () => {
  let s3: TestS3Server;
  beforeAll(async () => {
    s3 = await startTestS3Server();
  });
  afterAll(() => s3?.close());

  it('create, PUT each part to its URL, complete: one object with all the bytes', async () => {
    const store = new S3ArtifactStore(s3.options);
    const partSize = 5 * 1024 * 1024; // S3's minimum for all but the last part
    const bytes = Buffer.alloc(partSize * 2 + 1234, 7);
    bytes.write('start', 0);
    bytes.write('end', bytes.length - 3);
    const upload = await store.multipart.create('6/run/artifacts/big.bin', 3);
    expect(upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const parts = [];
    for (const part of upload.parts) {
      const body = bytes.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize);
      const response = await fetch(part.url, { method: 'PUT', body, headers: part.headers });
      expect(response.status).toBe(200);
      parts.push({ partNumber: part.partNumber, etag: response.headers.get('etag') ?? '' });
    }
    const stored = await store.multipart.complete('6/run/artifacts/big.bin', upload.uploadId, parts);
    expect(stored.size).toBe(bytes.length);
    expect((await readAll((await store.get('6/run/artifacts/big.bin')).stream)).equals(bytes)).toBe(true);
  });
  it('a streamed put larger than a part goes up as a multipart upload of equal parts', async () => {
    const store = new S3ArtifactStore({ ...s3.options, partSize: 5 * 1024 * 1024 });
    const bytes = randomBytes(11 * 1024 * 1024 + 5);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65_536) }, (_, i) => bytes.subarray(i * 65_536, (i + 1) * 65_536));
    const stored = await store.put('7/streamed.bin', Readable.from(chunks));
    expect(stored).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await readAll((await store.get('7/streamed.bin')).stream)).equals(bytes)).toBe(true);
  });

  // (Abort is not tested here: s3rver does not implement AbortMultipartUpload.)
});

