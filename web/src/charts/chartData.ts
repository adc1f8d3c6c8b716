import uPlot from 'uplot';
import { metricNumber, type MetricValue } from '../lib/format.ts';

/** One curve as the chart draws it: x (step) ascending, y null where the value cannot be drawn. */
export interface Curve {
  x: number[];
  y: (number | null)[];
}

export interface MetricPoint {
  step: number;
  value: MetricValue;
  timestamp: number;
}

export function curveOf(points: readonly MetricPoint[]): Curve {
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (const p of points) {
    const v = metricNumber(p.value);
    x.push(p.step);
    // NaN and ±Infinity cannot be drawn: a gap, as MLflow's charts do.
    y.push(Number.isFinite(v) ? v : null);
  }
  return { x, y };
}

/**
 * The points of `live` beyond the end of `base`, appended: live points arrive in log
 * order, and a replay from the seam cursor may repeat points the query already had.
 */
export function extendCurve(base: Curve, live: Curve | undefined): Curve {
  if (!live || live.x.length === 0) return base;
  const end = base.x.length ? base.x[base.x.length - 1] : -Infinity;
  let from = 0;
  while (from < live.x.length && live.x[from] <= end) from++;
  if (from === live.x.length) return base;
  const x = base.x.concat(live.x.slice(from));
  const y = base.y.concat(live.y.slice(from));
  // Out-of-order steps among the live points: keep x ascending for the chart.
  for (let i = base.x.length + 1; i < x.length; i++) {
    if (x[i] < x[i - 1]) return sortCurve({ x, y });
  }
  return { x, y };
}

function sortCurve(curve: Curve): Curve {
  const order = curve.x.map((_, i) => i).sort((a, b) => curve.x[a] - curve.x[b]);
  return { x: order.map((i) => curve.x[i]), y: order.map((i) => curve.y[i]) };
}

/** One value per x (the last), as uPlot.join needs when curves are overlaid. */
function uniqueX(curve: Curve): Curve {
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (let i = 0; i < curve.x.length; i++) {
    if (x.length && x[x.length - 1] === curve.x[i]) y[y.length - 1] = curve.y[i];
    else {
      x.push(curve.x[i]);
      y.push(curve.y[i]);
    }
  }
  return { x, y };
}

/** uPlot's data: one x array shared by every series (overlaid curves joined on x, gaps spanned). */
export function alignedData(curves: readonly Curve[]): uPlot.AlignedData {
  if (curves.length === 1) return [curves[0].x, curves[0].y];
  if (curves.length === 0) return [[]];
  return uPlot.join(curves.map((c) => {
    const u = uniqueX(c);
    return [u.x, u.y] as uPlot.AlignedData;
  }));
}
