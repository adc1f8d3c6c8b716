import type { SqlExecutor } from '../db/sqlDb.ts';
import { findLoggedModels } from '../projections/loggedModelsReadModel.ts';
import { loggedModelNotFound } from './loggedModelCommands.ts';

/**
 * Inputs, outputs and metrics name logged models of this server; an id it does not
 * know is refused with MLflow's RESOURCE_DOES_NOT_EXIST. A deleted model still
 * counts: its record stays, as in MLflow.
 */
export async function requireLoggedModels(readDb: SqlExecutor, modelIds: readonly (string | undefined)[]): Promise<void> {
  const unique = [...new Set(modelIds.filter((id): id is string => id !== undefined && id !== ''))];
  if (unique.length === 0) return;
  const known = new Set((await findLoggedModels(readDb, unique, { includeDeleted: true })).map((row) => row.modelId));
  const missing = unique.find((id) => !known.has(id));
  if (missing !== undefined) throw loggedModelNotFound(missing);
}
