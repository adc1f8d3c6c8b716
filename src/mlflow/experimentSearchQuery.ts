import { sqlParameters } from '../db/sqlParameters.ts';
import type { SqlExecutor } from '../db/sqlDb.ts';
import type { ExperimentRow, ViewType } from '../projections/experimentsReadModel.ts';
import { toNumber } from '../projections/readModel.ts';
import type { ExperimentFilterClause, ExperimentOrderAttribute, ExperimentOrderTerm } from './experimentSearchSyntax.ts';

/**
 * experiments/search over the experiments read model: a read-side query only.
 * Caller values travel as $n parameters; the SQL text holds only fixed column
 * names and operators from closed lists.
 */

export interface ExperimentSearch {
  clauses: readonly ExperimentFilterClause[];
  orderBy: readonly ExperimentOrderTerm[];
  viewType: ViewType;
  limit: number;
  offset: number;
}

const OPERATORS: Record<string, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=', LIKE: 'like', ILIKE: 'ilike' };

// Names sort by code unit (collate "C") so PGlite and every Postgres install agree.
const ORDER_COLUMNS: Record<ExperimentOrderAttribute, string> = {
  name: 'e.name collate "C"',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
};

const LIFECYCLES: Record<ViewType, string[]> = { ACTIVE_ONLY: ['active'], DELETED_ONLY: ['deleted'], ALL: ['active', 'deleted'] };

export async function searchExperiments(db: SqlExecutor, search: ExperimentSearch): Promise<ExperimentRow[]> {
  const { params, param } = sqlParameters();
  const conditions = [`e.lifecycle_stage = any(${param(LIFECYCLES[search.viewType])}::text[])`];
  for (const clause of search.clauses) {
    const operator = OPERATORS[clause.comparator];
    if (clause.kind === 'name') conditions.push(`e.name ${operator} ${param(clause.value)}`);
    else if (clause.kind === 'time') conditions.push(`e.${clause.key} ${operator} ${param(clause.value)}::numeric`);
    else {
      // An experiment without the tag matches no comparison, '!=' included (as in MLflow).
      conditions.push(`exists (select 1 from experiment_tags t where t.experiment_id = e.experiment_id and t.key = ${param(clause.key)} and t.value ${operator} ${param(clause.value)})`);
    }
  }
  // MLflow's default: newest first; experiment_id breaks ties so pages never overlap.
  const orderings = search.orderBy.length === 0 ? ['e.creation_time desc'] : search.orderBy.map((t) => `${ORDER_COLUMNS[t.key]} ${t.ascending ? 'asc' : 'desc'}`);
  if (!search.orderBy.some((t) => t.key === 'experiment_id')) orderings.push('e.experiment_id asc');

  const { rows } = await db.query<ExperimentRow>(
    `select e.experiment_id::text as "experimentId", e.name, e.artifact_location as "artifactLocation",
        e.lifecycle_stage as "lifecycleStage", e.creation_time as "creationTime", e.last_update_time as "lastUpdateTime"
      from experiments e
      where ${conditions.join(' and ')}
      order by ${orderings.join(', ')}
      limit ${param(search.limit)} offset ${param(search.offset)}`,
    params,
  );
  return rows.map((row) => ({ ...row, creationTime: toNumber(row.creationTime), lastUpdateTime: toNumber(row.lastUpdateTime) }));
}
