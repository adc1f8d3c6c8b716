import { useEffect, useRef, useState } from 'preact/hooks';
import { formatValue, seriesColors } from '../lib/format.ts';
import { extendCurve, type Curve } from './chartData.ts';
import type { LiveCurves } from './liveCurves.ts';
import { MetricChart, type ChartSeries, type StepRange } from './MetricChart.tsx';
import { useCurves } from './useCurves.ts';
import { useElementWidth } from './useElementWidth.ts';
import { useLiveVersion } from './useLiveVersion.ts';

interface Props {
  metricKey: string;
  runs: readonly { id: string; label: string }[];
  /** Points arriving from the subscription, appended to the queried curves. */
  live?: LiveCurves;
  height?: number;
}

/** Past this many live points beyond the queried curve, query again (downsampled) instead of growing. */
const liveTailLimit = 5_000;

/** One metric key's chart for one or more runs: queried at the chart's width, zoomable, extended live. */
export function CurveCard({ metricKey, runs, live, height }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const width = useElementWidth(box);
  const [range, setRange] = useState<StepRange | null>(null);
  const [reloadToken, setReloadToken] = useState(0);
  const runIds = runs.map((r) => r.id);
  const state = useCurves(runIds, metricKey, width, range, reloadToken);
  useLiveVersion(live);

  let liveTail = 0;
  const series: ChartSeries[] = runs.map((run, i) => {
    const base: Curve = state.curves.get(run.id) ?? { x: [], y: [] };
    // A zoomed view is a fixed range: live points extend the whole curve only.
    const curve = range ? base : extendCurve(base, live?.get(run.id, metricKey));
    liveTail = Math.max(liveTail, curve.x.length - base.x.length);
    return { label: run.label, color: seriesColors[i % seriesColors.length], curve };
  });

  useEffect(() => {
    if (liveTail > liveTailLimit && !state.loading) {
      for (const run of runs) {
        const base = state.curves.get(run.id);
        if (base?.x.length) live?.dropThrough(run.id, metricKey, base.x[base.x.length - 1]);
      }
      setReloadToken((t) => t + 1);
    }
  }, [liveTail > liveTailLimit, state.loading]);

  const total = runIds.reduce((sum, id) => sum + (state.totalPoints.get(id) ?? 0), 0);
  const shown = series.reduce((sum, s) => sum + s.curve.x.length, 0);
  const lastOf = (s: ChartSeries) => {
    const n = s.curve.x.length;
    return n ? `step ${s.curve.x[n - 1]} = ${formatValue(s.curve.y[n - 1] ?? 'NaN')}` : 'no points';
  };
  const headingId = `chart-${metricKey.replace(/[^\w-]/g, '_')}-${runIds.length}`;

  return (
    <figure class="curve-card" aria-labelledby={headingId} data-metric={metricKey}>
      <div class="curve-head">
        <h3 id={headingId}>{metricKey}</h3>
        {range && (
          <button type="button" class="link-button" onClick={() => setRange(null)}>
            Reset zoom (steps {range.from}–{range.to})
          </button>
        )}
      </div>
      <div ref={box} class="chart-box">
        {state.error ? (
          <p class="error" role="alert">
            Could not load {metricKey}: {state.error.message}
          </p>
        ) : (
          <MetricChart label={`${metricKey} against step`} series={series} width={width} height={height} onZoom={setRange} />
        )}
      </div>
      <figcaption class="muted" data-testid="curve-caption">
        {state.loading
          ? 'Loading…'
          : `${shown} points shown${state.downsampled ? ` of ${total} (downsampled on the server)` : ''}${range ? ' in the zoomed range' : ''}; last: ${series.map(lastOf).join(', ')}`}
      </figcaption>
    </figure>
  );
}
