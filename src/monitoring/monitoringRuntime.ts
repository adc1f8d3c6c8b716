import type { SqlExecutor } from '../db/sqlDb.ts';
import type { Logger } from '../server/logger.ts';
import { MonitorEvaluator, type EvaluationOutcome } from './monitorEvaluator.ts';
import type { MonitoringService } from './monitoringService.ts';
import { WebhookDispatcher, type DispatcherOptions } from './webhookDispatcher.ts';

export interface MonitoringRuntimeOptions {
  /** Evaluate every monitor this often (default 60 s); 0 turns the schedule off (tests drive it by hand). */
  evaluateEveryMs?: number;
  /** Look for due webhook deliveries this often (default 1 s); 0 turns it off. */
  deliverEveryMs?: number;
  /** Also evaluate (and deliver) this long after the monitoring read models took new data (default 1 s); 0 turns it off. */
  onNewDataAfterMs?: number;
  dispatcher?: DispatcherOptions;
}

/**
 * The server's monitoring loops: the evaluator on a schedule and on new data, and
 * the webhook dispatcher. Each loop runs one pass at a time; stop() waits for the
 * pass in progress.
 */
export class MonitoringRuntime {
  readonly evaluator: MonitorEvaluator;
  readonly dispatcher: WebhookDispatcher;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopListening?: () => void;
  private debounce?: NodeJS.Timeout;
  private evaluating: Promise<unknown> = Promise.resolve();
  private delivering: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly monitoring: MonitoringService,
    readDb: SqlExecutor,
    private readonly logger: Logger,
    private readonly options: MonitoringRuntimeOptions = {},
  ) {
    this.evaluator = new MonitorEvaluator(monitoring, readDb);
    this.dispatcher = new WebhookDispatcher(monitoring, readDb, options.dispatcher);
  }

  start(): void {
    const evaluateEvery = this.options.evaluateEveryMs ?? 60_000;
    const deliverEvery = this.options.deliverEveryMs ?? 1_000;
    const onNewData = this.options.onNewDataAfterMs ?? 1_000;
    if (evaluateEvery > 0) this.timers.push(setInterval(() => void this.evaluateNow().catch(() => undefined), evaluateEvery));
    if (deliverEvery > 0) this.timers.push(setInterval(() => void this.deliverNow().catch(() => undefined), deliverEvery));
    if (onNewData > 0) {
      this.stopListening = this.monitoring.onProjected(() => {
        if (this.debounce || this.stopped) return;
        this.debounce = setTimeout(() => {
          this.debounce = undefined;
          void this.evaluateNow()
            .then(() => this.deliverNow())
            .catch(() => undefined);
        }, onNewData);
      });
    }
    // Deliveries left pending by a previous process are due at once.
    if (deliverEvery > 0) void this.deliverNow().catch(() => undefined);
  }

  /** One evaluation pass over every monitor (queued behind a pass in progress). */
  evaluateNow(): Promise<EvaluationOutcome[]> {
    const pass = this.evaluating.then(() => (this.stopped ? [] : this.evaluator.evaluateAll()));
    this.evaluating = pass.catch((error) => this.logger.error({ err: error }, 'monitor evaluation failed'));
    return pass;
  }

  /** One delivery pass over due webhooks (queued behind a pass in progress). */
  deliverNow(): Promise<number> {
    const pass = this.delivering.then(() => (this.stopped ? 0 : this.dispatcher.deliverDue()));
    this.delivering = pass.catch((error) => this.logger.error({ err: error }, 'webhook delivery failed'));
    return pass;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.stopListening?.();
    await Promise.all([this.evaluating, this.delivering]);
  }
}
