import type { RecordedEvent } from '../events/eventEnvelope.ts';
import {
  LoggedModelCreated,
  LoggedModelDeleted,
  LoggedModelFinalized,
  LoggedModelParamsLogged,
  LoggedModelTagDeleted,
  LoggedModelTagsSet,
  type LoggedModelStatus,
} from '../events/loggedModelEvents.ts';
import type { StreamFold } from './streamStateCache.ts';

/** What logged-model commands decide on, folded from the model's stream. */
export interface LoggedModelState {
  exists: boolean;
  modelId: string;
  experimentId: string;
  status: LoggedModelStatus;
  lifecycleStage: 'active' | 'deleted';
  tagKeys: Set<string>;
  params: Map<string, string>;
}

export const loggedModelStateFold: StreamFold<LoggedModelState> = {
  initial: () => ({ exists: false, modelId: '', experimentId: '', status: 'LOGGED_MODEL_PENDING', lifecycleStage: 'active', tagKeys: new Set(), params: new Map() }),
  evolve(state, event: RecordedEvent) {
    if (LoggedModelCreated.is(event)) {
      state.exists = true;
      state.modelId = event.data.modelId;
      state.experimentId = event.data.experimentId;
      for (const tag of event.data.tags) state.tagKeys.add(tag.key);
      for (const param of event.data.params) state.params.set(param.key, param.value);
    } else if (LoggedModelFinalized.is(event)) state.status = event.data.status;
    else if (LoggedModelTagsSet.is(event)) for (const tag of event.data.tags) state.tagKeys.add(tag.key);
    else if (LoggedModelTagDeleted.is(event)) state.tagKeys.delete(event.data.key);
    else if (LoggedModelParamsLogged.is(event)) for (const param of event.data.params) state.params.set(param.key, param.value);
    else if (LoggedModelDeleted.is(event)) state.lifecycleStage = 'deleted';
    return state;
  },
};
