import { parseRunFilter } from '../search/runFilter.ts';
import { parseRunOrderBy } from '../search/runOrderBy.ts';
import { SearchSyntaxError } from '../search/searchErrors.ts';
import { withTrackingReader, type TrackingSourceOptions } from './openTrackingReader.ts';
import { parseOutputFormat, renderOutput, type OutputFormat, type Tabular } from './outputFormat.ts';
import { runListTable, searchRunsTable } from './runTables.ts';
import { invalidSearchMessage, type LifecycleView, type RunSummary, type TrackingReader } from './trackingReader.ts';

export interface RunSelectionOptions extends TrackingSourceOptions {
  experimentName?: string[];
  experimentId?: string[];
  view: LifecycleView;
  maxResults: number;
  outputFormat: string;
}

export interface SearchRunsOptions extends RunSelectionOptions {
  filter?: string;
  orderBy?: string[];
}

/** mlledger runs list: the runs of some experiments, newest first, with their latest metrics. */
export function listRunsCommand(options: RunSelectionOptions): Promise<void> {
  return printRuns(options, runListTable);
}

/** mlledger runs search: MLflow's filter and order_by, shown as mlflow.search_runs() shows them. */
export function searchRunsCommand(options: SearchRunsOptions): Promise<void> {
  return printRuns(options, searchRunsTable);
}

async function printRuns(options: SearchRunsOptions, toTable: (runs: readonly RunSummary[]) => Tabular): Promise<void> {
  // Flags are checked before the database is opened, so a typo costs nothing.
  const format: OutputFormat = parseOutputFormat(options.outputFormat);
  checkSearchSyntax(options);
  const runs = await withTrackingReader(options, async (reader) => {
    const experimentIds = await experimentIdsOf(reader, options);
    return reader.searchRuns({ experimentIds, filter: options.filter, orderBy: options.orderBy ?? [], view: options.view, maxResults: options.maxResults });
  });
  process.stdout.write(renderOutput(toTable(runs), format));
}

/** Ids given as such, plus those of experiments given by name; an unknown name is an error, not an empty result. */
async function experimentIdsOf(reader: TrackingReader, options: RunSelectionOptions): Promise<string[]> {
  const names = options.experimentName ?? [];
  const ids = [...(options.experimentId ?? [])];
  if (names.length === 0 && ids.length === 0) throw new Error('Name the experiments to read: --experiment-name <name> or --experiment-id <id> (repeatable).');
  for (const name of names) {
    const experiment = await reader.findExperimentByName(name);
    if (!experiment) throw new Error(`Experiment '${name}' does not exist (see 'mlledger experiments list --view all').`);
    ids.push(experiment.experimentId);
  }
  return ids;
}

/** The same parsers the readers use; running them first spares opening the database (or a request) for a typo. */
function checkSearchSyntax(options: SearchRunsOptions): void {
  try {
    parseRunFilter(options.filter ?? '');
    parseRunOrderBy(options.orderBy ?? []);
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw new Error(invalidSearchMessage(error.field, error.message));
    throw error;
  }
}
