import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  ExperimentCreated,
  ExperimentDeleted,
  ExperimentRenamed,
  ExperimentRestored,
  ExperimentTagDeleted,
  ExperimentTagSet,
} from '../events/experimentEvents.ts';
import type { StreamFold } from './streamStateCache.ts';

export interface ExperimentState {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  tags: Map<string, string>;
}

/** What experiment commands decide on: every experiment, its name, and the next free id. */
export interface ExperimentsCatalog {
  byId: Map<string, ExperimentState>;
  idByName: Map<string, string>;
  nextId: number;
}

export const experimentsCatalogFold: StreamFold<ExperimentsCatalog> = {
  initial: () => ({ byId: new Map(), idByName: new Map(), nextId: 1 }),
  evolve(catalog, event: RecordedEvent) {
    if (ExperimentCreated.is(event)) {
      const { experimentId, name, artifactLocation, tags } = event.data;
      catalog.byId.set(experimentId, { experimentId, name, artifactLocation, lifecycleStage: 'active', tags: new Map(tags.map((t) => [t.key, t.value])) });
      catalog.idByName.set(name, experimentId);
      catalog.nextId = Math.max(catalog.nextId, Number(experimentId) + 1);
      return catalog;
    }
    const experiment = catalog.byId.get((event.data as { experimentId?: string }).experimentId ?? '');
    if (!experiment) return catalog;
    if (ExperimentRenamed.is(event)) {
      catalog.idByName.delete(experiment.name);
      experiment.name = event.data.name;
      catalog.idByName.set(experiment.name, experiment.experimentId);
    } else if (ExperimentDeleted.is(event)) experiment.lifecycleStage = 'deleted';
    else if (ExperimentRestored.is(event)) experiment.lifecycleStage = 'active';
    else if (ExperimentTagSet.is(event)) experiment.tags.set(event.data.key, event.data.value);
    else if (ExperimentTagDeleted.is(event)) experiment.tags.delete(event.data.key);
    return catalog;
  },
};
