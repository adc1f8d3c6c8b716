import type { AlertState } from '../events/monitoringEvents.ts';
import type { RuleVerdict } from './metricThresholdRule.ts';

/**
 * ok → pending → firing → resolved, Prometheus-style:
 * - a breach moves ok (or resolved) to pending; pending fires once the breach has
 *   lasted `forMs` (forMs = 0 fires at once, through pending);
 * - anything short of a breach while pending goes back to ok;
 * - firing resolves only on `clear` (past the recovery margin): `hold` keeps it
 *   firing, so a value hovering at the threshold does not flap;
 * - `unknown` (too few rows, too little label coverage, no baseline) changes nothing.
 * Returns the states to move through, in order (usually none or one).
 */
export interface AlertPosition {
  state: AlertState;
  /** When the current state was entered. */
  since: number;
}

export function nextStates(current: AlertPosition, verdict: RuleVerdict, now: number, forMs: number): AlertState[] {
  if (verdict === 'unknown') return [];
  switch (current.state) {
    case 'ok':
    case 'resolved':
      if (verdict !== 'breach') return [];
      return forMs === 0 ? ['pending', 'firing'] : ['pending'];
    case 'pending':
      if (verdict !== 'breach') return ['ok'];
      return now - current.since >= forMs ? ['firing'] : [];
    case 'firing':
      return verdict === 'clear' ? ['resolved'] : [];
  }
}
