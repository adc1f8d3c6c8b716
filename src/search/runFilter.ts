import { SearchSyntaxError, type SearchField } from './searchErrors.ts';

/**
 * MLflow's run search filter: comparisons joined by AND, e.g.
 *   metrics.acc > 0.9 AND params.`learning rate` = '0.1' AND attributes.status = 'FINISHED'
 * MLflow parses it with sqlparse; this is a hand-written parser for the same language,
 * stricter where sqlparse lets nonsense through (a trailing AND, say).
 */

export type EntityKind = 'metric' | 'param' | 'tag' | 'attribute';
export type NumericComparator = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListComparator = 'IN' | 'NOT IN';
export type Comparator = NumericComparator | StringComparator | ListComparator;

export type NumericRunAttribute = 'start_time' | 'end_time';
export type StringRunAttribute = 'artifact_uri' | 'run_id' | 'run_name' | 'status' | 'user_id';

export interface MetricClause {
  kind: 'metric';
  key: string;
  comparator: NumericComparator;
  value: number;
}
export interface ParamClause {
  kind: 'param';
  key: string;
  comparator: StringComparator;
  value: string;
}
export interface TagClause {
  kind: 'tag';
  key: string;
  comparator: StringComparator;
  value: string;
}
export interface NumericAttributeClause {
  kind: 'attribute';
  key: NumericRunAttribute;
  comparator: NumericComparator;
  value: number;
}
export interface StringAttributeClause {
  kind: 'attribute';
  key: StringRunAttribute;
  comparator: StringComparator;
  value: string;
}
export interface RunIdListClause {
  kind: 'attribute';
  key: 'run_id';
  comparator: ListComparator;
  value: string[];
}
export type AttributeClause = NumericAttributeClause | StringAttributeClause | RunIdListClause;
/** What a dataset clause compares: a dataset input's name or digest, or its mlflow.data.context tag. */
export type DatasetField = 'name' | 'digest' | 'context';
export type DatasetClause =
  | { kind: 'dataset'; key: DatasetField; comparator: StringComparator; value: string }
  | { kind: 'dataset'; key: DatasetField; comparator: ListComparator; value: string[] };
export type RunFilterClause = MetricClause | ParamClause | TagClause | AttributeClause | DatasetClause;

const NUMERIC_COMPARATORS: readonly NumericComparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly StringComparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const STRING_ATTRIBUTE_COMPARATORS: readonly Comparator[] = [...STRING_COMPARATORS, 'IN', 'NOT IN'];

const NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set<NumericRunAttribute>(['start_time', 'end_time']);

/** Attribute names a filter may use, with MLflow's display aliases mapped to the real attribute. */
export const SEARCHABLE_ATTRIBUTES: ReadonlyMap<string, NumericRunAttribute | StringRunAttribute> = new Map([
  ['artifact_uri', 'artifact_uri'],
  ['end_time', 'end_time'],
  ['run_id', 'run_id'],
  ['run_name', 'run_name'],
  ['start_time', 'start_time'],
  ['status', 'status'],
  ['user_id', 'user_id'],
  ['created', 'start_time'],
  ['Created', 'start_time'],
  ['run name', 'run_name'],
  ['Run name', 'run_name'],
  ['Run Name', 'run_name'],
]);

const ENTITY_PREFIXES: ReadonlyMap<string, EntityKind> = new Map([
  ['metric', 'metric'],
  ['metrics', 'metric'],
  ['parameter', 'param'],
  ['parameters', 'param'],
  ['param', 'param'],
  ['params', 'param'],
  ['tag', 'tag'],
  ['tags', 'tag'],
  ['attribute', 'attribute'],
  ['attributes', 'attribute'],
  ['attr', 'attribute'],
  ['run', 'attribute'],
]);
/**
 * Dataset inputs are searchable in run filters only (readClause handles them before
 * resolveIdentifier); order_by and the other searches that share resolveIdentifier refuse them.
 */
