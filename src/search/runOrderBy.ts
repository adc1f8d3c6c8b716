import { SearchScanner, resolveIdentifier } from './runFilter.ts';
import { SearchSyntaxError } from './searchErrors.ts';

/**
 * MLflow's run order_by: a list of "<identifier> [ASC|DESC]", e.g.
 * ["metrics.acc DESC", "attributes.start_time ASC", "tags.`a b` desc"].
 */

export type OrderableRunAttribute =
  | 'start_time'
  | 'end_time'
  | 'run_name'
  | 'run_id'
  | 'status'
  | 'user_id'
  | 'artifact_uri'
  | 'experiment_id';

export type RunOrderTerm =
  | { kind: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { kind: 'attribute'; key: OrderableRunAttribute; ascending: boolean };

/** Attributes a run list may be ordered by, with MLflow's `created` alias for start_time. */
export const ORDERABLE_ATTRIBUTES: ReadonlyMap<string, OrderableRunAttribute> = new Map([
  ['start_time', 'start_time'],
  ['end_time', 'end_time'],
  ['run_name', 'run_name'],
  ['run_id', 'run_id'],
  ['status', 'status'],
  ['user_id', 'user_id'],
  ['artifact_uri', 'artifact_uri'],
  ['experiment_id', 'experiment_id'],
  ['created', 'start_time'],
  ['Created', 'start_time'],
]);

export function parseRunOrderBy(orderBy: string[]): RunOrderTerm[] {
  const terms = orderBy.map(parseOrderTerm);
  // MLflow refuses to order twice by one field (its SQL store would join the same key twice).
  const seen = new Set<string>();
  for (const term of terms) {
    const field = `${term.kind}\u0000${term.key}`;
    if (seen.has(field)) {
      const listed = orderBy.map((clause) => `'${clause}'`).join(', ');
      throw new SearchSyntaxError('order_by', `\`order_by\` contains duplicate fields: [${listed}]`);
    }
    seen.add(field);
  }
  return terms;
}

function parseOrderTerm(clause: string): RunOrderTerm {
  const scanner = new SearchScanner(clause, 'order_by');
  const unparsable = () => scanner.fail(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  scanner.skipSpace();
  const identifier = scanner.readIdentifier();
  if (!identifier) throw unparsable();
  const target = resolveIdentifier(scanner, identifier, ORDERABLE_ATTRIBUTES);
  let ascending = true;
  scanner.skipSpace();
  if (!scanner.atEnd()) {
    const direction = scanner.peekWord();
    if (direction === undefined) throw unparsable();
    const lower = direction.toLowerCase();
    // "DESCENDING" and friends get MLflow's own message for a wrong direction word.
    if (lower !== 'asc' && lower !== 'desc') {
      throw scanner.fail(`Invalid ordering key in order_by clause '${clause}'.`);
    }
    scanner.pos += direction.length;
    ascending = lower === 'asc';
    scanner.skipSpace();
    if (!scanner.atEnd()) throw unparsable();
  }
  return target.kind === 'attribute'
    ? { kind: 'attribute', key: target.key, ascending }
    : { kind: target.kind, key: target.key, ascending };
}
