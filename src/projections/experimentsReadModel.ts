import type { SqlExecutor } from '../db/sqlDb.ts';
import {
  ExperimentCreated,
  ExperimentDeleted,
  ExperimentRenamed,
  ExperimentRestored,
  ExperimentTagDeleted,
  ExperimentTagSet,
} from '../events/experimentEvents.ts';
import { lastByKey } from './keyValueRows.ts';
import { toNumber, type ReadModel } from './readModel.ts';

export interface ExperimentRow {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number;
  lastUpdateTime: number;
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Experiments and their tags, as MLflow's experiments/get and experiments/search show them. */
export const experimentsReadModel: ReadModel = {
  name: 'experiments',
  tables: ['experiments', 'experiment_tags'],
  schemaSql: `
    create table if not exists experiments (
      experiment_id bigint primary key,
      name text not null unique,
      artifact_location text not null,
      lifecycle_stage text not null,
      creation_time bigint not null,
      last_update_time bigint not null
    );
    create table if not exists experiment_tags (
      experiment_id bigint not null,
      key text not null,
      value text not null,
      primary key (experiment_id, key)
    );`,
  writeOnly: true,
  async apply(events, tx) {
    for (const event of events) {
      const at = Date.parse(event.metadata.recordedAt);
      if (ExperimentCreated.is(event)) {
        const d = event.data;
        await tx.query(
          `insert into experiments values ($1, $2, $3, 'active', $4, $4)`,
          [d.experimentId, d.name, d.artifactLocation, d.creationTime],
        );
        if (d.tags.length > 0) {
          await tx.query(
            `insert into experiment_tags select $1, key, value from jsonb_to_recordset($2::jsonb) as t(key text, value text)
              on conflict (experiment_id, key) do update set value = excluded.value`,
            [d.experimentId, JSON.stringify(lastByKey(d.tags))],
          );
        }
      } else if (ExperimentRenamed.is(event)) {
        await touch(tx, event.data.experimentId, at, `name = $3`, [event.data.name]);
      } else if (ExperimentDeleted.is(event)) {
        await touch(tx, event.data.experimentId, at, `lifecycle_stage = 'deleted'`);
      } else if (ExperimentRestored.is(event)) {
        await touch(tx, event.data.experimentId, at, `lifecycle_stage = 'active'`);
      } else if (ExperimentTagSet.is(event)) {
        await tx.query(
          `insert into experiment_tags values ($1, $2, $3) on conflict (experiment_id, key) do update set value = excluded.value`,
          [event.data.experimentId, event.data.key, event.data.value],
        );
        await touch(tx, event.data.experimentId, at);
      } else if (ExperimentTagDeleted.is(event)) {
        await tx.query(`delete from experiment_tags where experiment_id = $1 and key = $2`, [event.data.experimentId, event.data.key]);
        await touch(tx, event.data.experimentId, at);
      }
    }
  },
};

async function touch(tx: SqlExecutor, experimentId: string, at: number, set?: string, extra: unknown[] = []) {
  await tx.query(
    `update experiments set last_update_time = greatest(last_update_time, $2)${set ? `, ${set}` : ''} where experiment_id = $1`,
    [experimentId, at, ...extra],
  );
}

////////// Queries

const columns = `experiment_id::text as "experimentId", name, artifact_location as "artifactLocation",
  lifecycle_stage as "lifecycleStage", creation_time as "creationTime", last_update_time as "lastUpdateTime"`;

function toExperiment(row: ExperimentRow): ExperimentRow {
  return { ...row, creationTime: toNumber(row.creationTime), lastUpdateTime: toNumber(row.lastUpdateTime) };
}

export async function findExperimentById(db: SqlExecutor, experimentId: string): Promise<ExperimentRow | undefined> {
  if (!/^\d{1,18}$/.test(experimentId)) return undefined;
  const { rows } = await db.query<ExperimentRow>(`select ${columns} from experiments where experiment_id = $1`, [experimentId]);
  return rows[0] && toExperiment(rows[0]);
}

export async function findExperimentByName(db: SqlExecutor, name: string): Promise<ExperimentRow | undefined> {
  const { rows } = await db.query<ExperimentRow>(`select ${columns} from experiments where name = $1`, [name]);
  return rows[0] && toExperiment(rows[0]);
}

const lifecycleFilter = { ACTIVE_ONLY: ['active'], DELETED_ONLY: ['deleted'], ALL: ['active', 'deleted'] } as const;

export async function listExperiments(
  db: SqlExecutor,
  options: { viewType?: ViewType; nameLike?: string; limit: number; offset: number },
): Promise<ExperimentRow[]> {
  const { rows } = await db.query<ExperimentRow>(
    `select ${columns} from experiments
      where lifecycle_stage = any($1::text[]) and ($2::text is null or name ilike $2)
      order by experiment_id limit $3 offset $4`,
    [lifecycleFilter[options.viewType ?? 'ACTIVE_ONLY'], options.nameLike ?? null, options.limit, options.offset],
  );
  return rows.map(toExperiment);
}

export async function experimentTags(db: SqlExecutor, experimentIds: readonly string[]): Promise<Map<string, { key: string; value: string }[]>> {
  const { rows } = await db.query<{ experimentId: string; key: string; value: string }>(
    `select experiment_id::text as "experimentId", key, value from experiment_tags where experiment_id = any($1::bigint[]) order by key`,
    [experimentIds],
  );
  const byId = new Map<string, { key: string; value: string }[]>(experimentIds.map((id) => [id, []]));
  for (const row of rows) byId.get(row.experimentId)?.push({ key: row.key, value: row.value });
  return byId;
}

/** Experiments whose artifact location is one of these (how the artifact proxy finds which experiment owns a path). */
export async function experimentsByArtifactLocation(db: SqlExecutor, locations: readonly string[]): Promise<{ experimentId: string; artifactLocation: string }[]> {
  if (locations.length === 0) return [];
  const { rows } = await db.query<{ experimentId: string; artifactLocation: string }>(
    `select experiment_id::text as "experimentId", artifact_location as "artifactLocation" from experiments where artifact_location = any($1::text[])`,
    [locations],
  );
  return rows;
}
