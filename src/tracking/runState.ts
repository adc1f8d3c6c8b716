import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { ParamsLogged, RunCreated, RunDeleted, RunRestored, RunTagDeleted, RunTagsSet } from '../events/runEvents.ts';
import type { StreamFold } from './streamStateCache.ts';

/** What run commands decide on. Metrics are not folded: no decision depends on them. */
export interface RunState {
  exists: boolean;
  runId: string;
  experimentId: string;
  lifecycleStage: 'active' | 'deleted';
  params: Map<string, string>;
  tagKeys: Set<string>;
}

export const runStateFold: StreamFold<RunState> = {
  initial: () => ({ exists: false, runId: '', experimentId: '', lifecycleStage: 'active', params: new Map(), tagKeys: new Set() }),
  evolve(state, event: RecordedEvent) {
    if (RunCreated.is(event)) {
      state.exists = true;
      state.runId = event.data.runId;
      state.experimentId = event.data.experimentId;
      for (const tag of event.data.tags) state.tagKeys.add(tag.key);
    } else if (RunDeleted.is(event)) state.lifecycleStage = 'deleted';
    else if (RunRestored.is(event)) state.lifecycleStage = 'active';
    else if (ParamsLogged.is(event)) for (const p of event.data.params) state.params.set(p.key, p.value);
    else if (RunTagsSet.is(event)) for (const t of event.data.tags) state.tagKeys.add(t.key);
    else if (RunTagDeleted.is(event)) state.tagKeys.delete(event.data.key);
    return state;
  },
};
