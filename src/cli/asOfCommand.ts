import { parseStage } from '../registry/registryValidation.ts';
import { parseInstant } from '../registry/history/instant.ts';
import { DomainError } from '../tracking/domainError.ts';
import { asCliError } from './auditCommands.ts';
import { parseOutputFormat, renderOutput, type Tabular } from './outputFormat.ts';
import { withRegistryHistory, type HistorySourceOptions, type ModelAsOfView } from './registryHistorySource.ts';

export interface AsOfOptions extends HistorySourceOptions {
  model: string;
  at: string;
  version?: number;
  stage?: string;
  alias?: string;
  outputFormat: string;
}

/**
 * mlledger registry as-of: the model's versions as they stood at an instant,
 * folded from the events, optionally narrowed to one version, stage or alias
 * ("which version was in Production at …?").
 */
export async function registryAsOfCommand(options: AsOfOptions): Promise<void> {
  const format = parseOutputFormat(options.outputFormat);
  const at = asCliError(() => parseInstant('at', options.at));
  const stage = options.stage === undefined ? undefined : asCliError(() => parseStage('stage', options.stage));
  const model = await withRegistryHistory(options, (source) =>
    source.modelAsOf(options.model, at).catch((error: unknown) => {
      if (error instanceof DomainError) throw new Error(`--${error.field === 'name' ? 'model' : (error.field ?? 'input')}: ${error.message}`);
      throw error;
    }),
  );
  if (!model) throw new Error(`No registered model was named '${options.model}' at ${at.toISOString()}.`);
  const versions = model.versions.filter(
    (v) => (options.version === undefined || v.version === options.version) && (stage === undefined || v.stage === stage) && (options.alias === undefined || v.aliases.includes(options.alias)),
  );
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ ...model, versions }, null, 2)}\n`);
    return;
  }
  process.stdout.write(renderOutput(versionTable(model, versions), format));
}

function versionTable(model: ModelAsOfView, versions: ModelAsOfView['versions']): Tabular {
  return {
    columns: ['model', 'as_of', 'version', 'stage', 'aliases', 'description', 'source'],
    rows: versions.map((v) => ({ model: model.name, as_of: model.at, version: v.version, stage: v.stage, aliases: v.aliases.join(','), description: v.description, source: v.source })),
  };
}
