/**
 * First Wasserstein distance between two weighted samples on the line, as scipy's
 * `stats.wasserstein_distance(u, v, u_weights, v_weights)`: ∫ |U(x) − V(x)| dx over
 * the pooled sorted support, with U and V the weighted empirical CDFs.
 */
export function wasserstein1(uValues: readonly number[], vValues: readonly number[], uWeights?: readonly number[], vWeights?: readonly number[]): number | null {
  const uw = uWeights ?? uValues.map(() => 1);
  const vw = vWeights ?? vValues.map(() => 1);
  const uTotal = uw.reduce((s, x) => s + x, 0);
  const vTotal = vw.reduce((s, x) => s + x, 0);
  if (uTotal <= 0 || vTotal <= 0) return null;
  const points: [number, number, number][] = [];
  uValues.forEach((x, i) => points.push([x, uw[i], 0]));
  vValues.forEach((x, i) => points.push([x, 0, vw[i]]));
  points.sort((a, b) => a[0] - b[0]);
  let u = 0;
  let v = 0;
  let distance = 0;
  for (let i = 0; i < points.length - 1; i++) {
    u += points[i][1];
    v += points[i][2];
    distance += Math.abs(u / uTotal - v / vTotal) * (points[i + 1][0] - points[i][0]);
  }
  return distance;
}
