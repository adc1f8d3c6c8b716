import { pythonSet, SearchScanner, type NumericComparator, type StringComparator } from './runFilter.ts';
import { SearchSyntaxError } from './searchErrors.ts';

/**
 * MLflow 3's logged-model search (search_logged_model_utils.parse_filter_string):
 * comparisons joined by AND over attributes (bare or `attributes.x`), `metrics.x`,
 * `params.x` and `tags.x`. Numeric things (metrics, the two timestamps) take
 * = != > >= < <= and a number; everything else = != LIKE ILIKE and a quoted string.
 * order_by is a list of OrderBy messages rather than strings.
 */

export type LoggedModelAttribute = 'model_id' | 'name' | 'model_type' | 'status' | 'source_run_id' | 'experiment_id' | 'creation_timestamp' | 'last_updated_timestamp';

export type LoggedModelFilterClause =
  | { kind: 'attribute'; key: LoggedModelAttribute; comparator: NumericComparator | StringComparator; value: number | string }
  | { kind: 'metric'; key: string; comparator: NumericComparator; value: number }
  | { kind: 'param' | 'tag'; key: string; comparator: StringComparator; value: string };

export interface LoggedModelOrderTerm {
  /** An attribute, or a metric's key for `metrics.<key>`. */
  attribute?: LoggedModelAttribute;
  metric?: string;
  ascending: boolean;
  /** For a metric: only its points on this dataset (and digest) count. */
  datasetName?: string;
  datasetDigest?: string;
}

/** Attribute names with MLflow's aliases (SqlLoggedModel.ALIASES) mapped to what they stand for. */
const ATTRIBUTES: ReadonlyMap<string, LoggedModelAttribute> = new Map([
  ['model_id', 'model_id'],
  ['name', 'name'],
  ['model_type', 'model_type'],
  ['status', 'status'],
  ['source_run_id', 'source_run_id'],
  ['experiment_id', 'experiment_id'],
  ['creation_timestamp', 'creation_timestamp'],
  ['creation_timestamp_ms', 'creation_timestamp'],
  ['creation_time', 'creation_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'],
  ['last_updated_timestamp_ms', 'last_updated_timestamp'],
  ['last_updated_time', 'last_updated_timestamp'],
]);
const NUMERIC_ATTRIBUTES: ReadonlySet<LoggedModelAttribute> = new Set(['creation_timestamp', 'last_updated_timestamp']);
const ENTITY_TYPES: ReadonlyMap<string, 'attribute' | 'metric' | 'param' | 'tag'> = new Map([
  ['attributes', 'attribute'],
  ['metrics', 'metric'],
  ['params', 'param'],
  ['tags', 'tag'],
]);

const NUMERIC_OPS: readonly string[] = ['<', '<=', '>', '>=', '=', '!='];
const STRING_OPS: readonly string[] = ['=', '!=', 'LIKE', 'ILIKE'];
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /[<>=!~]+/y;

export function parseLoggedModelFilter(filter: string | undefined): LoggedModelFilterClause[] {
  const scanner = new SearchScanner(filter ?? '', 'filter');
  const clauses: LoggedModelFilterClause[] = [];
  scanner.skipSpace();
  if (scanner.atEnd()) return clauses;
  for (;;) {
    clauses.push(readClause(scanner));
    scanner.skipSpace();
    if (scanner.atEnd()) return clauses;
    const word = scanner.peekWord();
    if (word?.toUpperCase() !== 'AND') {
      throw scanner.fail(`Invalid filter string: '${scanner.text}'. Expected a list of comparisons separated by 'AND' (e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').`);
    }
    scanner.match(WORD);
    scanner.skipSpace();
    if (scanner.atEnd()) throw scanner.fail(`Invalid filter string: '${scanner.text}'. 'AND' is not followed by a comparison.`);
  }
}

