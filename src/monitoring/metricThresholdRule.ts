import type { ThresholdRule } from '../events/monitoringEvents.ts';

/**
 * MLflow's MetricThreshold fields, read for monitoring: the live value is held to
 * every bound given. `threshold` is an absolute bound; `minAbsoluteChange` and
 * `minRelativeChange` are how much worse than the source run's training metric
 * (the baseline) the live value may get. (MLflow uses the same fields to demand that
 * a candidate model *improve* on a baseline by that much; here the training run is
 * the baseline and the change is the tolerated degradation.) greaterIsBetter says
 * which side is worse.
 *
 * breach: some bound is violated. clear: every bound is met by at least
 * recoveryMargin (the hysteresis band a firing alert must get past to resolve).
 * hold: neither. unknown: a change rule without a baseline metric to compare with.
 */
export type RuleVerdict = 'breach' | 'clear' | 'hold' | 'unknown';

export interface Bound {
  kind: 'threshold' | 'min_absolute_change' | 'min_relative_change';
  /** The worst acceptable value. */
  value: number;
}

export function boundsOf(rule: ThresholdRule, baseline: number | null): Bound[] | null {
  const bounds: Bound[] = [];
  const worse = rule.greaterIsBetter ? -1 : 1;
  if (rule.threshold !== undefined) bounds.push({ kind: 'threshold', value: rule.threshold });
  if (rule.minAbsoluteChange !== undefined || rule.minRelativeChange !== undefined) {
    if (baseline === null) return null;
    if (rule.minAbsoluteChange !== undefined) bounds.push({ kind: 'min_absolute_change', value: baseline + worse * rule.minAbsoluteChange });
    if (rule.minRelativeChange !== undefined) bounds.push({ kind: 'min_relative_change', value: baseline + worse * Math.abs(baseline) * rule.minRelativeChange });
  }
  return bounds;
}

export function judge(value: number, rule: ThresholdRule, baseline: number | null): { verdict: RuleVerdict; bounds: Bound[]; violated: Bound[] } {
  const bounds = boundsOf(rule, baseline);
  if (bounds === null) return { verdict: 'unknown', bounds: [], violated: [] };
  const violated = bounds.filter((b) => (rule.greaterIsBetter ? value < b.value : value > b.value));
  if (violated.length > 0) return { verdict: 'breach', bounds, violated };
  // A hair of tolerance so that 0.8 + 0.02 (0.8200000000000001 in floats) is met by 0.82.
  const slack = (b: Bound) => 1e-12 * Math.max(1, Math.abs(b.value));
  const clear = bounds.every((b) => (rule.greaterIsBetter ? value >= b.value + rule.recoveryMargin - slack(b) : value <= b.value - rule.recoveryMargin + slack(b)));
  return { verdict: clear ? 'clear' : 'hold', bounds, violated };
}
