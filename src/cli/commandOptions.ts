import { type Command, InvalidArgumentError, Option } from 'commander';
import type { LifecycleView } from './trackingReader.ts';

/** MLflow's own limit on search_runs' max_results. */
export const MAX_RESULTS_LIMIT = 50_000;

const VIEWS: Record<string, LifecycleView> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

/** --view active|deleted|all, as MLflow's ViewType. */
export function parseView(value: string): LifecycleView {
  const view = VIEWS[value.toLowerCase()];
  if (!view) throw new InvalidArgumentError(`expected one of ${Object.keys(VIEWS).join(', ')}`);
  return view;
}

/** --view, shown to users by its short names, handed to commands as a ViewType. */
export function viewOption(description: string): Option {
  return new Option('--view <view>', description).argParser(parseView).default('ACTIVE_ONLY', 'active');
}

export function parseMaxResults(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_RESULTS_LIMIT) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_RESULTS_LIMIT}`);
  return n;
}

/** For repeatable options: each occurrence adds to the list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Where read commands find the data: a server, the Postgres in DATABASE_URL, or the embedded data folder; and the event store. */
export function addTrackingSourceOptions(command: Command): Command {
  return command
    .option('--tracking-uri <url>', 'read through a running mlledger server (default: $MLFLOW_TRACKING_URI; else read the database directly)')
    .option('--data-dir <dir>', 'data folder of the embedded database (when neither DATABASE_URL nor a tracking URI is set)', './mlledger-data')
    .option('--event-store <kind>', 'postgres or esdb, as for serve (default: $MLLEDGER_EVENT_STORE, else postgres)');
}

export function addOutputFormatOption(command: Command): Command {
  return command.option('--output-format <format>', 'table, json or csv', 'table');
}

export function parseBatchSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10_000) throw new InvalidArgumentError('expected a whole number from 1 to 10000');
  return n;
}

/** --version: a positive whole number. */
export function parseVersionOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}
