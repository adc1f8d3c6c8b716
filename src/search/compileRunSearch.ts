import { runRowColumns } from '../projections/runsReadModel.ts';
import { parseRunFilter, type Comparator, type RunFilterClause } from './runFilter.ts';
import { parseRunOrderBy, type OrderableRunAttribute, type RunOrderTerm } from './runOrderBy.ts';
import { SearchSyntaxError } from './searchErrors.ts';

/**
 * Compiles an MLflow runs/search request into one parameterised query over the
 * tracking read model (runs, run_params, run_tags, latest_metrics, run_dataset_inputs). Every value
 * the caller wrote travels as a $n parameter; the SQL text holds only fixed
 * table and column names and operators chosen from closed lists.
 */

export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface RunSearchInput {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  viewType?: RunViewType;
  limit: number;
  offset: number;
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

const SQL_OPERATORS: Record<Comparator, string> = {
  '=': '=',
  '!=': '<>',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
  LIKE: 'like',
  ILIKE: 'ilike',
  IN: '= any',
  'NOT IN': '<> all',
};

const RUN_COLUMNS: Record<OrderableRunAttribute, { column: string; text: boolean }> = {
  start_time: { column: 'r.start_time', text: false },
  end_time: { column: 'r.end_time', text: false },
  experiment_id: { column: 'r.experiment_id', text: false },
  run_name: { column: 'r.run_name', text: true },
  run_id: { column: 'r.run_id', text: true },
  status: { column: 'r.status', text: true },
  user_id: { column: 'r.user_id', text: true },
  artifact_uri: { column: 'r.artifact_uri', text: true },
};

const KEYED_TABLES = { metric: 'latest_metrics', param: 'run_params', tag: 'run_tags' } as const;
const DATASET_COLUMNS = { name: 'name', digest: 'digest' } as const;
/** The input tag MLflow's datasets.context searches (training, evaluation, …). */
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

const LIFECYCLE_BY_VIEW: Record<RunViewType, string | undefined> = {
  ACTIVE_ONLY: 'active',
  DELETED_ONLY: 'deleted',
  ALL: undefined,
};

// experiment_id is a bigint: an id that cannot be one matches no experiment, and must not become a cast error.
const BIGINT_ID = /^\d{1,18}$/;

/** Collects parameter values and hands out their $n placeholders. */
class QueryParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function compileRunSearch(input: RunSearchInput): CompiledQuery {
  if (!Number.isSafeInteger(input.limit) || input.limit < 0) throw new RangeError(`Invalid limit ${input.limit}`);
  if (!Number.isSafeInteger(input.offset) || input.offset < 0) throw new RangeError(`Invalid offset ${input.offset}`);
  // Parse both before building anything, so a bad request fails without side effects.
  const clauses = parseRunFilter(input.filter ?? '');
  const orderTerms = parseRunOrderBy(input.orderBy ?? []);

  const params = new QueryParams();
  const experimentIds = input.experimentIds.filter((id) => BIGINT_ID.test(id));
  const conditions = [`r.experiment_id = any(${params.add(experimentIds)}::bigint[])`];
  const lifecycle = LIFECYCLE_BY_VIEW[input.viewType ?? 'ACTIVE_ONLY'];
  if (lifecycle !== undefined) conditions.push(`r.lifecycle_stage = ${params.add(lifecycle)}`);
  // Order joins first: a filter on a key the runs are also ordered by reads that join's row.
  const { joins, orderings, aliases } = ordering(orderTerms, params);
  for (const clause of clauses) conditions.push(filterCondition(clause, params, aliases));

  const sql = [
    // The run's own columns come along, so a page of runs needs no second lookup of them.
    `select r.run_id, ${runRowColumns('r')}`,
    'from runs r',
    ...joins,
    `where ${conditions.join('\n  and ')}`,
    `order by ${orderings.join(', ')}`,
    `limit ${params.add(input.limit)} offset ${params.add(input.offset)}`,
  ].join('\n');
  return { sql, params: params.values };
}

/** The join alias of each keyed order term, by kind and key. */
const keyedTerm = (kind: 'metric' | 'param' | 'tag', key: string) => `${kind}\u0000${key}`;

function filterCondition(clause: RunFilterClause, params: QueryParams, orderAliases: ReadonlyMap<string, string>): string {
  const operator = SQL_OPERATORS[clause.comparator];
  switch (clause.kind) {
    case 'metric': {
      const value = params.add(clause.value);
      // Postgres ranks NaN above every number; MLflow (Python) finds NaN neither greater nor smaller.
      const nanFree = (alias: string) => (clause.comparator === '>' || clause.comparator === '>=' ? ` and ${alias}.value <> 'NaN'::float8` : '');
      // The order join's row (one per run and key) can be tested directly: its strict test in WHERE
      // turns the left join into an inner one, and each run is probed once instead of twice.
      const alias = orderAliases.get(keyedTerm('metric', clause.key));
      if (alias) return `(${alias}.value ${operator} ${value}::float8${nanFree(alias)})`;
      const key = params.add(clause.key);
      return `exists (select 1 from latest_metrics m where m.run_id = r.run_id and m.key = ${key} and m.value ${operator} ${value}::float8${nanFree('m')})`;
    }
    case 'param':
    case 'tag': {
      // A run without the key never matches, not even '!=' (as in MLflow).
      const value = params.add(clause.value);
      const alias = orderAliases.get(keyedTerm(clause.kind, clause.key));
      if (alias) return `${alias}.value ${operator} ${value}`;
      const table = KEYED_TABLES[clause.kind];
      const key = params.add(clause.key);
      return `exists (select 1 from ${table} kv where kv.run_id = r.run_id and kv.key = ${key} and kv.value ${operator} ${value})`;
    }
    case 'dataset': {
      // A run matches when one of its dataset inputs does; a run without inputs never matches, not even '!='.
      const list = clause.comparator === 'IN' || clause.comparator === 'NOT IN';
      const value = list ? `(${params.add(clause.value)}::text[])` : ` ${params.add(clause.value)}`;
      if (clause.key === 'context') {
        return `exists (select 1 from run_dataset_inputs di cross join jsonb_array_elements(di.tags) t where di.run_id = r.run_id and t->>'key' = ${params.add(DATASET_CONTEXT_TAG)} and t->>'value' ${operator}${value})`;
      }
      return `exists (select 1 from run_dataset_inputs di where di.run_id = r.run_id and di.${DATASET_COLUMNS[clause.key]} ${operator}${value})`;
    }
    case 'attribute': {
      const { column } = RUN_COLUMNS[clause.key];
      if (clause.comparator === 'IN' || clause.comparator === 'NOT IN') {
        return `${column} ${operator}(${params.add(clause.value)}::text[])`;
      }
      // numeric, not bigint: a filter like start_time > 1.5 is legal and must not fail a bigint cast.
      const cast = typeof clause.value === 'number' ? '::numeric' : '';
      return `${column} ${operator} ${params.add(clause.value)}${cast}`;
    }
  }
}

/**
 * ORDER BY items for the requested terms, then MLflow's default order as tiebreakers.
 * Runs lacking an ordered value come last in either direction; for metrics NaN comes
 * after every number but before a missing value, as in MLflow's SQL store.
 * Text sorts use the C collation so PGlite and any Postgres install agree.
 */
function ordering(terms: RunOrderTerm[], params: QueryParams): { joins: string[]; orderings: string[]; aliases: Map<string, string> } {
  const joins: string[] = [];
  const orderings: string[] = [];
  const aliases = new Map<string, string>();
  terms.forEach((term, index) => {
    const direction = term.ascending ? 'asc' : 'desc';
    if (term.kind === 'attribute') {
      const { column, text } = RUN_COLUMNS[term.key];
      orderings.push(`${column}${text ? ' collate "C"' : ''} ${direction} nulls last`);
      return;
    }
    // (run_id, key) is each table's primary key, so these left joins never multiply runs.
    const alias = `o${index + 1}`;
    aliases.set(keyedTerm(term.kind, term.key), alias);
    joins.push(`left join ${KEYED_TABLES[term.kind]} ${alias} on ${alias}.run_id = r.run_id and ${alias}.key = ${params.add(term.key)}`);
    if (term.kind === 'metric') {
      orderings.push(`case when ${alias}.value is null then 2 when ${alias}.value = 'NaN'::float8 then 1 else 0 end`);
      orderings.push(`${alias}.value ${direction}`);
    } else {
      orderings.push(`${alias}.value collate "C" ${direction} nulls last`);
    }
  });
  const ordersByStartTime = terms.some((term) => term.kind === 'attribute' && term.key === 'start_time');
  if (!ordersByStartTime) orderings.push('r.start_time desc');
  // Plain run_id order keeps the runs_by_experiment index usable; run ids are lowercase hex anyway.
  orderings.push('r.run_id');
  return { joins, orderings, aliases };
}

/** MLflow's page token: base64 of Python's json.dumps({"offset": N}), space after the colon included. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The offset a page token stands for; no token means the first page. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const invalid = (message: string) => new SearchSyntaxError('page_token', message);
  if (!BASE64.test(token) || token.length % 4 !== 0) throw invalid('Invalid page token, could not base64-decode');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw invalid(`Invalid page token, decoded value=${decoded}`);
  }
  const offset = typeof parsed === 'object' && parsed !== null && 'offset' in parsed ? parsed.offset : undefined;
  // MLflow reads the offset with int(), so a digit string is as good as a number.
  const value = typeof offset === 'string' && /^\d+$/.test(offset) ? Number(offset) : offset;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`Invalid page token, parsed value=${decoded}`);
  }
  return value;
}
