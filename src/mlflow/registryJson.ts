import type { SqlExecutor } from '../db/sqlDb.ts';
import type { KeyValueRow } from '../projections/keyValueRows.ts';
import { aliasesOfModels, type AliasRow } from '../projections/registryAliasesReadModel.ts';
import { registeredModelTags, type RegisteredModelRow } from '../projections/registryModelsReadModel.ts';
import { latestVersions, modelVersionTags, type ModelVersionRow } from '../projections/registryVersionsReadModel.ts';
import { byKey, repeated, type JsonObject } from './mlflowJson.ts';

/** MLflow's RegisteredModel and ModelVersion messages as JSON (see mlflowJson.ts for the conventions). */

const keyValueJson = (kv: KeyValueRow): JsonObject => ({ key: kv.key, value: kv.value });

export function modelVersionJson(row: ModelVersionRow, tags: readonly KeyValueRow[], aliases: readonly string[]): JsonObject {
  return {
    name: row.name,
    version: String(row.version),
    creation_timestamp: row.creationTimestamp,
    last_updated_timestamp: row.lastUpdatedTimestamp,
    user_id: row.userId,
    current_stage: row.currentStage,
    description: row.description,
    source: row.source,
    run_id: row.runId ?? '',
    status: row.status,
    tags: repeated(byKey(tags), keyValueJson),
    run_link: row.runLink ?? '',
    aliases: aliases.length === 0 ? undefined : [...aliases],
    model_id: loggedModelIdOf(row.source),
  };
}

/** MLflow 3 versions made from a logged model (source models:/m-<id>) carry its id. */
function loggedModelIdOf(source: string): string | undefined {
  return /^models:\/(m-[0-9a-f]{32})(?:\/|$)/.exec(source)?.[1];
}

const versionKey = (row: ModelVersionRow) => `${row.modelId}/${row.version}`;

/** Model versions with their tags and aliases, in the order given: two queries however many there are. */
export async function modelVersionsJson(db: SqlExecutor, rows: readonly ModelVersionRow[]): Promise<JsonObject[]> {
  const modelIds = [...new Set(rows.map((row) => row.modelId))];
  const [tags, aliases] = await Promise.all([modelVersionTags(db, rows), aliasesOfModels(db, modelIds)]);
  return rows.map((row) =>
    modelVersionJson(
      row,
      tags.get(versionKey(row)) ?? [],
      (aliases.get(row.modelId) ?? []).filter((a) => a.version === row.version).map((a) => a.alias),
    ),
  );
}

const aliasJson = (alias: AliasRow): JsonObject => ({ alias: alias.alias, version: String(alias.version) });

/** Registered models with tags, aliases and the latest version per stage, as registered-models/get and search answer. */
export async function registeredModelsJson(db: SqlExecutor, rows: readonly RegisteredModelRow[]): Promise<JsonObject[]> {
  const modelIds = rows.map((row) => row.modelId);
  const [tags, aliases, latest] = await Promise.all([registeredModelTags(db, modelIds), aliasesOfModels(db, modelIds), latestVersions(db, modelIds)]);
  const latestJson = await modelVersionsJson(db, modelIds.flatMap((id) => latest.get(id) ?? []));
  let next = 0;
  return rows.map((row) => {
    const count = latest.get(row.modelId)?.length ?? 0;
    const versions = latestJson.slice(next, next + count);
    next += count;
    return {
      name: row.name,
      creation_timestamp: row.creationTimestamp,
      last_updated_timestamp: row.lastUpdatedTimestamp,
      user_id: row.userId,
      description: row.description,
      latest_versions: versions.length === 0 ? undefined : versions,
      tags: repeated(byKey(tags.get(row.modelId) ?? []), keyValueJson),
      aliases: repeated(aliases.get(row.modelId) ?? [], aliasJson),
    };
  });
}
