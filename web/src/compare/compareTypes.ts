import type { MetricValue } from '../lib/format.ts';

export interface CompareRun {
  id: string;
  name: string;
  status: string;
  experimentId: string;
  params: { key: string; value: string }[];
  latestMetrics: { key: string; value: MetricValue; step: number }[];
}

export const runLabel = (run: CompareRun) => run.name || run.id.slice(0, 8);
