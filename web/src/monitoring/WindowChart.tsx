import { useRef } from 'preact/hooks';
import { MetricChart } from '../charts/MetricChart.tsx';
import { useElementWidth } from '../charts/useElementWidth.ts';
import { formatValue } from '../lib/format.ts';
import type { MonitoringWindow } from './monitoringTypes.ts';

interface Props {
  label: string;
  windows: readonly MonitoringWindow[];
  read(w: MonitoringWindow): number | null;
  threshold?: number;
  baseline?: number;
}

/** One production metric over time (a point per window), with the monitor's threshold and the training baseline drawn across. */
export function WindowChart({ label, windows, read, threshold, baseline }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const width = useElementWidth(box);
  const x = windows.map((w) => w.start / 1000);
  const y = windows.map(read);
  const guides = [
    ...(threshold !== undefined ? [{ label: 'threshold', color: '#d55e00', value: threshold }] : []),
    ...(baseline !== undefined ? [{ label: 'training', color: '#009e73', value: baseline }] : []),
  ];
  const lastIndex = y.findLastIndex((v) => v !== null);
  const headingId = `window-chart-${label.replace(/[^\w-]/g, '_')}`;
  return (
    <figure class="curve-card" data-metric={label} aria-labelledby={headingId}>
      <div class="curve-head">
        <h3 id={headingId}>{label}</h3>
      </div>
      <div ref={box} class="chart-box">
        <MetricChart label={`${label} per window over time`} series={[{ label: 'production', color: '#0072b2', curve: { x, y } }]} width={width} height={180} guides={guides} timeAxis />
      </div>
      <figcaption class="muted" data-testid="window-caption">
        {lastIndex >= 0 ? `latest window: ${formatValue(y[lastIndex]!)}` : 'no value in range'}
        {threshold !== undefined && ` · threshold ${formatValue(threshold)}`}
        {baseline !== undefined && ` · training ${formatValue(baseline)}`}
      </figcaption>
    </figure>
  );
}
