import type { Readable } from 'node:stream';
import { ArtifactDeleted, artifactStream, ArtifactStored } from '../events/artifactEvents.ts';
import type { NewEvent } from '../events/eventEnvelope.ts';
import type { EventStore } from '../events/eventStore.ts';
import { commandContext, metadataFor } from '../tracking/commandContext.ts';
import { topLevelSegment } from './artifactPath.ts';
import type { ArtifactDownload, ArtifactEntry, ArtifactStore, CompletedPart, MultipartUpload, StoredArtifact } from './artifactStore.ts';

/**
 * Artifact commands: the bytes go to the artifact store, and once they are
 * there an event records what was stored (size, digest) or removed, and by
 * whom, so history shows what each experiment held when. The event follows the
 * bytes: a crash in between leaves an unrecorded file, never a record of bytes
 * that do not exist. Paths reaching here are already validated.
 */
export class ArtifactService {
  constructor(
    private readonly store: ArtifactStore,
    private readonly events: EventStore,
  ) {}

  get supportsMultipart(): boolean {
    return this.store.multipart !== undefined;
  }

  async put(actor: string, path: string, body: Readable): Promise<StoredArtifact> {
    const stored = await this.store.put(path, body);
    await this.record(path, ArtifactStored.create({ path, ...stored }, metadataFor(commandContext(actor), 0)));
    return stored;
  }

  get(path: string): Promise<ArtifactDownload> {
    return this.store.get(path);
  }

  list(dir: string): Promise<ArtifactEntry[]> {
    return this.store.list(dir);
  }

  async delete(actor: string, path: string): Promise<void> {
    // Deleting what is not there is a no-op, as in MLflow, and leaves no event.
    if (await this.store.delete(path)) await this.record(path, ArtifactDeleted.create({ path }, metadataFor(commandContext(actor), 0)));
  }

  /** Callers check supportsMultipart first. */
  createMultipartUpload(path: string, numParts: number): Promise<MultipartUpload> {
    return this.multipart().create(path, numParts);
  }

  async completeMultipartUpload(actor: string, path: string, uploadId: string, parts: readonly CompletedPart[]): Promise<StoredArtifact> {
    const stored = await this.multipart().complete(path, uploadId, parts);
    await this.record(path, ArtifactStored.create({ path, ...stored }, metadataFor(commandContext(actor), 0)));
    return stored;
  }

  abortMultipartUpload(path: string, uploadId: string): Promise<void> {
    return this.multipart().abort(path, uploadId);
  }

  private multipart() {
    if (!this.store.multipart) throw new Error('This artifact store has no multipart upload');
    return this.store.multipart;
  }

  private async record(path: string, event: NewEvent): Promise<void> {
    // Any revision: artifact writes do not depend on earlier ones, so there is nothing to conflict with.
    await this.events.appendToStream(artifactStream(topLevelSegment(path)), [event], { expectedRevision: 'any' });
  }
}
