import { z } from 'zod';
import { defineEvent } from './defineEvent.ts';

/** Every experiment event lives in this one stream: it holds the name and id catalogue. */
export const EXPERIMENTS_STREAM = 'experiments';

const tag = z.object({ key: z.string(), value: z.string() });
const experimentId = z.string().regex(/^\d+$/);

export const ExperimentCreated = defineEvent(
  'ExperimentCreated',
  1,
  z.object({
    experimentId,
    name: z.string(),
    artifactLocation: z.string(),
    tags: z.array(tag),
    creationTime: z.number().int(),
  }),
);
export const ExperimentRenamed = defineEvent('ExperimentRenamed', 1, z.object({ experimentId, name: z.string() }));
export const ExperimentDeleted = defineEvent('ExperimentDeleted', 1, z.object({ experimentId }));
export const ExperimentRestored = defineEvent('ExperimentRestored', 1, z.object({ experimentId }));
export const ExperimentTagSet = defineEvent('ExperimentTagSet', 1, z.object({ experimentId, key: z.string(), value: z.string() }));
export const ExperimentTagDeleted = defineEvent('ExperimentTagDeleted', 1, z.object({ experimentId, key: z.string() }));

export const experimentEvents = [
  ExperimentCreated,
  ExperimentRenamed,
  ExperimentDeleted,
  ExperimentRestored,
  ExperimentTagSet,
  ExperimentTagDeleted,
] as const;
