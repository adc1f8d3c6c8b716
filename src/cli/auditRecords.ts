import type { AuditEntry } from '../registry/history/auditEntry.ts';
import type { Tabular } from './outputFormat.ts';

/**
 * The two export shapes of an audit trail. JSON lines: one object per change
 * event, every field present (null when empty) in a fixed order, changes as a
 * list. CSV: one row per changed field, the event's columns repeated, so a
 * transition that also archived a version gives two rows at one position.
 */

export function auditJsonLine(entry: AuditEntry): string {
  return JSON.stringify({
    position: entry.position,
    recordedAt: entry.recordedAt,
    actor: entry.actor,
    kind: entry.kind,
    model: entry.modelName,
    modelId: entry.modelId,
    version: entry.version ?? null,
    versions: entry.versions,
    changes: entry.changes.map((c) => ({ field: c.field, version: c.version ?? null, before: c.before, after: c.after })),
    comment: entry.comment ?? null,
    requestId: entry.requestId ?? null,
    requestedBy: entry.requestedBy ?? null,
    summary: entry.summary,
    eventId: entry.eventId,
    eventType: entry.eventType,
    streamId: entry.streamId,
    revision: entry.revision,
    causationId: entry.causationId ?? null,
    correlationId: entry.correlationId,
    prevHash: entry.prevHash ?? null,
    hash: entry.hash ?? null,
  });
}

export const AUDIT_CSV_COLUMNS = [
  'position',
  'recorded_at',
  'actor',
  'kind',
  'model',
  'version',
  'field',
  'field_version',
  'before',
  'after',
  'comment',
  'request_id',
  'requested_by',
  'event_id',
  'stream_id',
  'revision',
  'causation_id',
  'hash',
] as const;

export function auditCsvTable(entries: readonly AuditEntry[]): Tabular {
  const rows = entries.flatMap((e) =>
    e.changes.map((c) => ({
      position: e.position,
      recorded_at: e.recordedAt,
      actor: e.actor,
      kind: e.kind,
      model: e.modelName,
      version: e.version ?? null,
      field: c.field,
      field_version: c.version ?? null,
      before: c.before,
      after: c.after,
      comment: e.comment ?? null,
      request_id: e.requestId ?? null,
      requested_by: e.requestedBy ?? null,
      event_id: e.eventId,
      stream_id: e.streamId,
      revision: e.revision,
      causation_id: e.causationId ?? null,
      hash: e.hash ?? null,
    })),
  );
  return { columns: AUDIT_CSV_COLUMNS, rows };
}
