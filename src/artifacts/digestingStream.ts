import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { StoredArtifact } from './artifactStore.ts';

/** A pass-through that counts bytes and computes their sha256 on the way, so stores never re-read what they wrote. */
export class DigestingStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** Only meaningful once the stream has ended. */
  result(): StoredArtifact {
    return { size: this.bytes, sha256: this.hash.digest('hex') };
  }
}
