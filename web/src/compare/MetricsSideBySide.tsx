import type { LiveCurves } from '../charts/liveCurves.ts';
import { useLiveVersion } from '../charts/useLiveVersion.ts';
import { formatValue, metricNumber, seriesColors, type MetricValue } from '../lib/format.ts';
import { runLabel, type CompareRun } from './compareTypes.ts';

/** Each metric's latest value per run; the smallest and largest of a row are marked. */
export function MetricsSideBySide({ runs, live }: { runs: readonly CompareRun[]; live?: LiveCurves }) {
  useLiveVersion(live);
  const latest = runs.map((run) => {
    const byKey = new Map<string, { value: MetricValue; step: number }>(run.latestMetrics.map((m) => [m.key, m]));
    for (const key of live?.keys(run.id) ?? []) {
      const point = live!.latest(run.id, key)!;
      const known = byKey.get(key);
      if (!known || point.step >= known.step) byKey.set(key, point);
    }
    return byKey;
  });
  const keys = [...new Set(latest.flatMap((m) => [...m.keys()]))].sort();
  if (keys.length === 0) return <p class="muted">No metrics logged.</p>;
  return (
    <div class="wide-table">
      <table class="grid compare-table" aria-label="Latest metrics side by side">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {runs.map((run, i) => (
              <th key={run.id} scope="col">
                <span class="swatch" style={{ background: seriesColors[i % seriesColors.length] }} aria-hidden="true" />
                {runLabel(run)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const numbers = latest.map((m) => (m.has(key) ? metricNumber(m.get(key)!.value) : NaN)).filter(Number.isFinite);
            const min = Math.min(...numbers);
            const max = Math.max(...numbers);
            return (
              <tr key={key}>
                <th scope="row">{key}</th>
                {latest.map((m, i) => {
                  const point = m.get(key);
                  const n = point ? metricNumber(point.value) : NaN;
                  const mark = numbers.length > 1 && min !== max ? (n === min ? 'min' : n === max ? 'max' : undefined) : undefined;
                  return (
                    <td key={runs[i].id} class={`num${mark ? ` ${mark}` : ''}`} title={mark && `${mark === 'min' ? 'Smallest' : 'Largest'} of the row`}>
                      {point ? formatValue(point.value) : '—'}
                      {mark && <span class="visually-hidden"> ({mark === 'min' ? 'smallest' : 'largest'})</span>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
