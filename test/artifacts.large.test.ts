import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '../src/artifacts/localArtifactStore.ts';
import { startArtifactTestApp, type ArtifactTestApp } from './support/artifactTestApp.ts';

const MiB = 1024 * 1024;
const FILE_CHUNKS = 200; // 200 MiB in 1 MiB chunks

/** A body made on the fly: no buffer of the whole file exists anywhere. */
function* generatedBody(): Generator<Buffer> {
  const base = randomBytes(MiB);
  for (let i = 0; i < FILE_CHUNKS; i++) {
    const chunk = Buffer.from(base);
    chunk.writeUInt32BE(i, 0);
    yield chunk;
  }
}

/** Highest resident set size seen while `work` runs, sampled every 20 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(sampler);
  }
}

describe('a 200 MiB artifact through the proxy (local folder store)', () => {
  let t: ArtifactTestApp;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mlledger-artifacts-large-'));
    t = await startArtifactTestApp({ artifacts: await LocalArtifactStore.open(root) });
  });
  afterAll(async () => {
    await t?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('streams up and down with the same bytes while memory stays flat', async () => {
    const { hostname, port } = new URL(t.url);
    const path = '/api/2.0/mlflow-artifacts/artifacts/1/big/artifacts/model.bin';
    const before = process.memoryUsage.rss();

    const { result: sent, peak: uploadPeak } = await peakRss(async () => {
      const hash = createHash('sha256');
      const body = Readable.from(generatedBody()).map((chunk: Buffer) => {
        hash.update(chunk);
        return chunk;
      });
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ hostname, port, method: 'PUT', path, headers: { 'content-type': 'application/octet-stream' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        pipeline(body, req).catch(reject);
      });
      return { status, sha256: hash.digest('hex') };
    });
    expect(sent.status).toBe(200);
    expect((await stat(join(root, '1/big/artifacts/model.bin'))).size).toBe(FILE_CHUNKS * MiB);

    const { result: received, peak: downloadPeak } = await peakRss(async () => {
      const hash = createHash('sha256');
      let size = 0;
      const response = await fetch(`${t.url}${path}`);
      expect(response.headers.get('content-length')).toBe(String(FILE_CHUNKS * MiB));
      for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      return { size, sha256: hash.digest('hex') };
    });
    expect(received).toEqual({ size: FILE_CHUNKS * MiB, sha256: sent.sha256 });

    const [event] = await t.app.backend.store.readStream('artifacts-1');
    expect(event.data).toEqual({ path: '1/big/artifacts/model.bin', size: FILE_CHUNKS * MiB, sha256: sent.sha256 });

    const growth = Math.max(uploadPeak, downloadPeak) - before;
    expect(growth).toBeLessThan(100 * MiB);
  });
});
