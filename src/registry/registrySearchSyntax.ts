import { pythonSet, resolveIdentifier, SearchScanner, type NumericComparator, type StringComparator } from '../search/runFilter.ts';

/**
 * MLflow's registry search grammar (SearchModelUtils / SearchModelVersionUtils):
 * comparisons joined by AND. Registered models: name and tags.<key>. Model versions:
 * name, version_number, run_id (with IN / NOT IN), source_path and tags.<key>.
 * Built on the run filter's scanner, so quoting and messages match runs/search.
 */

export type RunIdComparator = '=' | '!=' | 'IN' | 'NOT IN';

export type RegistryFilterClause =
  | { kind: 'name'; comparator: StringComparator; value: string }
  | { kind: 'tag'; key: string; comparator: StringComparator; value: string }
  | { kind: 'source_path'; comparator: StringComparator; value: string }
  | { kind: 'version_number'; comparator: NumericComparator; value: number }
  | { kind: 'run_id'; comparator: RunIdComparator; value: string[] };

export type RegistryOrderKey = 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';

export interface RegistryOrderTerm {
  key: RegistryOrderKey;
  ascending: boolean;
}

type FilterAttribute = 'name' | 'source_path' | 'version_number' | 'run_id';

const MODEL_FILTER_ATTRIBUTES: ReadonlyMap<string, FilterAttribute> = new Map([['name', 'name']]);
const VERSION_FILTER_ATTRIBUTES: ReadonlyMap<string, FilterAttribute> = new Map([
  ['name', 'name'],
  ['version_number', 'version_number'],
  ['run_id', 'run_id'],
  ['source_path', 'source_path'],
]);
const MODEL_ORDER_KEYS: ReadonlyMap<string, RegistryOrderKey> = new Map([
  ['name', 'name'],
  ['timestamp', 'creation_timestamp'],
  ['creation_timestamp', 'creation_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'],
]);
const VERSION_ORDER_KEYS: ReadonlyMap<string, RegistryOrderKey> = new Map([
  ['name', 'name'],
  ['version_number', 'version_number'],
  ['timestamp', 'creation_timestamp'],
  ['creation_timestamp', 'creation_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'],
]);

