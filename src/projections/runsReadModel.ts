import type { SqlExecutor } from '../db/sqlDb.ts';
import { RunCreated, RunDeleted, RunRestored, RunTagsSet, RunUpdated, type RunStatus } from '../events/runEvents.ts';
import { RUN_NAME_TAG } from '../tracking/runCommands.ts';
import { toNumber, toOptionalNumber, type ReadModel } from './readModel.ts';

export interface RunRow {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime?: number;
  lifecycleStage: 'active' | 'deleted';
  artifactUri: string;
}

/** One row per run: MLflow's RunInfo. */
export const runsReadModel: ReadModel = {
  name: 'runs',
  tables: ['runs'],
  schemaSql: `
    create table if not exists runs (
      run_id text primary key,
      experiment_id bigint not null,
      run_name text not null,
      user_id text not null,
      status text not null,
      start_time bigint not null,
      end_time bigint,
      lifecycle_stage text not null,
      artifact_uri text not null,
      deleted_time bigint
    );
    create index if not exists runs_by_experiment on runs (experiment_id, start_time desc, run_id);`,
  writeOnly: true,
  async apply(events, tx) {
    for (const event of events) {
      if (RunCreated.is(event)) {
        const d = event.data;
        await tx.query(
          `insert into runs values ($1, $2, $3, $4, 'RUNNING', $5, null, 'active', $6, null)`,
          [d.runId, d.experimentId, d.runName, d.userId, d.startTime, d.artifactUri],
        );
      } else if (RunUpdated.is(event)) {
        const d = event.data;
        await tx.query(
          `update runs set status = coalesce($2, status), end_time = coalesce($3, end_time), run_name = coalesce($4, run_name) where run_id = $1`,
          [d.runId, d.status ?? null, d.endTime ?? null, d.runName ?? null],
        );
      } else if (RunDeleted.is(event)) {
        await tx.query(`update runs set lifecycle_stage = 'deleted', deleted_time = $2 where run_id = $1`, [event.data.runId, event.data.deletedTime]);
      } else if (RunRestored.is(event)) {
        await tx.query(`update runs set lifecycle_stage = 'active', deleted_time = null where run_id = $1`, [event.data.runId]);
      } else if (RunTagsSet.is(event)) {
        const renamed = event.data.tags.filter((t) => t.key === RUN_NAME_TAG).pop();
        if (renamed) await tx.query(`update runs set run_name = $2 where run_id = $1`, [event.data.runId, renamed.value]);
      }
    }
  },
};

////////// Queries

/** The RunRow columns of `runs` under a table alias, for queries that join it (runs/search). */
export const runRowColumns = (alias: string) =>
  `${alias}.run_id as "runId", ${alias}.experiment_id::text as "experimentId", ${alias}.run_name as "runName", ${alias}.user_id as "userId", ${alias}.status,
  ${alias}.start_time as "startTime", ${alias}.end_time as "endTime", ${alias}.lifecycle_stage as "lifecycleStage", ${alias}.artifact_uri as "artifactUri"`;

const columns = runRowColumns('runs');

/** A RunRow as the database returned it (int8 as string or number). */
export function toRun(row: RunRow): RunRow {
  return { ...row, startTime: toNumber(row.startTime), endTime: toOptionalNumber(row.endTime) };
}

/** Runs by id, in the order asked for; unknown ids are left out. */
export async function findRunsByIds(db: SqlExecutor, runIds: readonly string[]): Promise<RunRow[]> {
  if (runIds.length === 0) return [];
  const { rows } = await db.query<RunRow>(`select ${columns} from runs where run_id = any($1::text[])`, [runIds]);
  const byId = new Map(rows.map((row) => [row.runId, toRun(row)]));
  return runIds.flatMap((id) => byId.get(id) ?? []);
}

export async function findRunById(db: SqlExecutor, runId: string): Promise<RunRow | undefined> {
  return (await findRunsByIds(db, [runId]))[0];
}