const DATASET_PREFIXES: ReadonlySet<string> = new Set(['dataset', 'datasets']);
const UNSUPPORTED_PREFIXES = DATASET_PREFIXES;
const DATASET_FIELDS: readonly DatasetField[] = ['name', 'digest', 'context'];
const DATASET_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

/** Renders a list the way Python prints a set, so messages read like MLflow's. */
export function pythonSet(items: Iterable<string>): string {
  return `{${[...items].map((item) => `'${item}'`).join(', ')}}`;
}

export interface IdentifierPart {
  text: string;
  quoted: boolean;
}
export interface ScannedIdentifier {
  parts: IdentifierPart[];
  /** As written, for error messages. */
  raw: string;
}

export type ValueToken =
  | { type: 'number'; value: number; raw: string }
  | { type: 'string'; value: string; raw: string }
  | { type: 'list'; value: string[]; raw: string }
  | { type: 'word'; raw: string };

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
// Key segments after the prefix may start with a digit: metrics.1st_loss.
const KEY_SEGMENT = /[A-Za-z0-9_]+/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])/y;
const OPERATOR = /[<>=!~]+/y;
const SPACE = /\s*/y;

/**
 * Reads search strings left to right. It knows the lexical shapes (words, quoted
 * keys and strings, numbers, lists); the filter and order_by grammars sit on top.
 */
export class SearchScanner {
  pos = 0;

  constructor(
    readonly text: string,
    readonly field: SearchField,
  ) {}

  fail(message: string): SearchSyntaxError {
    return new SearchSyntaxError(this.field, message);
  }

  skipSpace(): void {
    this.match(SPACE);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Consumes and returns the text pattern (a sticky regex) matches at the cursor, if any. */
  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.pos += found[0].length;
    return found[0];
  }

  /** The word at the cursor, without consuming it. */
  peekWord(): string | undefined {
    WORD.lastIndex = this.pos;
    return WORD.exec(this.text)?.[0];
  }

  /** The next token as written, without consuming it: what an error message should point at. */
  peekLexeme(): string {
    const start = this.pos;
    const char = this.text[start];
    let lexeme: string;
    if (char === "'" || char === '"' || char === '`') {
      const close = this.text.indexOf(char, start + 1);
      lexeme = close < 0 ? this.text.slice(start) : this.text.slice(start, close + 1);
    } else {
      lexeme = this.match(WORD) ?? this.match(NUMBER) ?? this.match(OPERATOR) ?? char;
    }
    this.pos = start;
    return lexeme;
  }

  /**
   * Reads a quoted run starting at the cursor's quote character. In string values a
   * doubled quote or a backslash-escaped quote stands for the quote itself (MLflow keeps
   * such escapes literally, which makes values containing quotes unmatchable with '=').
   * Other backslashes are kept, so LIKE patterns can still escape % and _.
   */
  readQuoted(withEscapes: boolean): { value: string; raw: string } {
    const start = this.pos;
    const quote = this.text[start];
    let value = '';
    let i = start + 1;
    while (i < this.text.length) {
      const char = this.text[i];
      if (withEscapes && char === '\\' && i + 1 < this.text.length) {
        const next = this.text[i + 1];
        value += next === quote ? quote : char + next;
        i += 2;
      } else if (char === quote) {
        if (withEscapes && this.text[i + 1] === quote) {
          value += quote;
          i += 2;
        } else {
          this.pos = i + 1;
          return { value, raw: this.text.slice(start, this.pos) };
        }
      } else {
        value += char;
        i += 1;
      }
    }
    throw this.fail(`Unterminated quoted string ${this.text.slice(start)}`);
  }

  /** `prefix.key`, `prefix.`quoted key``, `prefix."quoted key"`, `key` or a quoted key alone. */
  readIdentifier(): ScannedIdentifier | undefined {
    const start = this.pos;
    const parts: IdentifierPart[] = [];
    const first = this.readIdentifierPart(WORD);
    if (!first) return undefined;
    parts.push(first);
    while (this.text[this.pos] === '.') {
      this.pos += 1;
      const part = this.readIdentifierPart(KEY_SEGMENT);
      if (!part) throw this.fail(`Invalid identifier '${this.text.slice(start, this.pos)}'`);
      parts.push(part);
    }
    return { parts, raw: this.text.slice(start, this.pos) };
  }

