import type { Readable } from 'node:stream';

/**
 * Where artifact bytes live (a local folder, an S3 bucket). Paths are relative
 * and already validated by artifactPath.ts; adapters confine them to their root
 * again anyway. Bytes are always streamed: no adapter holds a file in memory.
 */
export interface ArtifactStore {
  /** Stores the stream under path, replacing any file there; readers never see a partial file. */
  put(path: string, body: Readable): Promise<StoredArtifact>;
  /** The bytes of a file; DomainError RESOURCE_DOES_NOT_EXIST when there is none. */
  get(path: string): Promise<ArtifactDownload>;
  /** Direct children of a directory ('' for the root), sorted by path; empty when it does not exist. */
  list(dir: string): Promise<ArtifactEntry[]>;
  /** Removes a file or a whole directory; false when nothing was there. */
  delete(path: string): Promise<boolean>;
  /** Only on stores that can hand out presigned part URLs (S3); absent elsewhere. */
  readonly multipart?: MultipartArtifactStore;
}

export interface StoredArtifact {
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

export interface ArtifactDownload {
  stream: Readable;
  size: number;
}

export interface ArtifactEntry {
  /** Relative to the listed directory: a single name. */
  path: string;
  isDir: boolean;
  /** Files only. */
  size?: number;
}

/** Large uploads where the client PUTs each part straight to the backing store. */
export interface MultipartArtifactStore {
  create(path: string, numParts: number): Promise<MultipartUpload>;
  /** Assembles the parts; resolves with the size and digest of the final object. */
  complete(path: string, uploadId: string, parts: readonly CompletedPart[]): Promise<StoredArtifact>;
  abort(path: string, uploadId: string): Promise<void>;
}

export interface MultipartUpload {
  uploadId: string;
  parts: PresignedPart[];
}

export interface PresignedPart {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}
