import { useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../api/graphql.ts';
import { curveOf, type Curve, type MetricPoint } from './chartData.ts';
import type { StepRange } from './MetricChart.tsx';

const seriesQuery = `query Curves($runIds: [ID!]!, $key: String!, $maxPoints: Int!, $stepRange: LongRange) {
  metricSeries(runIds: $runIds, key: $key, maxPoints: $maxPoints, stepRange: $stepRange) {
    runId totalPoints downsampled points { step value timestamp }
  }
}`;

interface SeriesData {
  metricSeries: { runId: string; totalPoints: number; downsampled: boolean; points: MetricPoint[] }[];
}

export interface CurvesState {
  /** By run id, in the order asked. */
  curves: Map<string, Curve>;
  totalPoints: Map<string, number>;
  downsampled: boolean;
  loading: boolean;
  error?: Error;
}

/** The server's M4 keeps first/last/min/max per bucket: 4 points per pixel column draw exactly like every point. */
export function maxPointsFor(width: number): number {
  return Math.max(4, Math.min(10_000, Math.floor(width) * 4));
}

/**
 * One metric key of some runs, downsampled on the server to the chart's width (and to the
 * zoomed step range, re-queried at that range's full resolution). `reloadToken` asks again.
 */
export function useCurves(runIds: readonly string[], key: string, width: number, range: StepRange | null, reloadToken = 0): CurvesState {
  const [state, setState] = useState<CurvesState & { request?: string }>({ curves: new Map(), totalPoints: new Map(), downsampled: false, loading: true });
  const latest = useRef(0);
  const runKey = runIds.join(',');
  // Width changes of a few pixels do not justify a new query.
  const bucketWidth = Math.ceil(width / 100) * 100;
  // Which request the shown data answers: until the current one's answer is in, the state is loading
  // (even in the render between a new range and the effect that asks for it).
  const request = JSON.stringify([runKey, key, bucketWidth, range?.from, range?.to, reloadToken]);
  useEffect(() => {
    if (width <= 0 || runIds.length === 0) return;
    const id = ++latest.current;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    gql<SeriesData>(seriesQuery, { runIds, key, maxPoints: maxPointsFor(bucketWidth), stepRange: range }, controller.signal).then(
      (data) => {
        if (id !== latest.current) return;
        const curves = new Map<string, Curve>();
        const totals = new Map<string, number>();
        for (const s of data.metricSeries) {
          curves.set(s.runId, curveOf(s.points));
          totals.set(s.runId, s.totalPoints);
        }
        setState({ curves, totalPoints: totals, downsampled: data.metricSeries.some((s) => s.downsampled), loading: false, request });
      },
      (error: Error) => {
        if (id === latest.current && error.name !== 'AbortError') setState((s) => ({ ...s, loading: false, error, request }));
      },
    );
    return () => controller.abort();
  }, [runKey, key, bucketWidth, range?.from, range?.to, reloadToken]);
  return { ...state, loading: state.loading || state.request !== request };
}