  private readIdentifierPart(bare: RegExp): IdentifierPart | undefined {
    const char = this.text[this.pos];
    if (char === '`' || char === '"') return { text: this.readQuoted(false).value, quoted: true };
    const text = this.match(bare);
    return text === undefined ? undefined : { text, quoted: false };
  }

  /** A number, a quoted string, a parenthesised list of quoted strings, or a bare word (an error later). */
  readValue(): ValueToken | undefined {
    const start = this.pos;
    const char = this.text[start];
    if (char === "'" || char === '"') {
      const { value, raw } = this.readQuoted(true);
      return { type: 'string', value, raw };
    }
    if (char === '(') return this.readList();
    const number = this.match(NUMBER);
    if (number !== undefined) return { type: 'number', value: Number(number), raw: number };
    const word = this.match(WORD);
    if (word !== undefined) return { type: 'word', raw: word };
    return undefined;
  }

  private readList(): ValueToken {
    const start = this.pos;
    this.pos += 1;
    const items: string[] = [];
    const illFormed = () =>
      this.fail('While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.');
    for (;;) {
      this.skipSpace();
      const char = this.text[this.pos];
      if (char === ')') {
        this.pos += 1;
        break;
      }
      if (char === "'" || char === '"') {
        items.push(this.readQuoted(true).value);
      } else if (this.atEnd()) {
        throw illFormed();
      } else {
        throw this.fail(
          'While parsing a list in the query, expected string value, punctuation, or whitespace, ' +
            `but got different type in list: ${this.peekLexeme()}`,
        );
      }
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos += 1;
      else if (this.text[this.pos] !== ')') throw illFormed();
    }
    if (items.length === 0) {
      throw this.fail('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
    }
    return { type: 'list', value: items, raw: this.text.slice(start, this.pos) };
  }
}

export type ResolvedIdentifier<A extends string> =
  | { kind: 'metric' | 'param' | 'tag'; key: string }
  | { kind: 'attribute'; key: A };

/** Splits an identifier into entity kind and key; attributes are checked against validAttributes. */
export function resolveIdentifier<A extends string>(
  scanner: SearchScanner,
  identifier: ScannedIdentifier,
  validAttributes: ReadonlyMap<string, A>,
): ResolvedIdentifier<A> {
  const [first, ...rest] = identifier.parts;
  let kind: EntityKind = 'attribute';
  let key = first.text;
  if (rest.length > 0) {
    if (UNSUPPORTED_PREFIXES.has(first.text)) {
      throw scanner.fail(`Searching by '${first.text}' is not supported by this server`);
    }
    const prefixKind = ENTITY_PREFIXES.get(first.text);
    if (!prefixKind) {
      throw scanner.fail(
        `Invalid entity type '${first.text}'. Valid values are ['metric', 'parameter', 'tag', 'attribute']`,
      );
    }
    // Only an unquoted key may span dots (tags.mlflow.user); a quoted key is one piece.
    if (rest.length > 1 && rest.some((part) => part.quoted)) {
      throw scanner.fail(`Invalid identifier '${identifier.raw}'`);
    }
    kind = prefixKind;
    key = rest.map((part) => part.text).join('.');
  }
  if (key === '') throw scanner.fail(`Invalid identifier '${identifier.raw}': the key is empty`);
  if (kind !== 'attribute') return { kind, key };
  const attribute = validAttributes.get(key);
  if (attribute === undefined) {
    throw scanner.fail(`Invalid attribute key '${key}' specified. Valid keys are '${pythonSet(validAttributes.keys())}'`);
  }
  return { kind, key: attribute };
}

/** Parses an MLflow run filter into clauses that all must hold. Empty or blank means no filter. */
export function parseRunFilter(filter: string): RunFilterClause[] {
  const scanner = new SearchScanner(filter, 'filter');
  const clauses: RunFilterClause[] = [];
  scanner.skipSpace();
  if (scanner.atEnd()) return clauses;
  for (;;) {
    clauses.push(readClause(scanner));
    scanner.skipSpace();
    if (scanner.atEnd()) return clauses;
    const word = scanner.peekWord();
    if (word?.toUpperCase() !== 'AND') {
      throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
    }
    scanner.match(WORD);
    scanner.skipSpace();
    if (scanner.atEnd()) throw scanner.fail(`Invalid clause(s) in filter string: '${word}' is not followed by a comparison`);
  }
}

function readClause(scanner: SearchScanner): RunFilterClause {
  const clauseStart = scanner.pos;
  const leadingWord = scanner.peekWord()?.toUpperCase();
  if (leadingWord === 'AND' || leadingWord === 'OR') {
    throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
  }
  const identifier = scanner.readIdentifier();
  if (!identifier) {
    throw scanner.fail(`Invalid clause(s) in filter string: '${scanner.peekLexeme()}'`);
  }
  if (identifier.parts.length > 1 && DATASET_PREFIXES.has(identifier.parts[0].text)) return readDatasetClause(scanner, identifier, clauseStart);
  const target = resolveIdentifier(scanner, identifier, SEARCHABLE_ATTRIBUTES);
  scanner.skipSpace();
  const comparator = readComparator(scanner, identifier.raw);
  checkComparator(scanner, target, comparator);
  scanner.skipSpace();
  const value = scanner.readValue();
  if (!value) {
    const clause = scanner.text.slice(clauseStart, scanner.pos).trim();
    const found = scanner.atEnd() ? 'nothing' : `'${scanner.peekLexeme()}'`;
    throw scanner.fail(`Invalid comparison clause '${clause}'. Expected a value after '${comparator}', found ${found}`);
  }
  return buildClause(scanner, target, comparator, value);
}

/**
 * `datasets.name`, `datasets.digest`, `datasets.context` (MLflow's dataset search): a quoted
 * string with = != LIKE ILIKE, a parenthesised list with IN and NOT IN.
 */
function readDatasetClause(scanner: SearchScanner, identifier: ScannedIdentifier, clauseStart: number): DatasetClause {
  const [, ...rest] = identifier.parts;
  const key = rest.map((part) => part.text).join('.');
  const field = `datasets.${key}`;
  if (rest.length > 1 || !(DATASET_FIELDS as readonly string[]).includes(key)) {
    throw scanner.fail(`Invalid dataset key '${key}' specified. Valid keys are '${pythonSet(DATASET_FIELDS)}'`);
  }
  scanner.skipSpace();
  const comparator = readComparator(scanner, identifier.raw);
  if (!DATASET_COMPARATORS.includes(comparator as Comparator)) {
    throw scanner.fail(`Invalid comparator '${comparator}' for ${field}: not one of '${pythonSet(DATASET_COMPARATORS)}'`);
  }
  scanner.skipSpace();
  const value = scanner.readValue();
  if (!value) {
    const clause = scanner.text.slice(clauseStart, scanner.pos).trim();
    const found = scanner.atEnd() ? 'nothing' : `'${scanner.peekLexeme()}'`;
    throw scanner.fail(`Invalid comparison clause '${clause}'. Expected a value after '${comparator}', found ${found}`);
  }
  const dataset = key as DatasetField;
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (value.type !== 'list') throw scanner.fail(`Expected a parenthesised list of quoted strings after '${comparator}' for ${field}. Got value ${value.raw}`);
    return { kind: 'dataset', key: dataset, comparator, value: value.value };
  }
  if (value.type === 'list') throw scanner.fail(`A list of values for ${field} can only be compared with 'IN' or 'NOT IN', not '${comparator}'`);
  if (value.type !== 'string') throw scanner.fail(`Expected a quoted string value for ${field} (e.g. 'my-value'). Got value ${value.raw}`);
  return { kind: 'dataset', key: dataset, comparator: comparator as StringComparator, value: value.value };
}

