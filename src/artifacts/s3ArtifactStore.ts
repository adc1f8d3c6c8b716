import { type BucketItem, Client, S3Error } from 'minio';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalid, notFound } from '../tracking/domainError.ts';
import { artifactNotFound } from './artifactErrors.ts';
import type { ArtifactDownload, ArtifactEntry, ArtifactStore, CompletedPart, MultipartArtifactStore, MultipartUpload, StoredArtifact } from './artifactStore.ts';
import { DigestingStream } from './digestingStream.ts';
import { fixedSizeParts } from './fixedSizeParts.ts';

export interface S3ArtifactStoreOptions {
  endPoint: string;
  port?: number;
  useSSL?: boolean;
  accessKey: string;
  secretKey: string;
  /** Set it to spare a GetBucketLocation round trip. */
  region?: string;
  bucket: string;
  /** Key prefix inside the bucket ('' or e.g. 'mlledger/artifacts'). */
  prefix?: string;
  /** How long presigned part URLs stay valid. Default one day: a part of a slow upload must not expire. */
  presignedUrlSeconds?: number;
  /** Part size for streamed PUTs (at least 5 MiB, S3's minimum); bounds memory per upload. Default 16 MiB. */
  partSize?: number;
}

/**
 * Artifacts as objects in an S3-compatible bucket (AWS, MinIO, …), through the
 * minio client. Directories are key prefixes, listed with a '/' delimiter.
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly client: Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  readonly multipart: MultipartArtifactStore;

  constructor(options: S3ArtifactStoreOptions) {
    this.partSize = options.partSize ?? 16 * 1024 * 1024;
    this.client = new Client({
      endPoint: options.endPoint,
      port: options.port,
      useSSL: options.useSSL ?? false,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region ?? 'us-east-1',
      // The same part size as ours, so a one-part body goes up as a single PUT.
      partSize: this.partSize,
    });
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = prefix === '' ? '' : `${prefix}/`;
    this.multipart = new S3Multipart(this.client, this.bucket, (path) => this.key(path), options.presignedUrlSeconds ?? 24 * 60 * 60, (path) => this.digestOf(path));
  }

  /**
   * Streams the body up in parts of partSize (one plain PUT when it fits in
   * one), hashing on the way. Done here rather than by minio's putObject, which
   * for a stream of unknown length first lists the bucket's pending uploads to
   * resume one by key (slow, and not ours to resume).
   */
  async put(path: string, body: Readable): Promise<StoredArtifact> {
    const key = this.key(path);
    const hash = createHash('sha256');
    let size = 0;
    let uploadId: string | undefined;
    const etags: { part: number; etag: string }[] = [];
    try {
      for await (const { bytes, last } of fixedSizeParts(body, this.partSize)) {
        hash.update(bytes);
        size += bytes.length;
        if (last && uploadId === undefined) {
          await this.client.putObject(this.bucket, key, bytes, bytes.length);
          break;
        }
        uploadId ??= await this.client.initiateNewMultipartUpload(this.bucket, key, {});
        const part = etags.length + 1;
        const { etag } = await this.client.uploadPart({ bucketName: this.bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} }, bytes);
        etags.push({ part, etag });
      }
      if (uploadId !== undefined) await this.client.completeMultipartUpload(this.bucket, key, uploadId, etags);
    } catch (error) {
      body.destroy();
      if (uploadId !== undefined) await this.client.abortMultipartUpload(this.bucket, key, uploadId).catch(() => {});
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async get(path: string): Promise<ArtifactDownload> {
    const key = this.key(path);
    try {
      const { size } = await this.client.statObject(this.bucket, key);
      return { stream: await this.client.getObject(this.bucket, key), size };
    } catch (error) {
      throw isMissing(error) ? artifactNotFound(path) : error;
    }
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const prefix = dir === '' ? this.prefix : `${this.key(dir)}/`;
    const entries: ArtifactEntry[] = [];
    for (const item of await listObjects(this.client, this.bucket, prefix, false)) {
      if (item.prefix !== undefined) {
        entries.push({ path: item.prefix.slice(prefix.length).replace(/\/$/, ''), isDir: true });
      } else if (item.name !== undefined && item.name !== prefix) {
        // (item.name === prefix is a "folder" placeholder object some tools create.)
        entries.push({ path: item.name.slice(prefix.length), isDir: false, size: item.size });
      }
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<boolean> {
    const key = this.key(path);
    const below: string[] = [];
    for (const item of await listObjects(this.client, this.bucket, `${key}/`, true)) {
      if (item.name !== undefined) below.push(item.name);
    }
    const fileExists = await this.client.statObject(this.bucket, key).then(
      () => true,
      (error: unknown) => {
        if (isMissing(error)) return false;
        throw error;
      },
    );
    const keys = fileExists ? [key, ...below] : below;
    // S3's multi-object delete takes at most 1000 keys per request.
    for (let i = 0; i < keys.length; i += 1000) await this.client.removeObjects(this.bucket, keys.slice(i, i + 1000));
    return keys.length > 0;
  }

  /** Whether the bucket exists; throws when S3 cannot be reached or refuses the credentials. */
  bucketExists(): Promise<boolean> {
    return this.client.bucketExists(this.bucket);
  }

  private key(path: string): string {
    return this.prefix + path;
  }

  /** Reads an object back to hash it: multipart parts went straight to S3, past our digest. */
  private async digestOf(path: string): Promise<StoredArtifact> {
    const digest = new DigestingStream();
    const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await pipeline(await this.client.getObject(this.bucket, this.key(path)), digest, discard);
    return digest.result();
  }
}

class S3Multipart implements MultipartArtifactStore {
  constructor(
    private readonly client: Client,
    private readonly bucket: string,
    private readonly key: (path: string) => string,
    private readonly expirySeconds: number,
    private readonly digestOf: (path: string) => Promise<StoredArtifact>,
  ) {}

  async create(path: string, numParts: number): Promise<MultipartUpload> {
    const key = this.key(path);
    const uploadId = await this.client.initiateNewMultipartUpload(this.bucket, key, {});
    const parts = [];
    for (let partNumber = 1; partNumber <= numParts; partNumber++) {
      const url = await this.client.presignedUrl('PUT', this.bucket, key, this.expirySeconds, { partNumber: String(partNumber), uploadId });
      parts.push({ partNumber, url, headers: {} });
    }
    return { uploadId, parts };
  }

  async complete(path: string, uploadId: string, parts: readonly CompletedPart[]): Promise<StoredArtifact> {
    const etags = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ part: p.partNumber, etag: p.etag }));
    try {
      await this.client.completeMultipartUpload(this.bucket, this.key(path), uploadId, etags);
    } catch (error) {
      throw uploadError(error, uploadId);
    }
    return this.digestOf(path);
  }

  async abort(path: string, uploadId: string): Promise<void> {
    try {
      await this.client.abortMultipartUpload(this.bucket, this.key(path), uploadId);
    } catch (error) {
      throw uploadError(error, uploadId);
    }
  }
}

/** One directory level (or, recursive, a whole subtree); minio pages through ListObjectsV2 for us. */
function listObjects(client: Client, bucket: string, prefix: string, recursive: boolean): Promise<BucketItem[]> {
  return new Promise((resolve, reject) => {
    const items: BucketItem[] = [];
    client
      .listObjectsV2(bucket, prefix, recursive)
      .on('data', (item: BucketItem) => items.push(item))
      .on('error', reject)
      .on('end', () => resolve(items));
  });
}

function isMissing(error: unknown): boolean {
  return error instanceof S3Error && (error.code === 'NoSuchKey' || error.code === 'NotFound');
}

/** S3's refusals of the caller's upload id or parts are the caller's to fix (4xx), not ours. */
function uploadError(error: unknown, uploadId: string): unknown {
  if (!(error instanceof S3Error)) return error;
  if (error.code === 'NoSuchUpload') return notFound('upload_id', `Multipart upload '${uploadId}' does not exist.`);
  if (error.code === 'InvalidPart' || error.code === 'InvalidPartOrder' || error.code === 'EntityTooSmall') return invalid('parts', `The parts do not complete upload '${uploadId}': ${error.message}`);
  return error;
}

