import { formatTime } from '../lib/format.ts';
import type { AuditEntryRow } from './registryTypes.ts';

const kindLabels: Record<string, string> = {
  STAGE_TRANSITIONED: 'Stage',
  TRANSITION_REQUESTED: 'Request',
  TRANSITION_APPROVED: 'Approved',
  TRANSITION_REJECTED: 'Rejected',
  ALIAS_SET: 'Alias',
  ALIAS_DELETED: 'Alias',
  VERSION_CREATED: 'Version',
  MODEL_CREATED: 'Created',
};

/** Every change of a model, newest first: who, when, what before → after, and why. */
export function AuditTimeline({ entries, onAsOf }: { entries: readonly AuditEntryRow[]; onAsOf(at: string): void }) {
  if (entries.length === 0) return <p class="muted">No changes recorded.</p>;
  const newestFirst = [...entries].reverse();
  return (
    <ol class="timeline" aria-label="Audit timeline, newest first">
      {newestFirst.map((e) => (
        <li key={e.cursor} class={`kind-${e.kind.toLowerCase()}`} data-kind={e.kind}>
          <div class="when">
            <time dateTime={e.recordedAt} title={e.recordedAt}>
              {formatTime(e.recordedAt)}
            </time>
          </div>
          <div class="what">
            <p class="summary">
              <span class="badge kind">{kindLabels[e.kind] ?? e.kind.toLowerCase().replace(/_/g, ' ')}</span> {e.summary}
            </p>
            <p class="who">
              by <strong>{e.actor}</strong>
              {e.requestedBy && e.requestedBy !== e.actor && <> (requested by {e.requestedBy})</>}
            </p>
            {e.comment && (
              <blockquote class="why" aria-label="Reason">
                {e.comment}
              </blockquote>
            )}
            {e.changes.length > 0 && (
              <ul class="changes">
                {e.changes.map((c, i) => (
                  <li key={i}>
                    <span class="mono">
                      {c.version !== null ? `v${c.version} ` : ''}
                      {c.field}
                    </span>
                    : {c.before === null ? <span class="muted">∅</span> : <del>{c.before}</del>} → {c.after === null ? <span class="muted">∅</span> : <ins>{c.after}</ins>}
                  </li>
                ))}
              </ul>
            )}
            <button type="button" class="link-button" onClick={() => onAsOf(e.recordedAt)}>
              View the model as of this change
            </button>
          </div>
        </li>
      ))}
    </ol>
  );
}
