import { formatTime, formatValue } from '../lib/format.ts';
import type { AlertRow } from './monitoringTypes.ts';
import { StateBadge } from './StateBadge.tsx';

/** Alert transitions, newest first: when, which monitor, from → to, the value and why. */
export function AlertHistory({ alerts }: { alerts: readonly AlertRow[] }) {
  if (alerts.length === 0) return <p class="muted">No alert transitions.</p>;
  return (
    <ol class="timeline alerts" aria-label="Alert history, newest first">
      {alerts.map((a) => (
        <li key={a.id} data-alert-to={a.to}>
          <div class="when">
            <time dateTime={new Date(a.at).toISOString()}>{formatTime(a.at)}</time>
          </div>
          <div class="what">
            <p class="summary">
              <strong>{a.monitorName}</strong> ({a.model} v{a.version}): <StateBadge state={a.from} /> → <StateBadge state={a.to} />
            </p>
            <p class="muted">
              value {formatValue(a.value)}
              {a.baseline !== null && <> · training {formatValue(a.baseline)}</>}
              {a.labelCoverage !== null && <> · labels {(a.labelCoverage * 100).toFixed(0)}%</>} · {a.reason}
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}