function readClause(scanner: SearchScanner): LoggedModelFilterClause {
  const identifier = scanner.readIdentifier();
  if (!identifier) throw scanner.fail(`Invalid filter string: '${scanner.text}'. Expected a comparison at '${scanner.peekLexeme()}'.`);
  const [first, ...rest] = identifier.parts;
  let kind: 'attribute' | 'metric' | 'param' | 'tag' = 'attribute';
  let key = first.text;
  if (rest.length > 0) {
    const entity = ENTITY_TYPES.get(first.text);
    if (!entity) throw scanner.fail(`Invalid entity type: '${first.text}'. Expected one of ['attributes', 'metrics', 'params', 'tags'].`);
    kind = entity;
    key = rest.map((part) => part.text).join('.');
  }
  if (key === '') throw scanner.fail(`Invalid identifier '${identifier.raw}': the key is empty`);
  scanner.skipSpace();
  const comparator = readComparator(scanner);
  scanner.skipSpace();
  const value = scanner.readValue();
  const display = `${kind === 'attribute' ? 'attributes' : `${kind}s`}.${key}`;
  if (kind === 'attribute') {
    const attribute = ATTRIBUTES.get(key);
    if (!attribute) throw scanner.fail(`Invalid attribute key '${key}' specified. Valid keys are '${pythonSet(ATTRIBUTES.keys())}'`);
    const numeric = NUMERIC_ATTRIBUTES.has(attribute);
    checkOp(scanner, display, comparator, numeric);
    return { kind, key: attribute, comparator: comparator as NumericComparator | StringComparator, value: numeric ? numberOf(scanner, display, value) : stringOf(scanner, display, value) };
  }
  if (kind === 'metric') {
    checkOp(scanner, display, comparator, true);
    return { kind, key, comparator: comparator as NumericComparator, value: numberOf(scanner, display, value) };
  }
  checkOp(scanner, display, comparator, false);
  return { kind, key, comparator: comparator as StringComparator, value: stringOf(scanner, display, value) };
}

function readComparator(scanner: SearchScanner): string {
  const operator = scanner.match(OPERATOR);
  if (operator !== undefined) return operator;
  const word = scanner.match(WORD);
  if (word === undefined) throw scanner.fail(`Invalid filter string: '${scanner.text}'. Expected a comparison operator at '${scanner.peekLexeme()}'.`);
  return word.toUpperCase();
}

function checkOp(scanner: SearchScanner, display: string, op: string, numeric: boolean): void {
  const allowed = numeric ? NUMERIC_OPS : STRING_OPS;
  if (!allowed.includes(op)) throw scanner.fail(`Invalid comparison operator for ${display}: '${op}'. Expected one of (${allowed.map((o) => `'${o}'`).join(', ')}).`);
}

function numberOf(scanner: SearchScanner, display: string, value: ReturnType<SearchScanner['readValue']>): number {
  if (value?.type === 'number') return value.value;
  throw scanner.fail(`Invalid value for ${display}: expected a number, got ${value ? value.raw : 'nothing'}.`);
}

function stringOf(scanner: SearchScanner, display: string, value: ReturnType<SearchScanner['readValue']>): string {
  if (value?.type === 'string') return value.value;
  throw scanner.fail(`Invalid value for ${display}: expected a quoted string (e.g. 'my-value'), got ${value ? value.raw : 'nothing'}.`);
}

/** One OrderBy message as the REST layer read it. */
export interface OrderByInput {
  fieldName?: string;
  ascending?: boolean;
  datasetName?: string;
  datasetDigest?: string;
}

export function parseLoggedModelOrderBy(orderBy: readonly OrderByInput[]): LoggedModelOrderTerm[] {
  const fail = (message: string) => new SearchSyntaxError('order_by', message);
  return orderBy.map((term) => {
    const field = term.fieldName?.trim();
    if (!field) throw fail('`field_name` in the `order_by` clause must be specified.');
    if (term.datasetDigest && !term.datasetName) throw fail('`dataset_digest` can only be specified if `dataset_name` is also specified.');
    const ascending = term.ascending ?? true;
    const dot = field.indexOf('.');
    if (dot >= 0) {
      const entity = field.slice(0, dot);
      if (entity !== 'metrics') throw fail(`Invalid order by field name: ${entity}, only \`metrics.<name>\` is allowed.`);
      return { metric: field.slice(dot + 1), ascending, datasetName: term.datasetName || undefined, datasetDigest: term.datasetDigest || undefined };
    }
    const attribute = ATTRIBUTES.get(field);
    if (!attribute) throw fail(`Invalid order by field name: ${field}.`);
    return { attribute, ascending };
  });
}
