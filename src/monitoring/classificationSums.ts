import { addToCell, emptyCells, mergeCells, scoreKey, type ScoreCells } from './scoreGrid.ts';

/** What classification metrics need from a set of labelled predictions; every part adds up across buckets. */
export interface ClassificationSums {
  /** true class → predicted class → count (labelled predictions only; zero counts are removed). */
  confusion: Record<string, Record<string, number>>;
  /** Σ −ln p(true class), clipped and renormalised as scikit-learn's log_loss does, over labelled predictions with probabilities. */
  logLossSum: number;
  logLossCount: number;
  /** class c → its score cells: rows whose true class is c, and the others, per grid cell (one-vs-rest ROC AUC). */
  scores: Record<string, ScoreCells>;
}

export const emptyClassificationSums = (): ClassificationSums => ({ confusion: {}, logLossSum: 0, logLossCount: 0, scores: {} });

export interface ClassPrediction {
  predictedClass: string;
  probabilities?: Record<string, number>;
}

/** scikit-learn ≥ 1.2 clips with the float64 machine epsilon ("auto"). */
const EPS = 2.220446049250313e-16;

/** −ln of the true class's probability after clipping every probability to [eps, 1−eps] and renormalising the row (sklearn 1.2 log_loss). */
export function logLossTerm(probabilities: Record<string, number>, label: string): number {
  const clip = (p: number) => Math.min(Math.max(p, EPS), 1 - EPS);
  let total = 0;
  for (const p of Object.values(probabilities)) total += clip(p);
  return -Math.log(clip(probabilities[label] ?? 0) / total);
}

/** Adds (sign 1) or takes back (sign −1, a corrected label) one labelled prediction. */
export function applyClassLabel(sums: ClassificationSums, prediction: ClassPrediction, label: string, sign: 1 | -1): void {
  bump(sums.confusion, label, prediction.predictedClass, sign);
  const probabilities = prediction.probabilities;
  if (!probabilities) return;
  sums.logLossSum += sign * logLossTerm(probabilities, label);
  sums.logLossCount += sign;
  for (const [cls, p] of Object.entries(probabilities)) {
    const cells = (sums.scores[cls] ??= emptyCells());
    addToCell(cells, scoreKey(p), cls === label ? sign : 0, cls === label ? 0 : sign);
    if (cells.k.length === 0) delete sums.scores[cls];
  }
}

export function mergeClassificationInto(target: ClassificationSums, source: ClassificationSums): void {
  for (const [t, row] of Object.entries(source.confusion)) for (const [p, n] of Object.entries(row)) bump(target.confusion, t, p, n);
  target.logLossSum += source.logLossSum;
  target.logLossCount += source.logLossCount;
  for (const [cls, cells] of Object.entries(source.scores)) {
    const merged = target.scores[cls] ? mergeCells(target.scores[cls], cells) : mergeCells(emptyCells(), cells);
    if (merged.k.length === 0) delete target.scores[cls];
    else target.scores[cls] = merged;
  }
}

/** Zero counts are dropped: a class that no longer occurs must not count as present in macro averages. */
function bump(confusion: Record<string, Record<string, number>>, t: string, p: string, by: number): void {
  const row = (confusion[t] ??= {});
  const next = (row[p] ?? 0) + by;
  if (next === 0) delete row[p];
  else row[p] = next;
  if (Object.keys(row).length === 0) delete confusion[t];
}
