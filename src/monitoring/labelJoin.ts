import type { GroundTruthRecord } from '../events/monitoringEvents.ts';

/**
 * The rule for a request id's label: the label with the latest `time` wins; at equal
 * times the one later in the log wins; a label older than the one held is ignored,
 * and an identical one changes nothing. A winning label that replaces another
 * restates the prediction's bucket (the old label is taken back, the new one added).
 */
export interface HeldLabel {
  label: string;
  time: number;
}

export function replaces(incoming: HeldLabel, held: HeldLabel | undefined): boolean {
  if (!held) return true;
  if (incoming.time !== held.time) return incoming.time > held.time;
  return incoming.label !== held.label;
}

/** One label per request id from a batch, by the same rule (a later line wins a tie). */
export function winningLabels(labels: readonly GroundTruthRecord[]): Map<string, HeldLabel> {
  const winners = new Map<string, HeldLabel>();
  for (const l of labels) {
    const incoming = { label: l.label, time: l.time };
    if (replaces(incoming, winners.get(l.requestId))) winners.set(l.requestId, incoming);
  }
  return winners;
}
