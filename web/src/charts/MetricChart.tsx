import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatValue } from '../lib/format.ts';
import { alignedData, type Curve } from './chartData.ts';

export interface ChartSeries {
  label: string;
  color: string;
  curve: Curve;
}

export interface StepRange {
  from: number;
  to: number;
}

interface Props {
  /** For screen readers: what the chart shows. */
  label: string;
  series: ChartSeries[];
  width: number;
  height?: number;
  /** Called with the dragged x range, or null on double-click (back to the whole curve). */
  onZoom?(range: StepRange | null): void;
  /** Extra lines drawn flat across the chart, e.g. a threshold. */
  guides?: { label: string; color: string; value: number }[];
  /** x is time in epoch seconds (uPlot's time axis) instead of steps. */
  timeAxis?: boolean;
}

/**
 * A uPlot line chart of metric curves against step. uPlot draws a million points on a
 * canvas without trouble, and the server sends only as many as the chart is wide anyway.
 * Drag to zoom (the parent re-queries that range at full resolution), double-click to reset.
 */
export function MetricChart({ label, series, width, height = 220, onZoom, guides = [], timeAxis = false }: Props) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomHandler = useRef(onZoom);
  zoomHandler.current = onZoom;
  const shape = `${series.map((s) => `${s.label}\u0000${s.color}`).join('\u0001')}|${guides.map((g) => `${g.label}\u0000${g.value}`).join('\u0001')}`;

  const data = (): uPlot.AlignedData => {
    const aligned = alignedData(series.map((s) => s.curve));
    if (guides.length === 0) return aligned;
    const xs = aligned[0] as number[];
    return [...aligned, ...guides.map((g) => xs.map(() => g.value))] as uPlot.AlignedData;
  };

  // A new uPlot when the set of series changes; otherwise only new data (cheap).
  useEffect(() => {
    if (!target.current || width <= 0) return;
    const options: uPlot.Options = {
      width,
      height,
      scales: { x: { time: timeAxis } },
      axes: [timeAxis ? {} : { label: 'step', size: 36 }, { size: 56 }],
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { live: true },
      series: [
        { label: timeAxis ? 'time' : 'step' },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatValue(v)) })),
        ...guides.map((g) => ({ label: g.label, stroke: g.color, width: 1.5, dash: [6, 4], points: { show: false } })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomHandler.current?.({ from: Math.floor(from), to: Math.ceil(to) });
          },
        ],
      },
    };
    const instance = new uPlot(options, data(), target.current);
    // uPlot's legend is a table of the values under the cursor: named for screen readers.
    instance.root.querySelector('.u-legend')?.setAttribute('aria-label', `${label}: values at the cursor`);
    const reset = () => zoomHandler.current?.(null);
    instance.over.addEventListener('dblclick', reset);
    plot.current = instance;
    return () => {
      instance.over.removeEventListener('dblclick', reset);
      instance.destroy();
      plot.current = null;
    };
    // Data changes go through setData below.
  }, [shape, height, width > 0, timeAxis]);

  useEffect(() => {
    plot.current?.setData(data());
  }, [series, guides]);

  useEffect(() => {
    if (plot.current && width > 0 && plot.current.width !== width) plot.current.setSize({ width, height });
  }, [width, height]);

  return <div class="chart" ref={target} role="img" aria-label={label} />;
}
