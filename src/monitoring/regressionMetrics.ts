import type { RegressionSums } from './regressionSums.ts';

export interface RegressionMetrics {
  mse: number | null;
  rmse: number | null;
  mae: number | null;
  /** scikit-learn's r2_score with force_finite: constant y_true gives 1 for a perfect fit, else 0; null below two samples (sklearn: nan). */
  r2: number | null;
}

export function regressionMetrics(sums: RegressionSums): RegressionMetrics {
  if (sums.n === 0) return { mse: null, rmse: null, mae: null, r2: null };
  const mse = Math.max(0, sums.sumSqErr) / sums.n;
  return { mse, rmse: Math.sqrt(mse), mae: Math.max(0, sums.sumAbsErr) / sums.n, r2: r2(sums) };
}

function r2(sums: RegressionSums): number | null {
  if (sums.n < 2) return null;
  const residual = Math.max(0, sums.sumSqErr);
  if (sums.m2Y === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / sums.m2Y;
}
