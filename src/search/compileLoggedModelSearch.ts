import { sqlParameters } from '../db/sqlParameters.ts';
import type { CompiledQuery } from './compileRunSearch.ts';
import type { LoggedModelAttribute, LoggedModelFilterClause, LoggedModelOrderTerm } from './loggedModelSearchSyntax.ts';
import { SearchSyntaxError } from './searchErrors.ts';

/**
 * searchLoggedModels as one parameterised query over logged_models and its tag, param
 * and metric tables. Caller values travel as $n parameters only. As in MLflow's
 * SqlAlchemyStore: a metric clause matches a model with any point of that key and
 * value (on one of the request's datasets, if it names any); datasets without a
 * metric clause keep the models with some point on one of them; ordering by a
 * metric uses each model's latest point of it (timestamp, then step), on the
 * order term's dataset if it names one, NaN after numbers and models without one last.
 */

/** One element of the request's `datasets`: a name, and a digest that narrows it. */
export interface DatasetFilter {
  name: string;
  digest?: string;
}

export interface LoggedModelSearchInput {
  experimentIds: readonly string[];
  clauses: readonly LoggedModelFilterClause[];
  orderBy: readonly LoggedModelOrderTerm[];
  datasets: readonly DatasetFilter[];
  limit: number;
  offset: number;
}

const COLUMNS: Record<LoggedModelAttribute, { column: string; text: boolean }> = {
  model_id: { column: 'm.model_id', text: true },
  name: { column: 'm.name', text: true },
  model_type: { column: 'm.model_type', text: true },
  status: { column: 'm.status', text: true },
  source_run_id: { column: 'm.source_run_id', text: true },
  experiment_id: { column: 'm.experiment_id::text', text: true },
  creation_timestamp: { column: 'm.creation_timestamp', text: false },
  last_updated_timestamp: { column: 'm.last_updated_timestamp', text: false },
};

const OPERATORS: Record<string, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=', LIKE: 'like', ILIKE: 'ilike' };
const KEYED = { param: 'logged_model_params', tag: 'logged_model_tags' } as const;
const BIGINT_ID = /^\d{1,18}$/;

export function compileLoggedModelSearch(input: LoggedModelSearchInput): CompiledQuery {
  const { params, param } = sqlParameters();
  const conditions = [`m.experiment_id = any(${param(input.experimentIds.filter((id) => BIGINT_ID.test(id)))}::bigint[])`, `m.lifecycle_stage = 'active'`];
  // The request's datasets, or-ed: a metric point on any of them counts.
  const onDatasets =
    input.datasets.length === 0
      ? undefined
      : `(${input.datasets.map((d) => `(lm.dataset_name = ${param(d.name)}${d.digest ? ` and lm.dataset_digest = ${param(d.digest)}` : ''})`).join(' or ')})`;
  let hasMetricClause = false;
  for (const clause of input.clauses) {
    const operator = OPERATORS[clause.comparator];
    if (clause.kind === 'metric') {
      hasMetricClause = true;
      // Postgres ranks NaN above every number; here, as in run search, NaN is neither greater nor smaller.
      const nanFree = clause.comparator === '>' || clause.comparator === '>=' ? ` and lm.value <> 'NaN'::float8` : '';
      conditions.push(
        `exists (select 1 from logged_model_metrics lm where lm.model_id = m.model_id and lm.key = ${param(clause.key)} and lm.value ${operator} ${param(clause.value)}::float8${nanFree}${onDatasets ? ` and ${onDatasets}` : ''})`,
      );
    } else if (clause.kind === 'attribute') {
      const { column, text } = COLUMNS[clause.key];
      conditions.push(`${column} ${operator} ${param(clause.value)}${text ? '' : '::numeric'}`);
    } else {
      conditions.push(`exists (select 1 from ${KEYED[clause.kind]} kv where kv.model_id = m.model_id and kv.key = ${param(clause.key)} and kv.value ${operator} ${param(clause.value)})`);
    }
  }
  if (onDatasets && !hasMetricClause) conditions.push(`exists (select 1 from logged_model_metrics lm where lm.model_id = m.model_id and ${onDatasets})`);
  const joins: string[] = [];
  const orderings: string[] = [];
  for (const term of input.orderBy) {
    if (term.metric !== undefined) {
      const alias = `o${joins.length}`;
      const dataset = `${term.datasetName ? ` and lm.dataset_name = ${param(term.datasetName)}` : ''}${term.datasetDigest ? ` and lm.dataset_digest = ${param(term.datasetDigest)}` : ''}`;
      joins.push(
        `left join lateral (select lm.value from logged_model_metrics lm where lm.model_id = m.model_id and lm.key = ${param(term.metric)}${dataset} order by lm.timestamp desc, lm.step desc, lm.run_id limit 1) ${alias} on true`,
      );
      // NaN after every number, models without the metric last, in either direction (as run search orders).
      orderings.push(`case when ${alias}.value is null then 2 when ${alias}.value = 'NaN'::float8 then 1 else 0 end`, `${alias}.value ${term.ascending ? 'asc' : 'desc'}`);
      continue;
    }
    if (!term.attribute) continue;
    const { column, text } = COLUMNS[term.attribute];
    orderings.push(`${column}${text ? ' collate "C"' : ''} ${term.ascending ? 'asc' : 'desc'} nulls last`);
  }
  // MLflow's tiebreakers: newest first, then by id.
  if (!input.orderBy.some((term) => term.attribute === 'creation_timestamp')) orderings.push('m.creation_timestamp desc');
  orderings.push('m.model_id');
  const sql = [
    'select m.model_id as "modelId"',
    'from logged_models m',
    ...joins,
    `where ${conditions.join('\n  and ')}`,
    `order by ${orderings.join(', ')}`,
    `limit ${param(input.limit)} offset ${param(input.offset)}`,
  ].join('\n');
  return { sql, params };
}

/**
 * MLflow's logged-model page token: base64 of the request it pages through plus
 * the offset, refused when the next request asks for something else.
 */
export interface LoggedModelPageState {
  experiment_ids: string[];
  filter_string: string | null;
  order_by: unknown[] | null;
  offset: number;
}

export function encodeLoggedModelPageToken(state: LoggedModelPageState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64');
}

export function decodeLoggedModelPageToken(token: string | undefined, request: Omit<LoggedModelPageState, 'offset'>): number {
  if (token === undefined || token === '') return 0;
  const invalid = (message: string) => new SearchSyntaxError('page_token', message);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid(`Invalid page token: ${token}.`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid(`Invalid page token: ${token}.`);
  const state = parsed as Partial<LoggedModelPageState>;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(state.experiment_ids, request.experiment_ids)) {
    throw invalid(`Experiment IDs in the page token do not match the requested experiment IDs. Expected: ${JSON.stringify(request.experiment_ids)}. Found: ${JSON.stringify(state.experiment_ids ?? null)}`);
  }
  if (!same(state.filter_string, request.filter_string)) {
    throw invalid(`Filter string in the page token does not match the requested filter string. Expected: ${request.filter_string}. Found: ${state.filter_string ?? null}`);
  }
  if (!same(state.order_by, request.order_by)) {
    throw invalid(`Order by in the page token does not match the requested order by. Expected: ${JSON.stringify(request.order_by)}. Found: ${JSON.stringify(state.order_by ?? null)}`);
  }
  const offset = state.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid(`Invalid page token: ${token}.`);
  return offset;
}
