import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { MonitorAlertStateChanged, MonitorCreated, MonitorDeleted, type MonitorDefinition } from '../events/monitoringEvents.ts';
import type { StreamFold } from '../tracking/streamStateCache.ts';
import type { AlertPosition } from './alertStateMachine.ts';

/** A monitor's stream folded: its definition and where its alert stands (survives restarts: it is in the log). */
export interface MonitorState {
  definition?: MonitorDefinition;
  deleted: boolean;
  alert: AlertPosition;
}

export const monitorFold: StreamFold<MonitorState> = {
  initial: () => ({ deleted: false, alert: { state: 'ok', since: 0 } }),
  evolve(state, event: RecordedEvent) {
    if (MonitorCreated.is(event)) {
      state.definition = event.data;
      state.alert = { state: 'ok', since: event.data.createdAt };
    } else if (MonitorDeleted.is(event)) state.deleted = true;
    else if (MonitorAlertStateChanged.is(event)) state.alert = { state: event.data.to, since: event.data.at };
    return state;
  },
};
