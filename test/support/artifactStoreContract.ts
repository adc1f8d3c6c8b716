import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../src/artifacts/artifactStore.ts';
import { DomainError } from '../../src/tracking/domainError.ts';

export interface OpenedTestStore {
  store: ArtifactStore;
  close(): Promise<void>;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A stream in several chunks, as a request body arrives. */
const streamOf = (bytes: Buffer) => Readable.from([bytes.subarray(0, 7), bytes.subarray(7, 70_000), bytes.subarray(70_000)]);

/** What every ArtifactStore adapter must do, run against each one. */
export function describeArtifactStoreContract(name: string, open: () => Promise<OpenedTestStore>): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let opened: OpenedTestStore;
    let store: ArtifactStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(() => opened?.close());

    it('stores binary data and gives the same bytes back, with size and sha256', async () => {
      const bytes = Buffer.concat([Buffer.from([0, 255, 10, 13, 0]), randomBytes(100_000)]);
      const stored = await store.put('1/run/artifacts/model/weights.bin', streamOf(bytes));
      expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
      const download = await store.get('1/run/artifacts/model/weights.bin');
      expect(download.size).toBe(bytes.length);
      expect(sha256(await readAll(download.stream))).toBe(sha256(bytes));
    });

    it('stores an empty file', async () => {
      expect(await store.put('empty/file.txt', Readable.from([]))).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
      const download = await store.get('empty/file.txt');
      expect(download.size).toBe(0);
      expect((await readAll(download.stream)).length).toBe(0);
    });

    it('lists direct children with relative paths, directories and sizes, sorted', async () => {
      await store.put('2/r/artifacts/b.txt', Readable.from([Buffer.from('bb')]));
      await store.put('2/r/artifacts/a.txt', Readable.from([Buffer.from('a')]));
      await store.put('2/r/artifacts/model/MLmodel', Readable.from([Buffer.from('flavors: {}\n')]));
      await store.put('2/r/artifacts/model/data/x.npy', Readable.from([Buffer.from('xyz')]));
      // A file directly in '2' too: s3rver misses a common prefix that holds only deeper keys (real S3 does not).
      await store.put('2/top.txt', Readable.from([Buffer.from('t')]));
      expect(await store.list('2/r/artifacts')).toEqual([
        { path: 'a.txt', isDir: false, size: 1 },
        { path: 'b.txt', isDir: false, size: 2 },
        { path: 'model', isDir: true },
      ]);
      expect(await store.list('2/r/artifacts/model')).toEqual([
        { path: 'MLmodel', isDir: false, size: 12 },
        { path: 'data', isDir: true },
      ]);
      expect((await store.list('')).map((e) => e.path)).toContain('2');
      expect(await store.list('2/r/artifacts/nothing-here')).toEqual([]);
    });

    it('overwrites a file in place', async () => {
      await store.put('3/f.txt', Readable.from([Buffer.from('first version')]));
      expect(await store.put('3/f.txt', Readable.from([Buffer.from('second')]))).toMatchObject({ size: 6 });
      expect((await readAll((await store.get('3/f.txt')).stream)).toString()).toBe('second');
      expect(await store.list('3')).toEqual([{ path: 'f.txt', isDir: false, size: 6 }]);
    });

    it('deletes a file, and a directory with everything below it', async () => {
      await store.put('4/keep.txt', Readable.from([Buffer.from('k')]));
      await store.put('4/gone.txt', Readable.from([Buffer.from('g')]));
      await store.put('4/dir/a/b.txt', Readable.from([Buffer.from('b')]));
      expect(await store.delete('4/gone.txt')).toBe(true);
      expect(await store.delete('4/dir')).toBe(true);
      expect(await store.list('4')).toEqual([{ path: 'keep.txt', isDir: false, size: 1 }]);
      expect(await store.delete('4/gone.txt')).toBe(false);
    });

    it('answers RESOURCE_DOES_NOT_EXIST for a missing file', async () => {
      const error = await store.get('5/missing.bin').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    });
  });
}
