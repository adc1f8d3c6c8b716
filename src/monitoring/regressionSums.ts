/**
 * What regression metrics need, mergeable and reversible: the target's count, mean and
 * sum of squared deviations (Welford/Chan, numerically stable for R²'s denominator),
 * and sums of the errors.
 */
export interface RegressionSums {
  n: number;
  meanY: number;
  m2Y: number;
  sumSqErr: number;
  sumAbsErr: number;
}

export const emptyRegressionSums = (): RegressionSums => ({ n: 0, meanY: 0, m2Y: 0, sumSqErr: 0, sumAbsErr: 0 });

/** Adds (sign 1) or takes back (sign −1) one labelled prediction. */
export function applyRegressionLabel(sums: RegressionSums, predicted: number, actual: number, sign: 1 | -1): void {
  const error = predicted - actual;
  sums.sumSqErr += sign * error * error;
  sums.sumAbsErr += sign * Math.abs(error);
  if (sign === 1) {
    sums.n += 1;
    const delta = actual - sums.meanY;
    sums.meanY += delta / sums.n;
    sums.m2Y += delta * (actual - sums.meanY);
  } else if (sums.n <= 1) {
    Object.assign(sums, emptyRegressionSums());
  } else {
    const before = sums.meanY;
    sums.n -= 1;
    sums.meanY = (before * (sums.n + 1) - actual) / sums.n;
    sums.m2Y = Math.max(0, sums.m2Y - (actual - before) * (actual - sums.meanY));
  }
}

export function mergeRegressionInto(target: RegressionSums, source: RegressionSums): void {
  if (source.n === 0) return;
  if (target.n === 0) {
    Object.assign(target, source);
    return;
  }
  const n = target.n + source.n;
  const delta = source.meanY - target.meanY;
  target.m2Y += source.m2Y + (delta * delta * target.n * source.n) / n;
  target.meanY += (delta * source.n) / n;
  target.n = n;
  target.sumSqErr += source.sumSqErr;
  target.sumAbsErr += source.sumAbsErr;
}