/** Reads the comparator as written (upper-cased), valid or not: validity depends on the key's type. */
function readComparator(scanner: SearchScanner, identifierRaw: string): string {
  const operator = scanner.match(OPERATOR);
  if (operator !== undefined) return operator;
  const word = scanner.match(WORD);
  if (word === undefined) {
    const found = scanner.atEnd() ? 'nothing' : `'${scanner.peekLexeme()}'`;
    throw scanner.fail(
      `Invalid comparison clause. Expected a comparator after '${identifierRaw}', found ${found} ` +
        '(quote keys containing special characters with backticks)',
    );
  }
  const upper = word.toUpperCase();
  if (upper !== 'NOT') return upper;
  scanner.skipSpace();
  const next = scanner.match(WORD);
  return next === undefined ? upper : `${upper} ${next.toUpperCase()}`;
}

function checkComparator(
  scanner: SearchScanner,
  target: ResolvedIdentifier<NumericRunAttribute | StringRunAttribute>,
  comparator: string,
): void {
  const allowed: readonly string[] =
    target.kind === 'metric' || (target.kind === 'attribute' && NUMERIC_ATTRIBUTES.has(target.key))
      ? NUMERIC_COMPARATORS
      : target.kind === 'attribute'
        ? STRING_ATTRIBUTE_COMPARATORS
        : STRING_COMPARATORS;
  if (!allowed.includes(comparator)) {
    throw scanner.fail(`Invalid comparator '${comparator}' not one of '${pythonSet(allowed)}'`);
  }
}

