import type { ClassificationSums } from './classificationSums.ts';
import { compareCodePoints } from './confusionMetrics.ts';
import type { ScoreCells } from './scoreGrid.ts';

/**
 * ROC AUC from score-grid counts, as scikit-learn's roc_auc_score: the area under the
 * ROC curve through distinct thresholds (tied scores count a half), i.e. the
 * Mann–Whitney U over positive×negative pairs. `maxGridError` bounds how far the
 * value can be from the AUC of the unrounded scores: only pairs sharing a grid cell
 * can be misjudged, each by at most a half (0 when no positive and negative share a cell).
 */
export interface AucValue {
  value: number;
  maxGridError: number;
}

export function binaryAuc(cells: ScoreCells): AucValue | null {
  let positives = 0;
  let negatives = 0;
  let wins = 0;
  let shared = 0;
  // Cells are sorted by score.
  for (let i = 0; i < cells.k.length; i++) {
    const pos = cells.p[i];
    const neg = cells.n[i];
    // Every positive here beats every negative in the cells below, and ties those in its own cell.
    wins += pos * negatives + 0.5 * pos * neg;
    shared += pos * neg;
    positives += pos;
    negatives += neg;
  }
  if (positives === 0 || negatives === 0) return null;
  const pairs = positives * negatives;
  return { value: wins / pairs, maxGridError: (0.5 * shared) / pairs };
}

export interface AucSummary {
  /** Binary models: AUC of the positive class's score. Multiclass: one-vs-rest, macro average. */
  macro: AucValue | null;
  /** Multiclass only: one-vs-rest weighted by each class's prevalence in y_true (equal to macro for binary). */
  weighted: AucValue | null;
  perClass: { label: string; auc: AucValue | null; positives: number }[];
}

/**
 * Binary when the probabilities name two classes (scored for posLabel); otherwise
 * one-vs-rest over the classes present in y_true, as sklearn's multi_class="ovr".
 * Null when y_true holds a single class (sklearn raises).
 */
export function rocAuc(sums: ClassificationSums, posLabel: string): AucSummary {
  const classes = Object.keys(sums.scores).sort(compareCodePoints);
  const positivesOf = (cls: string) => (sums.scores[cls]?.p ?? []).reduce((s, pos) => s + pos, 0);
  if (classes.length <= 2) {
    const auc = sums.scores[posLabel] ? binaryAuc(sums.scores[posLabel]) : null;
    return { macro: auc, weighted: auc, perClass: auc ? [{ label: posLabel, auc, positives: positivesOf(posLabel) }] : [] };
  }
  const present = classes.filter((c) => positivesOf(c) > 0);
  if (present.length < 2) return { macro: null, weighted: null, perClass: classes.map((label) => ({ label, auc: null, positives: positivesOf(label) })) };
  const perClass = present.map((label) => ({ label, auc: binaryAuc(sums.scores[label]), positives: positivesOf(label) }));
  if (perClass.some((c) => c.auc === null)) return { macro: null, weighted: null, perClass };
  const total = perClass.reduce((s, c) => s + c.positives, 0);
  const macro = average(perClass.map((c) => [c.auc as AucValue, 1 / perClass.length]));
  const weighted = average(perClass.map((c) => [c.auc as AucValue, c.positives / total]));
  return { macro, weighted, perClass };
}

function average(parts: [AucValue, number][]): AucValue {
  let value = 0;
  let maxGridError = 0;
  for (const [auc, weight] of parts) {
    value += auc.value * weight;
    maxGridError += auc.maxGridError * weight;
  }
  return { value, maxGridError };
}
