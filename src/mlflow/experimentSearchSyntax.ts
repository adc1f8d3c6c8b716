import { pythonSet, resolveIdentifier, SearchScanner, type NumericComparator, type StringComparator } from '../search/runFilter.ts';

/**
 * MLflow's experiments/search grammar: a filter of comparisons joined by AND over
 * the attributes name, creation_time, last_update_time and tags, e.g.
 *   name LIKE 'mnist%' AND tags.team = 'vision' AND creation_time > 1700000000000
 * and order_by terms over name, experiment_id, creation_time, last_update_time.
 * Built on the run filter's scanner, so quoting and messages match runs/search.
 */

export type ExperimentTimeAttribute = 'creation_time' | 'last_update_time';
export type ExperimentOrderAttribute = 'name' | 'experiment_id' | ExperimentTimeAttribute;

export type ExperimentFilterClause =
  | { kind: 'name'; comparator: StringComparator; value: string }
  | { kind: 'time'; key: ExperimentTimeAttribute; comparator: NumericComparator; value: number }
  | { kind: 'tag'; key: string; comparator: StringComparator; value: string };

export interface ExperimentOrderTerm {
  key: ExperimentOrderAttribute;
  ascending: boolean;
}

const FILTER_ATTRIBUTES: ReadonlyMap<string, 'name' | ExperimentTimeAttribute> = new Map([
  ['name', 'name'],
  ['creation_time', 'creation_time'],
  ['last_update_time', 'last_update_time'],
]);
const ORDER_ATTRIBUTES: ReadonlyMap<string, ExperimentOrderAttribute> = new Map([
  ['name', 'name'],
  ['experiment_id', 'experiment_id'],
  ['creation_time', 'creation_time'],
  ['last_update_time', 'last_update_time'],
]);

const NUMERIC_COMPARATORS: readonly NumericComparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly StringComparator[] = ['=', '!=', 'LIKE', 'ILIKE'];

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /[<>=!~]+/y;

export function parseExperimentFilter(filter: string): ExperimentFilterClause[] {
  const scanner = new SearchScanner(filter, 'filter');
  const clauses: ExperimentFilterClause[] = [];
  scanner.skipSpace();
  if (scanner.atEnd()) return clauses;
  for (;;) {
    clauses.push(readClause(scanner));
    scanner.skipSpace();
    if (scanner.atEnd()) return clauses;
    const word = scanner.peekWord();
    if (word?.toUpperCase() !== 'AND') throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
    scanner.match(WORD);
    scanner.skipSpace();
    if (scanner.atEnd()) throw scanner.fail(`Invalid clause(s) in filter string: '${word}' is not followed by a comparison`);
  }
}

function readClause(scanner: SearchScanner): ExperimentFilterClause {
  const identifier = scanner.readIdentifier();
  if (!identifier) throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
  const target = resolveIdentifier(scanner, identifier, FILTER_ATTRIBUTES);
  if (target.kind === 'metric' || target.kind === 'param') {
    throw scanner.fail(`Invalid entity type '${identifier.parts[0].text}'. Valid values are ['tag', 'attribute']`);
  }
  scanner.skipSpace();
  const comparator = readComparator(scanner, identifier.raw);
  const isTime = target.kind === 'attribute' && target.key !== 'name';
  const allowed: readonly string[] = isTime ? NUMERIC_COMPARATORS : STRING_COMPARATORS;
  if (!allowed.includes(comparator)) throw scanner.fail(`Invalid comparator '${comparator}' not one of '${pythonSet(allowed)}'`);
  scanner.skipSpace();
  const value = scanner.readValue();
  if (!value) throw scanner.fail(`Invalid comparison clause. Expected a value after '${identifier.raw} ${comparator}'`);

  if (target.kind === 'attribute' && target.key !== 'name') {
    if (value.type !== 'number') throw scanner.fail(`Expected numeric value type for numeric attribute: ${target.key}. Found ${value.raw}`);
    return { kind: 'time', key: target.key, comparator: comparator as NumericComparator, value: value.value };
  }
  if (value.type !== 'string') {
    const what = target.kind === 'tag' ? 'tag' : 'attributes';
    throw scanner.fail(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${value.raw}`);
  }
  const stringComparator = comparator as StringComparator;
  return target.kind === 'tag'
    ? { kind: 'tag', key: target.key, comparator: stringComparator, value: value.value }
    : { kind: 'name', comparator: stringComparator, value: value.value };
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

export function parseExperimentOrderBy(orderBy: readonly string[]): ExperimentOrderTerm[] {
  const terms = orderBy.map(parseOrderTerm);
  const seen = new Set<string>();
  for (const term of terms) {
    if (seen.has(term.key)) {
      throw new SearchScanner('', 'order_by').fail(`\`order_by\` contains duplicate fields: [${orderBy.map((c) => `'${c}'`).join(', ')}]`);
    }
    seen.add(term.key);
  }
  return terms;
}

function parseOrderTerm(clause: string): ExperimentOrderTerm {
  const scanner = new SearchScanner(clause, 'order_by');
  const unparsable = () => scanner.fail(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  scanner.skipSpace();
  const identifier = scanner.readIdentifier();
  if (!identifier) throw unparsable();
  const target = resolveIdentifier(scanner, identifier, ORDER_ATTRIBUTES);
  if (target.kind !== 'attribute') {
    throw scanner.fail(`Invalid order_by clause '${clause}'. Experiments can only be ordered by ${pythonSet(ORDER_ATTRIBUTES.keys())}.`);
  }
  scanner.skipSpace();
  let ascending = true;
  if (!scanner.atEnd()) {
    const direction = scanner.match(WORD)?.toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') throw scanner.fail(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = direction === 'asc';
    scanner.skipSpace();
    if (!scanner.atEnd()) throw unparsable();
  }
  return { key: target.key, ascending };
}
