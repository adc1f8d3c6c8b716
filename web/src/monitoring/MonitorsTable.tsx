import { formatTime, formatValue } from '../lib/format.ts';
import { formatMs, ruleText, type MonitorRow } from './monitoringTypes.ts';
import { StateBadge } from './StateBadge.tsx';

/** Monitors with their rule, window, state and the window as it stands now. */
export function MonitorsTable({ monitors, showModel }: { monitors: readonly MonitorRow[]; showModel?: boolean }) {
  if (monitors.length === 0) return <p class="muted">No monitors.</p>;
  return (
    <div class="wide-table">
      <table class="grid" aria-label="Monitors">
        <thead>
          <tr>
            <th scope="col">Monitor</th>
            {showModel && <th scope="col">Model</th>}
            <th scope="col">Watches</th>
            <th scope="col">Rule</th>
            <th scope="col">Window</th>
            <th scope="col">State</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          {monitors.map((m) => (
            <tr key={m.id} data-monitor={m.name}>
              <th scope="row">{m.name}</th>
              {showModel && (
                <td>
                  {m.model} {m.alias ? `@${m.alias}` : m.version !== null ? `v${m.version}` : ''}
                </td>
              )}
              <td>{m.metric ?? `${m.driftStatistic} of ${m.driftFeature}`}</td>
              <td>{ruleText(m)}</td>
              <td>
                {formatMs(m.windowMs)}
                {m.forMs > 0 && <span class="muted"> · pending {formatMs(m.forMs)}</span>}
              </td>
              <td>
                <StateBadge state={m.state} /> <span class="muted">since {formatTime(m.stateSince)}</span>
              </td>
              <td>
                {m.current ? (
                  <>
                    {formatValue(m.current.value)} <StateBadge state={m.current.verdict} />
                    {m.current.baseline !== null && <span class="muted"> · training {formatValue(m.current.baseline)}</span>}
                    {m.current.labelCoverage !== null && <span class="muted"> · labels {(m.current.labelCoverage * 100).toFixed(0)}%</span>}
                    <div class="muted small">{m.current.reason}</div>
                  </>
                ) : (
                  ''
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
