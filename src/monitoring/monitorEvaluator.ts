import type { SqlExecutor } from '../db/sqlDb.ts';
import { MonitorAlertStateChanged, monitorStream, type AlertState } from '../events/monitoringEvents.ts';
import { activeMonitors } from '../projections/monitoringMonitorsReadModel.ts';
import { metadataFor } from '../tracking/commandContext.ts';
import { nextStates } from './alertStateMachine.ts';
import { evaluateMonitor, type Evaluation } from './monitorEvaluation.ts';
import type { MonitoringService } from './monitoringService.ts';

export interface EvaluationOutcome {
  monitorId: string;
  evaluation: Evaluation;
  transitions: AlertState[];
}

/**
 * Evaluates every monitor at the monitoring clock's now and records each alert
 * transition as an event in the monitor's stream. The decision is taken on the
 * stream's folded state with the exact expected revision, so two servers
 * evaluating at once cannot both record the same transition.
 */
export class MonitorEvaluator {
  constructor(
    private readonly monitoring: MonitoringService,
    private readonly readDb: SqlExecutor,
  ) {}

  async evaluateAll(modelId?: string): Promise<EvaluationOutcome[]> {
    const outcomes: EvaluationOutcome[] = [];
    for (const monitor of await activeMonitors(this.readDb, modelId)) outcomes.push(await this.evaluate(monitor.definition.monitorId));
    return outcomes;
  }

  async evaluate(monitorId: string): Promise<EvaluationOutcome> {
    const now = this.monitoring.clock.now();
    const { state } = await this.monitoring.monitors.load(monitorStream(monitorId));
    const definition = state.definition;
    if (!definition || state.deleted) return { monitorId, evaluation: noMonitor(now), transitions: [] };
    const evaluation = await evaluateMonitor(this.readDb, definition, now);
    let transitions: AlertState[] = [];
    await this.monitoring.onMonitor(monitorId, (current) => {
      if (current.deleted || evaluation.version === null) return [];
      transitions = nextStates(current.alert, evaluation.verdict, now, definition.forMs);
      const ctx = { actor: 'mlledger-evaluator', correlationId: `evaluation-${monitorId}-${now}`, now: new Date(now) };
      let from = current.alert.state;
      return transitions.map((to, i) => {
        const event = MonitorAlertStateChanged.create(
          {
            monitorId,
            monitorName: definition.name,
            modelId: definition.modelId,
            modelName: evaluation.modelName,
            from,
            to,
            at: now,
            version: evaluation.version as number,
            value: evaluation.value,
            baseline: evaluation.baseline,
            windowStart: evaluation.windowStart,
            windowEnd: evaluation.windowEnd,
            count: evaluation.count,
            labelCoverage: evaluation.labelCoverage,
            reason: evaluation.reason,
          },
          metadataFor(ctx, i),
        );
        from = to;
        return event;
      });
    });
    return { monitorId, evaluation, transitions };
  }
}

function noMonitor(now: number): Evaluation {
  return { verdict: 'unknown', modelName: '', version: null, value: null, baseline: null, windowStart: now, windowEnd: now, count: 0, labelCoverage: null, reason: 'monitor does not exist' };
}