function buildClause(
  scanner: SearchScanner,
  target: ResolvedIdentifier<NumericRunAttribute | StringRunAttribute>,
  comparator: string,
  value: ValueToken,
): RunFilterClause {
  switch (target.kind) {
    case 'metric':
      if (value.type !== 'number') {
        throw scanner.fail(`Expected numeric value type for metric. Found ${value.raw}`);
      }
      return { kind: 'metric', key: target.key, comparator: comparator as NumericComparator, value: value.value };
    case 'param':
    case 'tag':
      return {
        kind: target.kind,
        key: target.key,
        comparator: comparator as StringComparator,
        value: expectString(scanner, value, target.kind === 'param' ? 'parameter' : 'tag'),
      };
    case 'attribute':
      return buildAttributeClause(scanner, target.key, comparator, value);
  }
}

function buildAttributeClause(
  scanner: SearchScanner,
  key: NumericRunAttribute | StringRunAttribute,
  comparator: string,
  value: ValueToken,
): AttributeClause {
  if (key === 'start_time' || key === 'end_time') {
    if (value.type !== 'number') {
      throw scanner.fail(`Expected numeric value type for numeric attribute: ${key}. Found ${value.raw}`);
    }
    return { kind: 'attribute', key, comparator: comparator as NumericComparator, value: value.value };
  }
  const isListComparator = comparator === 'IN' || comparator === 'NOT IN';
  if (value.type === 'list' || isListComparator) {
    if (key !== 'run_id') {
      throw scanner.fail("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    }
    if (value.type !== 'list') {
      throw scanner.fail(`Expected a parenthesised list of quoted strings after '${comparator}'. Got value ${value.raw}`);
    }
    if (!isListComparator) {
      throw scanner.fail(`A list of run ids can only be compared with 'IN' or 'NOT IN', not '${comparator}'`);
    }
    return { kind: 'attribute', key, comparator, value: value.value };
  }
  return {
    kind: 'attribute',
    key,
    comparator: comparator as StringComparator,
    value: expectString(scanner, value, 'attributes'),
  };
}

function expectString(scanner: SearchScanner, value: ValueToken, what: 'parameter' | 'tag' | 'attributes'): string {
  if (value.type === 'string') return value.value;
  if (value.type === 'word') {
    throw scanner.fail(
      `Parameter value is either not quoted or unidentified quote types used for string value ${value.raw}. ` +
        'Use either single or double quotes.',
    );
  }
  if (what === 'attributes') throw scanner.fail(`Expected a quoted string value for attributes. Got value ${value.raw}`);
  throw scanner.fail(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${value.raw}`);
}
