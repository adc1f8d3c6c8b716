import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalid } from '../tracking/domainError.ts';
import { artifactNotFound } from './artifactErrors.ts';
import { topLevelSegment } from './artifactPath.ts';
import type { ArtifactDownload, ArtifactEntry, ArtifactStore, StoredArtifact } from './artifactStore.ts';
import { DigestingStream } from './digestingStream.ts';

/** Uploads in progress live here, inside the root (same filesystem, so the final rename is atomic). */
const UPLOADS_DIR = '.uploads';

/**
 * Artifacts as files under a root folder. Writes go to a temp file that is
 * renamed into place when complete, so a reader never sees half a file.
 * No multipart: the client falls back to a single streamed PUT.
 */
export class LocalArtifactStore implements ArtifactStore {
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<LocalArtifactStore> {
    await mkdir(root, { recursive: true });
    // Temp files left by a crash are garbage: nobody can resume them.
    await rm(join(root, UPLOADS_DIR), { recursive: true, force: true });
    await mkdir(join(root, UPLOADS_DIR), { recursive: true });
    return new LocalArtifactStore(root);
  }

  async put(path: string, body: Readable): Promise<StoredArtifact> {
    const target = this.resolve(path);
    const temp = join(this.root, UPLOADS_DIR, randomUUID());
    const digest = new DigestingStream();
    try {
      await pipeline(body, digest, createWriteStream(temp, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw conflictAsInvalid(error, path);
    }
    return digest.result();
  }

  async get(path: string): Promise<ArtifactDownload> {
    const file = this.resolve(path);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw artifactNotFound(path);
    return { stream: createReadStream(file), size: info.size };
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const folder = dir === '' ? this.root : this.resolve(dir);
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
      throw error;
    });
    const listed: ArtifactEntry[] = [];
    for (const entry of entries) {
      if (dir === '' && entry.name === UPLOADS_DIR) continue;
      if (entry.isDirectory()) listed.push({ path: entry.name, isDir: true });
      else if (entry.isFile()) listed.push({ path: entry.name, isDir: false, size: (await stat(join(folder, entry.name))).size });
    }
    return listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<boolean> {
    const target = this.resolve(path);
    const existed = await lstat(target).then(
      () => true,
      () => false,
    );
    if (existed) await rm(target, { recursive: true, force: true });
    return existed;
  }

  /** The file for a validated path, checked once more to lie below the root (defence in depth). */
  private resolve(path: string): string {
    if (topLevelSegment(path) === UPLOADS_DIR) throw invalid('path', `Invalid artifact path '${path}': '${UPLOADS_DIR}' is reserved.`);
    const file = join(this.root, path);
    const inside = relative(this.root, file);
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..') throw invalid('path', `Invalid artifact path '${path}': it leaves the artifact root.`);
    return file;
  }
}

/** A file where a directory is needed, or the other way round: the caller's path is at fault. */
function conflictAsInvalid(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
    return invalid('path', `Cannot store artifact '${path}': a file and a directory would share a name.`);
  }
  return error;
}
