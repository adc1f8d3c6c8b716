import { metricNumber, type MetricValue } from '../lib/format.ts';
import type { Curve } from './chartData.ts';

export interface LivePoint {
  key: string;
  step: number;
  value: MetricValue;
  timestamp: number;
}

/**
 * Points received from the runMetrics subscription, per run and key, for the charts to
 * append to the curves they queried. Listeners hear about new points at most once per
 * animation frame, however fast they arrive.
 */
export class LiveCurves {
  private readonly curves = new Map<string, Curve & { latest: LivePoint }>();
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  version = 0;

  private static id(runId: string, key: string): string {
    return `${runId}\u0000${key}`;
  }

  add(runId: string, points: readonly LivePoint[]): void {
    for (const p of points) {
      const id = LiveCurves.id(runId, p.key);
      let curve = this.curves.get(id);
      if (!curve) this.curves.set(id, (curve = { x: [], y: [], latest: p }));
      const v = metricNumber(p.value);
      curve.x.push(p.step);
      curve.y.push(Number.isFinite(v) ? v : null);
      // MLflow's latest: the largest (step, timestamp).
      if (p.step > curve.latest.step || (p.step === curve.latest.step && p.timestamp >= curve.latest.timestamp)) curve.latest = p;
    }
    this.version++;
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => {
        this.scheduled = false;
        for (const listener of this.listeners) listener();
      });
    }
  }

  get(runId: string, key: string): Curve | undefined {
    return this.curves.get(LiveCurves.id(runId, key));
  }

  latest(runId: string, key: string): LivePoint | undefined {
    return this.curves.get(LiveCurves.id(runId, key))?.latest;
  }

  /** Metric keys seen live for a run (a metric logged for the first time gets a chart). */
  keys(runId: string): string[] {
    const prefix = `${runId}\u0000`;
    return [...this.curves.keys()].filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length));
  }

  /** Forgets points up to x once a query has them (keeps a long live session's memory flat). */
  dropThrough(runId: string, key: string, x: number): void {
    const curve = this.curves.get(LiveCurves.id(runId, key));
    if (!curve) return;
    let keep = 0;
    while (keep < curve.x.length && curve.x[keep] <= x) keep++;
    curve.x.splice(0, keep);
    curve.y.splice(0, keep);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
