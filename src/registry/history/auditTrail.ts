import type { RecordedEvent } from '../../events/eventEnvelope.ts';
import { comparePositions } from '../../events/position.ts';
import { auditEntryOf, type AuditEntry, type AuditKind } from './auditEntry.ts';
import { emptySnapshot, evolveSnapshot, type ModelSnapshot } from './modelSnapshot.ts';

/**
 * Turns one model's events, fed in log order, into audit entries: maps each
 * against the model as it was just before, then folds it in. For a live stream,
 * feed the history up to the resume cursor first (entries before it discarded)
 * and then each new event.
 */
export class AuditTrail {
  readonly snapshot: ModelSnapshot;

  constructor(modelId: string) {
    this.snapshot = emptySnapshot(modelId);
  }

  /** The entry for the next event (undefined for events not about this model). */
  next(event: RecordedEvent): AuditEntry | undefined {
    const entry = auditEntryOf(this.snapshot, event);
    if (entry) evolveSnapshot(this.snapshot, event);
    return entry;
  }
}

export interface AuditFilter {
  /** Only changes touching this version. */
  version?: number;
  /** recordedAt at or after this instant. */
  since?: Date;
  /** recordedAt strictly before this instant (so consecutive ranges do not overlap). */
  until?: Date;
  /** Only these kinds; every kind when empty or absent. */
  kinds?: readonly AuditKind[];
  /** Only entries after this position (a cursor from a previous page). */
  after?: string;
}

export function matchesAuditFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.after !== undefined && comparePositions(entry.position, filter.after) <= 0) return false;
  if (filter.version !== undefined && !entry.versions.includes(filter.version)) return false;
  const at = Date.parse(entry.recordedAt);
  if (filter.since && at < filter.since.getTime()) return false;
  if (filter.until && at >= filter.until.getTime()) return false;
  if (filter.kinds && filter.kinds.length > 0 && !filter.kinds.includes(entry.kind)) return false;
  return true;
}

/** Every entry of a model's history (events in log order) that passes the filter. */
export function auditEntries(modelId: string, events: readonly RecordedEvent[], filter: AuditFilter): AuditEntry[] {
  const trail = new AuditTrail(modelId);
  const entries: AuditEntry[] = [];
  for (const event of events) {
    const entry = trail.next(event);
    if (entry && matchesAuditFilter(entry, filter)) entries.push(entry);
  }
  return entries;
}
