/**
 * numpy's default quantile (method="linear", Hyndman–Fan type 7) of sorted values,
 * with numpy's two-sided interpolation so results match it to the last bit.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const t = position - lower;
  const a = sorted[lower];
  const b = sorted[upper];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Sorted, without repeats. */
export function distinctSorted(values: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of [...values].sort((x, y) => x - y)) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return out;
}
