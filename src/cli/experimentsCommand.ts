import { withTrackingReader, type TrackingSourceOptions } from './openTrackingReader.ts';
import { parseOutputFormat, renderOutput, type Tabular } from './outputFormat.ts';
import { isoTime } from './runTables.ts';
import type { ExperimentSummary, LifecycleView } from './trackingReader.ts';

export interface ListExperimentsOptions extends TrackingSourceOptions {
  view: LifecycleView;
  outputFormat: string;
}

/** mlledger experiments list: every experiment in the chosen lifecycle stages, by id. */
export async function listExperimentsCommand(options: ListExperimentsOptions): Promise<void> {
  const format = parseOutputFormat(options.outputFormat);
  const experiments = await withTrackingReader(options, (reader) => reader.listExperiments(options.view));
  process.stdout.write(renderOutput(experimentsTable(experiments), format));
}

function experimentsTable(experiments: readonly ExperimentSummary[]): Tabular {
  return {
    columns: ['experiment_id', 'name', 'lifecycle_stage', 'creation_time', 'artifact_location'],
    rows: experiments.map((e) => ({
      experiment_id: e.experimentId,
      name: e.name,
      lifecycle_stage: e.lifecycleStage,
      creation_time: isoTime(e.creationTime),
      artifact_location: e.artifactLocation,
    })),
  };
}
