import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../registry/history/auditEntry.ts';
import { AuditTrail, matchesAuditFilter, type AuditFilter } from '../registry/history/auditTrail.ts';
import type { LiveSpec } from './liveSpec.ts';
import { modelSources } from './modelRoutes.ts';

export interface AuditEntryPayload {
  cursor: string;
  entry: AuditEntry;
}

/**
 * A model's audit trail as a stream: each event is mapped against the model as it
 * was just before (the same mapping as the audit-trail query), so this subscription
 * folds the model's history from its start and keeps that state to itself.
 */
export function modelAuditSpec(modelId: string, filter: Pick<AuditFilter, 'version' | 'kinds'>): LiveSpec<AuditEntryPayload> {
  const trail = new AuditTrail(modelId);
  return {
    key: `model-audit\u0000${randomUUID()}`,
    ...modelSources(modelId),
    foldsHistory: true,
    select(event) {
      const entry = trail.next(event);
      return entry && matchesAuditFilter(entry, filter) ? { cursor: entry.position, entry } : undefined;
    },
  };
}
