import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../src/artifacts/s3ArtifactStore.ts';
import { startArtifactTestApp, type ArtifactTestApp } from './support/artifactTestApp.ts';
import { startTestS3Server, type TestS3Server } from './support/s3Server.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface CreateAnswer {
  upload_id: string;
  credentials: { url: string; part_number: number; headers: Record<string, string> }[];
}

/** The artifact proxy in front of an S3 bucket (s3rver), including MLflow's multipart flow with presigned part URLs. */
describe('artifact proxy over HTTP (S3 store)', () => {
  let s3: TestS3Server;
  let t: ArtifactTestApp;
  beforeAll(async () => {
    s3 = await startTestS3Server();
    t = await startArtifactTestApp({ artifacts: new S3ArtifactStore(s3.options) });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('a single PUT, list and download', async () => {
    const bytes = Buffer.from('hello from s3\n');
    expect((await fetch(`${t.artifactsUrl}/artifacts/9/run/artifacts/notes.txt`, { method: 'PUT', body: bytes })).status).toBe(200);
    expect(await (await fetch(`${t.artifactsUrl}/artifacts?path=9/run/artifacts`)).json()).toEqual({ files: [{ path: 'notes.txt', is_dir: false, file_size: bytes.length }] });
    const download = await fetch(`${t.artifactsUrl}/artifacts/9/run/artifacts/notes.txt`);
    expect(download.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await download.text()).toBe('hello from s3\n');
    expect((await fetch(`${t.artifactsUrl}/artifacts/9/run/artifacts/missing.txt`)).status).toBe(404);
  });

  it('mpu create → PUT parts to the presigned URLs → complete gives the whole object and an ArtifactStored event', async () => {
    const partSize = 5 * 1024 * 1024;
    const bytes = Buffer.alloc(partSize + 4321);
    for (let i = 0; i + 4 <= bytes.length; i += 4) bytes.writeUInt32LE(i, i);
    // As the mlflow client sends it: the directory in the URL, the local file in the body.
    const create = await fetch(`${t.artifactsUrl}/mpu/create/9/run/artifacts/model`, { method: 'POST', body: JSON.stringify({ path: '/home/me/weights.bin', num_parts: 2 }) });
    expect(create.status).toBe(200);
    const { upload_id: uploadId, credentials } = (await create.json()) as CreateAnswer;
    expect(credentials.map((c) => c.part_number)).toEqual([1, 2]);

    const parts = [];
    for (const credential of credentials) {
      const body = bytes.subarray((credential.part_number - 1) * partSize, credential.part_number * partSize);
      const put = await fetch(credential.url, { method: 'PUT', body, headers: credential.headers });
      expect(put.status).toBe(200);
      parts.push({ part_number: credential.part_number, etag: put.headers.get('etag'), url: credential.url });
    }
    const complete = await fetch(`${t.artifactsUrl}/mpu/complete/9/run/artifacts/model`, { method: 'POST', body: JSON.stringify({ path: '/home/me/weights.bin', upload_id: uploadId, parts }) });
    expect(complete.status).toBe(200);
    expect(await complete.json()).toEqual({});

    const download = await fetch(`${t.artifactsUrl}/artifacts/9/run/artifacts/model/weights.bin`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const history = await t.app.backend.store.readStream('artifacts-9');
    expect(history.at(-1)).toMatchObject({ type: 'ArtifactStored', data: { path: '9/run/artifacts/model/weights.bin', size: bytes.length, sha256: sha256(bytes) } });
  });

  it('refuses malformed multipart requests with 400 before touching S3', async () => {
    const post = (action: string, body: unknown) => fetch(`${t.artifactsUrl}/mpu/${action}/9/run/artifacts`, { method: 'POST', body: JSON.stringify(body) });
    const noParts = await post('create', { path: 'x.bin', num_parts: 0 });
    expect(noParts.status).toBe(400);
    const noUpload = await post('complete', { path: 'x.bin', parts: [{ part_number: 1, etag: 'e' }] });
    expect(await noUpload.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'upload_id'") });
    const badName = await post('create', { path: '..', num_parts: 1 });
    expect(badName.status).toBe(400);
    // (An unknown upload id is S3's NoSuchUpload, answered 404; s3rver answers 500 instead, so it is not tested here.)
  });
});
