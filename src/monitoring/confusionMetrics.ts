/**
 * Accuracy and precision/recall/F1 from confusion counts, as scikit-learn 1.2
 * (`precision_recall_fscore_support`) defines them: labels are those present in
 * y_true ∪ y_pred, a 0/0 ratio becomes `zero_division` (0 or 1; sklearn's "warn"
 * acts as 0), F1 = 2PR/(P+R) of the substituted P and R, and 0 when P+R = 0.
 * Where sklearn raises (average "binary" on more than two classes, or with a
 * pos_label absent while two other classes are present) the value is null.
 */
export type Average = 'binary' | 'micro' | 'macro' | 'weighted';
export type ZeroDivision = 0 | 1;

export type Confusion = Record<string, Record<string, number>>;

export interface PrecisionRecallF1 {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface ClassCounts {
  label: string;
  tp: number;
  predicted: number;
  actual: number;
}

/** Labels in y_true ∪ y_pred, sorted by code point (numpy's order for strings). */
export function presentLabels(confusion: Confusion): string[] {
  const labels = new Set<string>();
  for (const [t, row] of Object.entries(confusion)) {
    labels.add(t);
    for (const p of Object.keys(row)) labels.add(p);
  }
  return [...labels].sort(compareCodePoints);
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function labelledCount(confusion: Confusion): number {
  let n = 0;
  for (const row of Object.values(confusion)) for (const c of Object.values(row)) n += c;
  return n;
}

export function classCounts(confusion: Confusion, labels: readonly string[]): ClassCounts[] {
  return labels.map((label) => {
    let predicted = 0;
    for (const row of Object.values(confusion)) predicted += row[label] ?? 0;
    let actual = 0;
    for (const c of Object.values(confusion[label] ?? {})) actual += c;
    return { label, tp: confusion[label]?.[label] ?? 0, predicted, actual };
  });
}

export function accuracy(confusion: Confusion): number | null {
  const n = labelledCount(confusion);
  if (n === 0) return null;
  let correct = 0;
  for (const [t, row] of Object.entries(confusion)) correct += row[t] ?? 0;
  return correct / n;
}

/**
 * The positive class when none is given: '1' when it is a class here (sklearn's pos_label=1),
 * else the greatest class in sorted order (what roc_auc_score takes as positive).
 */
export function defaultPosLabel(classes: readonly string[]): string {
  if (classes.length === 0 || classes.includes('1')) return '1';
  return [...classes].sort(compareCodePoints)[classes.length - 1];
}

const divide = (num: number, den: number, zd: ZeroDivision) => (den === 0 ? zd : num / den);
const fScore = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

function perClass(counts: ClassCounts, zd: ZeroDivision): { precision: number; recall: number; f1: number } {
  const precision = divide(counts.tp, counts.predicted, zd);
  const recall = divide(counts.tp, counts.actual, zd);
  return { precision, recall, f1: fScore(precision, recall) };
}

export function precisionRecallF1(confusion: Confusion, average: Average, zd: ZeroDivision, posLabel?: string): PrecisionRecallF1 {
  const none = { precision: null, recall: null, f1: null };
  if (labelledCount(confusion) === 0) return none;
  const labels = presentLabels(confusion);
  if (average === 'binary') {
    const pos = posLabel ?? defaultPosLabel(labels);
    if (labels.length > 2 || (!labels.includes(pos) && labels.length >= 2)) return none;
    return perClass(classCounts(confusion, [pos])[0], zd);
  }
  const counts = classCounts(confusion, labels);
  if (average === 'micro') {
    const sum = counts.reduce((s, c) => ({ label: '', tp: s.tp + c.tp, predicted: s.predicted + c.predicted, actual: s.actual + c.actual }), { label: '', tp: 0, predicted: 0, actual: 0 });
    return perClass(sum, zd);
  }
  const scores = counts.map((c) => perClass(c, zd));
  if (average === 'macro') {
    const mean = (pick: (s: (typeof scores)[number]) => number) => scores.reduce((s, x) => s + pick(x), 0) / scores.length;
    return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
  }
  const totalWeight = counts.reduce((s, c) => s + c.actual, 0);
  if (totalWeight === 0) {
    const anyPredicted = counts.some((c) => c.predicted > 0);
    return anyPredicted ? { precision: 0, recall: zd, f1: 0 } : { precision: zd, recall: zd, f1: zd };
  }
  const weighted = (pick: (s: (typeof scores)[number]) => number) => scores.reduce((s, x, i) => s + pick(x) * counts[i].actual, 0) / totalWeight;
  return { precision: weighted((s) => s.precision), recall: weighted((s) => s.recall), f1: weighted((s) => s.f1) };
}
