import { chiSquareSurvival } from './gammaFunctions.ts';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/**
 * Homogeneity test of reference against current counts: scipy's
 * `chi2_contingency` on the 2 × k table [reference; current], with Yates'
 * continuity correction when dof = 1 (scipy's default). Columns empty in both
 * rows are dropped first (scipy refuses a zero expected frequency). Null when
 * fewer than two columns or an empty row remain.
 */
export function chiSquareHomogeneity(reference: readonly number[], current: readonly number[]): ChiSquareResult | null {
  const columns: [number, number][] = [];
  for (let i = 0; i < reference.length; i++) if (reference[i] + current[i] > 0) columns.push([reference[i], current[i]]);
  const rowRef = columns.reduce((s, [r]) => s + r, 0);
  const rowCur = columns.reduce((s, [, c]) => s + c, 0);
  if (columns.length < 2 || rowRef === 0 || rowCur === 0) return null;
  const total = rowRef + rowCur;
  const dof = columns.length - 1;
  let statistic = 0;
  for (const [r, c] of columns) {
    const col = r + c;
    for (const [observed, row] of [
      [r, rowRef],
      [c, rowCur],
    ]) {
      const expected = (row * col) / total;
      // Yates: move each observed count half a unit towards its expectation, never past it.
      const diff = dof === 1 ? Math.max(0, Math.abs(observed - expected) - 0.5) : observed - expected;
      statistic += (diff * diff) / expected;
    }
  }
  return { statistic, pValue: chiSquareSurvival(statistic, dof), dof };
}
