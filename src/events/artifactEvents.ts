import { z } from 'zod';
import { defineEvent } from './defineEvent.ts';

/** One stream per experiment (the first path segment), so an experiment's artifact history reads in one go. */
export const artifactStream = (topLevelSegment: string) => `artifacts-${topLevelSegment}`;

const artifactPath = z.string().min(1);

/** A file was stored (or replaced) at path; the bytes themselves live in the artifact store. */
export const ArtifactStored = defineEvent(
  'ArtifactStored',
  1,
  z.object({ path: artifactPath, size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
);
/** A file, or a directory with everything below it, was removed. */
export const ArtifactDeleted = defineEvent('ArtifactDeleted', 1, z.object({ path: artifactPath }));

export const artifactEvents = [ArtifactStored, ArtifactDeleted] as const;