const NUMERIC_COMPARATORS: readonly string[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly string[] = ['=', '!=', 'LIKE', 'ILIKE'];
const RUN_ID_COMPARATORS: readonly string[] = ['=', '!=', 'IN', 'NOT IN'];

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /[<>=!~]+/y;

export const parseRegisteredModelFilter = (filter: string | undefined) => parseFilter(filter ?? '', MODEL_FILTER_ATTRIBUTES);
export const parseModelVersionFilter = (filter: string | undefined) => parseFilter(filter ?? '', VERSION_FILTER_ATTRIBUTES);
export const parseRegisteredModelOrderBy = (orderBy: readonly string[]) => parseOrderBy(orderBy, MODEL_ORDER_KEYS);
export const parseModelVersionOrderBy = (orderBy: readonly string[]) => parseOrderBy(orderBy, VERSION_ORDER_KEYS);

function parseFilter(filter: string, attributes: ReadonlyMap<string, FilterAttribute>): RegistryFilterClause[] {
  const scanner = new SearchScanner(filter, 'filter');
  const clauses: RegistryFilterClause[] = [];
  scanner.skipSpace();
  if (scanner.atEnd()) return clauses;
  for (;;) {
    clauses.push(readClause(scanner, attributes));
    scanner.skipSpace();
    if (scanner.atEnd()) return clauses;
    const word = scanner.peekWord();
    if (word?.toUpperCase() !== 'AND') throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
    scanner.match(WORD);
    scanner.skipSpace();
    if (scanner.atEnd()) throw scanner.fail(`Invalid clause(s) in filter string: '${word}' is not followed by a comparison`);
  }
}

function readClause(scanner: SearchScanner, attributes: ReadonlyMap<string, FilterAttribute>): RegistryFilterClause {
  const identifier = scanner.readIdentifier();
  if (!identifier) throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
  const target = resolveIdentifier(scanner, identifier, attributes);
  if (target.kind === 'metric' || target.kind === 'param') {
    throw scanner.fail(`Invalid entity type '${identifier.parts[0].text}'. Valid values are ['tag', 'attribute']`);
  }
  scanner.skipSpace();
  const comparator = readComparator(scanner, identifier.raw);
  const key = target.kind === 'tag' ? 'tag' : target.key;
  const allowed = key === 'version_number' ? NUMERIC_COMPARATORS : key === 'run_id' ? RUN_ID_COMPARATORS : STRING_COMPARATORS;
  if (!allowed.includes(comparator)) throw scanner.fail(`Invalid comparator '${comparator}' not one of '${pythonSet(allowed)}'`);
  scanner.skipSpace();
  const value = scanner.readValue();
  if (!value) throw scanner.fail(`Invalid comparison clause. Expected a value after '${identifier.raw} ${comparator}'`);

  if (target.kind === 'tag') {
    if (value.type !== 'string') throw scanner.fail(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${value.raw}`);
    return { kind: 'tag', key: target.key, comparator: comparator as StringComparator, value: value.value };
  }
  if (target.key === 'version_number') {
    const number = value.type === 'number' ? value.value : value.type === 'string' && /^\d+$/.test(value.value) ? Number(value.value) : undefined;
    if (number === undefined) throw scanner.fail(`Expected numeric value type for numeric attribute: version_number. Found ${value.raw}`);
    return { kind: 'version_number', comparator: comparator as NumericComparator, value: number };
  }
  if (target.key === 'run_id') {
    const isList = comparator === 'IN' || comparator === 'NOT IN';
    if (isList && value.type !== 'list') throw scanner.fail(`Expected a list of quoted strings after '${comparator}', e.g. ('a', 'b'). Got ${value.raw}`);
    if (!isList && value.type !== 'string') throw scanner.fail(`Expected a quoted string value for attributes (e.g. 'my-value'). Got value ${value.raw}`);
    return { kind: 'run_id', comparator: comparator as RunIdComparator, value: value.type === 'list' ? value.value : [value.type === 'string' ? value.value : ''] };
  }
  if (value.type !== 'string') throw scanner.fail(`Expected a quoted string value for attributes (e.g. 'my-value'). Got value ${value.raw}`);
  return { kind: target.key as 'name' | 'source_path', comparator: comparator as StringComparator, value: value.value };
}

/** The comparator as written, upper-cased; NOT joins the word after it. */
function readComparator(scanner: SearchScanner, identifierRaw: string): string {
  const operator = scanner.match(OPERATOR);
  if (operator !== undefined) return operator;
  const word = scanner.match(WORD);
  if (word === undefined) throw scanner.fail(`Invalid comparison clause. Expected a comparator after '${identifierRaw}'`);
  if (word.toUpperCase() !== 'NOT') return word.toUpperCase();
  scanner.skipSpace();
  return `NOT ${(scanner.match(WORD) ?? '').toUpperCase()}`.trim();
}

function parseOrderBy(orderBy: readonly string[], keys: ReadonlyMap<string, RegistryOrderKey>): RegistryOrderTerm[] {
  const terms = orderBy.map((clause) => parseOrderTerm(clause, keys));
  const seen = new Set<string>();
  for (const term of terms) {
    if (seen.has(term.key)) throw new SearchScanner('', 'order_by').fail(`\`order_by\` contains duplicate fields: [${orderBy.map((c) => `'${c}'`).join(', ')}]`);
    seen.add(term.key);
  }
  return terms;
}

function parseOrderTerm(clause: string, keys: ReadonlyMap<string, RegistryOrderKey>): RegistryOrderTerm {
  const scanner = new SearchScanner(clause, 'order_by');
  const unparsable = () => scanner.fail(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  scanner.skipSpace();
  const identifier = scanner.readIdentifier();
  if (!identifier) throw unparsable();
  const key = identifier.parts.length === 1 ? keys.get(identifier.parts[0].text) : undefined;
  if (key === undefined) throw scanner.fail(`Invalid order by key '${identifier.raw}' specified. Valid keys are ${pythonSet(keys.keys())}`);
  scanner.skipSpace();
  let ascending = true;
  if (!scanner.atEnd()) {
    const direction = scanner.match(WORD)?.toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') throw scanner.fail(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = direction === 'asc';
    scanner.skipSpace();
    if (!scanner.atEnd()) throw unparsable();
  }
  return { key, ascending };
}
