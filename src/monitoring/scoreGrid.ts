/**
 * Scores are kept per bucket as counts on a fixed grid of 1e-3 (probabilities lie in
 * [0, 1], so at most 1 001 cells per class), so buckets merge by adding counts and a
 * window's size does not grow with its row count. ROC AUC from these counts equals
 * scikit-learn's exactly when scores carry at most three decimals; otherwise only
 * pairs that share a grid cell can be misjudged, and the window reports that bound
 * (see rocAuc.ts).
 */
export const SCORE_GRID = 1e-3;

export function scoreKey(score: number): number {
  return Math.round(score / SCORE_GRID);
}

/**
 * One class's cells as parallel arrays sorted by cell (compact in JSON, fast to parse
 * and to merge): rows whose true class is the class (pos) and the others (neg).
 */
export interface ScoreCells {
  k: number[];
  p: number[];
  n: number[];
}

export const emptyCells = (): ScoreCells => ({ k: [], p: [], n: [] });

function indexOf(cells: ScoreCells, key: number): number {
  let lo = 0;
  let hi = cells.k.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cells.k[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds (or, with negative counts, takes back) rows in one cell; a cell that reaches zero is dropped. */
export function addToCell(cells: ScoreCells, key: number, pos: number, neg: number): void {
  const i = indexOf(cells, key);
  if (cells.k[i] === key) {
    cells.p[i] += pos;
    cells.n[i] += neg;
    if (cells.p[i] === 0 && cells.n[i] === 0) {
      cells.k.splice(i, 1);
      cells.p.splice(i, 1);
      cells.n.splice(i, 1);
    }
    return;
  }
  cells.k.splice(i, 0, key);
  cells.p.splice(i, 0, pos);
  cells.n.splice(i, 0, neg);
}

/** The sum of two cell lists (a sorted merge). */
export function mergeCells(a: ScoreCells, b: ScoreCells): ScoreCells {
  const out = emptyCells();
  let i = 0;
  let j = 0;
  const push = (k: number, p: number, n: number) => {
    if (p === 0 && n === 0) return;
    out.k.push(k);
    out.p.push(p);
    out.n.push(n);
  };
  while (i < a.k.length || j < b.k.length) {
    if (j >= b.k.length || (i < a.k.length && a.k[i] < b.k[j])) {
      push(a.k[i], a.p[i], a.n[i]);
      i++;
    } else if (i >= a.k.length || b.k[j] < a.k[i]) {
      push(b.k[j], b.p[j], b.n[j]);
      j++;
    } else {
      push(a.k[i], a.p[i] + b.p[j], a.n[i] + b.n[j]);
      i++;
      j++;
    }
  }
  return out;
}

/** Cells of probabilities: 0 … 1/SCORE_GRID. */
export const MAX_CELL = Math.round(1 / SCORE_GRID);

/**
 * Adds many buckets' cells of one class into dense counters (a window merge over
 * thousands of buckets), falling back to sorted merges for cells off the [0, 1] grid.
 */
export class DenseCells {
  private readonly pos = new Float64Array(MAX_CELL + 1);
  private readonly neg = new Float64Array(MAX_CELL + 1);
  private outside = emptyCells();

  add(cells: ScoreCells): void {
    for (let i = 0; i < cells.k.length; i++) {
      const key = cells.k[i];
      if (key >= 0 && key <= MAX_CELL) {
        this.pos[key] += cells.p[i];
        this.neg[key] += cells.n[i];
      } else addToCell(this.outside, key, cells.p[i], cells.n[i]);
    }
  }

  cells(): ScoreCells {
    const inside = emptyCells();
    for (let key = 0; key <= MAX_CELL; key++) {
      if (this.pos[key] === 0 && this.neg[key] === 0) continue;
      inside.k.push(key);
      inside.p.push(this.pos[key]);
      inside.n.push(this.neg[key]);
    }
    return this.outside.k.length === 0 ? inside : mergeCells(inside, this.outside);
  }
}
