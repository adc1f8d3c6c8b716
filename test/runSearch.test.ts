import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingTablesSql } from '../src/projections/trackingTables.ts';
import {
  compileRunSearch,
  decodePageToken,
  encodePageToken,
  type RunSearchInput,
} from '../src/search/compileRunSearch.ts';
import { parseRunFilter, type RunFilterClause } from '../src/search/runFilter.ts';
import { parseRunOrderBy } from '../src/search/runOrderBy.ts';
import { SearchSyntaxError, type SearchField } from '../src/search/searchErrors.ts';
import { backendName, openTestDb, type TestDb } from './support/testDb.ts';

function searchError(run: () => unknown): SearchSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof SearchSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a SearchSyntaxError, but nothing was thrown');
}

function expectRejected(run: () => unknown, field: SearchField, message: string | RegExp): void {
  const error = searchError(run);
  expect(error.field).toBe(field);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}

const only = (filter: string): RunFilterClause => {
  const clauses = parseRunFilter(filter);
  expect(clauses).toHaveLength(1);
  return clauses[0];
};

describe('parseRunFilter', () => {
  it('treats an empty or blank filter as no filter', () => {
    expect(parseRunFilter('')).toEqual([]);
    expect(parseRunFilter('   \n\t ')).toEqual([]);
  });

  it.each(['metrics', 'metric'])('reads the %s prefix as a metric', (prefix) => {
    expect(only(`${prefix}.acc > 0.5`)).toEqual({ kind: 'metric', key: 'acc', comparator: '>', value: 0.5 });
  });

  it.each(['params', 'param', 'parameter', 'parameters'])('reads the %s prefix as a param', (prefix) => {
    expect(only(`${prefix}.lr = '0.1'`)).toEqual({ kind: 'param', key: 'lr', comparator: '=', value: '0.1' });
  });

  it.each(['tags', 'tag'])('reads the %s prefix as a tag', (prefix) => {
    expect(only(`${prefix}.team != 'x'`)).toEqual({ kind: 'tag', key: 'team', comparator: '!=', value: 'x' });
  });

  it.each(['attributes.', 'attribute.', 'attr.', 'run.', ''])('reads "%s" as an attribute prefix', (prefix) => {
    expect(only(`${prefix}status = 'FINISHED'`)).toEqual({
      kind: 'attribute',
      key: 'status',
      comparator: '=',
      value: 'FINISHED',
    });
  });

  it('maps the created and run name aliases to their attributes', () => {
    expect(only('created >= 10')).toMatchObject({ key: 'start_time', value: 10 });
    expect(only('attributes.Created < 10')).toMatchObject({ key: 'start_time' });
    expect(only(`"run name" = 'a'`)).toMatchObject({ kind: 'attribute', key: 'run_name' });
    expect(only("`Run Name` = 'a'")).toMatchObject({ key: 'run_name' });
    expect(only(`attributes."Run name" = 'a'`)).toMatchObject({ key: 'run_name' });
  });

  it.each(['artifact_uri', 'run_id', 'run_name', 'status', 'user_id'])('searches the string attribute %s', (key) => {
    expect(only(`attributes.${key} LIKE 'a%'`)).toEqual({ kind: 'attribute', key, comparator: 'LIKE', value: 'a%' });
  });

  it.each(['start_time', 'end_time'])('searches the numeric attribute %s', (key) => {
    expect(only(`${key} <= 1700000000000`)).toEqual({ kind: 'attribute', key, comparator: '<=', value: 1700000000000 });
  });

  it('reads keys quoted with backticks or double quotes, with spaces, dots and other key characters', () => {
    expect(only("params.`learning rate` = 'x'")).toMatchObject({ kind: 'param', key: 'learning rate' });
    expect(only(`tags."mlflow.user" = 'bob'`)).toMatchObject({ kind: 'tag', key: 'mlflow.user' });
    expect(only('metrics.`val/loss: top-1` < 2')).toMatchObject({ kind: 'metric', key: 'val/loss: top-1' });
    expect(only('`metrics`.acc < 2')).toMatchObject({ kind: 'metric', key: 'acc' });
  });

  it('reads an unquoted dotted key as one key', () => {
    expect(only("tags.mlflow.source.name = 'x'")).toMatchObject({ kind: 'tag', key: 'mlflow.source.name' });
    expect(only('metrics.1st_loss > 0')).toMatchObject({ kind: 'metric', key: '1st_loss' });
  });

  it('reads single- and double-quoted values, unescaping doubled quotes', () => {
    expect(only("params.a = 'x y'")).toMatchObject({ value: 'x y' });
    expect(only(`params.a = "x y"`)).toMatchObject({ value: 'x y' });
    expect(only("params.a = 'it''s'")).toMatchObject({ value: "it's" });
    expect(only("params.a = 'it\\'s'")).toMatchObject({ value: "it's" });
    expect(only("params.a LIKE 'x\\_%'")).toMatchObject({ value: 'x\\_%' });
    expect(only("params.a = ''")).toMatchObject({ value: '' });
  });

  it('reads integer, decimal, negative and exponent numbers', () => {
    expect(only('metrics.a = 3')).toMatchObject({ value: 3 });
    expect(only('metrics.a = -0.25')).toMatchObject({ value: -0.25 });
    expect(only('metrics.a = .5')).toMatchObject({ value: 0.5 });
    expect(only('metrics.a = 1.5e-3')).toMatchObject({ value: 0.0015 });
    expect(only('metrics.a>=2')).toMatchObject({ comparator: '>=', value: 2 });
  });

  it.each(['=', '!=', '>', '>=', '<', '<='])('accepts %s for metrics and numeric attributes', (comparator) => {
    expect(only(`metrics.a ${comparator} 1`)).toMatchObject({ kind: 'metric', comparator });
    expect(only(`end_time ${comparator} 1`)).toMatchObject({ kind: 'attribute', comparator });
  });

  it.each(['=', '!=', 'LIKE', 'ILIKE', 'like', 'iLike'])('accepts %s for params, tags and string attributes', (comparator) => {
    const upper = comparator.toUpperCase();
    expect(only(`params.a ${comparator} 'x'`)).toMatchObject({ kind: 'param', comparator: upper });
    expect(only(`tags.a ${comparator} 'x'`)).toMatchObject({ kind: 'tag', comparator: upper });
    expect(only(`user_id ${comparator} 'x'`)).toMatchObject({ kind: 'attribute', comparator: upper });
  });

  it('accepts IN and NOT IN lists for run_id', () => {
    expect(only("run_id IN ('a', 'b')")).toEqual({ kind: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] });
    expect(only(`attributes.run_id not in ("a",)`)).toEqual({
      kind: 'attribute',
      key: 'run_id',
      comparator: 'NOT IN',
      value: ['a'],
    });
  });

  it('joins clauses with AND in any case', () => {
    const clauses = parseRunFilter("metrics.a > 1 AND params.b = 'x' and tags.c ILIKE '%y' And run_id IN ('r')");
    expect(clauses.map((clause) => clause.kind)).toEqual(['metric', 'param', 'tag', 'attribute']);
  });

  const metricComparators = "'{'=', '!=', '>', '>=', '<', '<='}'";
  const stringComparators = "'{'=', '!=', 'LIKE', 'ILIKE'}'";
  const attributeComparators = "'{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'";

  it.each([
    ['metrics.accuracy >> 3', `Invalid comparator '>>' not one of ${metricComparators}`],
    ['metrics.a LIKE 1', `Invalid comparator 'LIKE' not one of ${metricComparators}`],
    ['metrics.a == 1', `Invalid comparator '==' not one of ${metricComparators}`],
    ['start_time <> 1', `Invalid comparator '<>' not one of ${metricComparators}`],
    ["params.lr > '0.1'", `Invalid comparator '>' not one of ${stringComparators}`],
    ["params.lr IS NULL", `Invalid comparator 'IS' not one of ${stringComparators}`],
    ["tags.t IN ('a')", `Invalid comparator 'IN' not one of ${stringComparators}`],
    ["status < 'x'", `Invalid comparator '<' not one of ${attributeComparators}`],
    ["run_id NOT LIKE 'x'", `Invalid comparator 'NOT LIKE' not one of ${attributeComparators}`],
  ])('rejects the comparator in %s', (filter, message) => {
    expectRejected(() => parseRunFilter(filter), 'filter', message);
  });

  it.each([
    ['metrics.a > 1 OR metrics.b < 2', "Invalid clause(s) in filter string: 'OR'"],
    ['(metrics.a > 1)', "Invalid clause(s) in filter string: '('"],
    ['metrics.a > 1 AND (metrics.b < 2)', "Invalid clause(s) in filter string: '('"],
    ['metrics.a > 1 foo', "Invalid clause(s) in filter string: 'foo'"],
    ["params.a = 'x' 'y'", "Invalid clause(s) in filter string: ''y''"],
    ['metrics.a > 1;', "Invalid clause(s) in filter string: ';'"],
    ['metrics.a > 1 AND', "Invalid clause(s) in filter string: 'AND' is not followed by a comparison"],
    ['AND metrics.a > 1', "Invalid clause(s) in filter string: 'AND'"],
    ['metrics.a > 1 AND AND metrics.b > 1', "Invalid clause(s) in filter string: 'AND'"],
    ['metrics.a > 1 AND OR', "Invalid clause(s) in filter string: 'OR'"],
    ["metrics.a = 'x'", "Expected numeric value type for metric. Found 'x'"],
    ['metrics.a = abc', 'Expected numeric value type for metric. Found abc'],
    ["created > '5'", "Expected numeric value type for numeric attribute: start_time. Found '5'"],
    ['params.a = 5', "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 5"],
    ['tags.a = 5', "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5"],
    ['status = 5', 'Expected a quoted string value for attributes. Got value 5'],
    [
      'params.a = abc',
      'Parameter value is either not quoted or unidentified quote types used for string value abc. Use either single or double quotes.',
    ],
    ["status IN ('a')", "Only the 'run_id' attribute supports comparison with a list of quoted string values."],
    ["run_id IN 'a'", "Expected a parenthesised list of quoted strings after 'IN'. Got value 'a'"],
    ["run_id = ('a')", "A list of run ids can only be compared with 'IN' or 'NOT IN', not '='"],
    [
      'run_id IN ()',
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    ],
    [
      "run_id IN ('a' 'b')",
      'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
    ],
    [
      "run_id IN ('a', 1)",
      'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: 1',
    ],
    [
      "lifecycle_stage = 'active'",
      "Invalid attribute key 'lifecycle_stage' specified. Valid keys are '{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created', 'run name', 'Run name', 'Run Name'}'",
    ],
    ["experiment_id = '1'", /^Invalid attribute key 'experiment_id' specified/],
    ['foo.bar = 1', "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute']"],
    ['Metrics.a = 1', /^Invalid entity type 'Metrics'/],
    ["datasets.name > 'x'", "Invalid comparator '>' for datasets.name: not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'"],
    ["datasets.size = 'x'", "Invalid dataset key 'size' specified. Valid keys are '{'name', 'digest', 'context'}'"],
    ["datasets.name = 5", "Expected a quoted string value for datasets.name (e.g. 'my-value'). Got value 5"],
    ["datasets.digest IN 'a'", "Expected a parenthesised list of quoted strings after 'IN' for datasets.digest. Got value 'a'"],
    ["datasets.context = ('a')", "A list of values for datasets.context can only be compared with 'IN' or 'NOT IN', not '='"],
    ['metrics. = 1', "Invalid identifier 'metrics.'"],
    ['metrics.`` = 1', "Invalid identifier 'metrics.``': the key is empty"],
    ['metrics.a >', "Invalid comparison clause 'metrics.a >'. Expected a value after '>', found nothing"],
    ['metrics.a > )', "Invalid comparison clause 'metrics.a >'. Expected a value after '>', found ')'"],
    ['metrics.a', "Invalid comparison clause. Expected a comparator after 'metrics.a', found nothing (quote keys containing special characters with backticks)"],
    ['metrics.val-loss > 1', /^Invalid comparison clause. Expected a comparator after 'metrics.val', found '-'/],
    ["params.a = 'open", "Unterminated quoted string 'open"],
    ['params.`open = 1', 'Unterminated quoted string `open = 1'],
  ])('rejects %s', (filter, message) => {
    expectRejected(() => parseRunFilter(filter), 'filter', message);
  });
});

describe('parseRunOrderBy', () => {
  it('defaults to ascending and reads ASC and DESC in any case', () => {
    expect(parseRunOrderBy(['metrics.acc', 'params.lr DESC', 'tags.t asc', 'start_time Desc'])).toEqual([
      { kind: 'metric', key: 'acc', ascending: true },
      { kind: 'param', key: 'lr', ascending: false },
      { kind: 'tag', key: 't', ascending: true },
      { kind: 'attribute', key: 'start_time', ascending: false },
    ]);
    expect(parseRunOrderBy([])).toEqual([]);
  });

  it('reads quoted keys and every prefix alias', () => {
    expect(parseRunOrderBy(['tags.`a b` desc', 'params."mlflow.x"', 'metric.m DESC', 'run.status'])).toEqual([
      { kind: 'tag', key: 'a b', ascending: false },
      { kind: 'param', key: 'mlflow.x', ascending: true },
      { kind: 'metric', key: 'm', ascending: false },
      { kind: 'attribute', key: 'status', ascending: true },
    ]);
  });

  it.each(['start_time', 'end_time', 'run_name', 'run_id', 'status', 'user_id', 'artifact_uri', 'experiment_id'])(
    'orders by the attribute %s',
    (key) => {
      expect(parseRunOrderBy([`attributes.${key} DESC`])).toEqual([{ kind: 'attribute', key, ascending: false }]);
    },
  );

  it('maps created to start_time', () => {
    expect(parseRunOrderBy(['created'])).toEqual([{ kind: 'attribute', key: 'start_time', ascending: true }]);
  });

  it.each([
    ['metrics.acc DESCENDING', "Invalid ordering key in order_by clause 'metrics.acc DESCENDING'."],
    ['metrics.acc DESC NULLS', "Invalid order_by clause 'metrics.acc DESC NULLS'. Could not be parsed."],
    ['metrics.acc, params.b', "Invalid order_by clause 'metrics.acc, params.b'. Could not be parsed."],
    ['', "Invalid order_by clause ''. Could not be parsed."],
    ['DESC', /^Invalid attribute key 'DESC' specified/],
    ['lifecycle_stage', /^Invalid attribute key 'lifecycle_stage' specified. Valid keys are '\{'start_time'/],
    ['bogus.key', /^Invalid entity type 'bogus'/],
  ])('rejects %s', (clause, message) => {
    expectRejected(() => parseRunOrderBy([clause]), 'order_by', message);
  });

  it('rejects ordering twice by the same field, aliases included', () => {
    expectRejected(
      () => parseRunOrderBy(['metrics.a', 'metric.a DESC']),
      'order_by',
      "`order_by` contains duplicate fields: ['metrics.a', 'metric.a DESC']",
    );
    expectRejected(() => parseRunOrderBy(['created', 'start_time']), 'order_by', /duplicate fields/);
  });
});

describe('page tokens', () => {
  it("uses MLflow's format", () => {
    expect(encodePageToken(1000)).toBe('eyJvZmZzZXQiOiAxMDAwfQ==');
    expect(decodePageToken('eyJvZmZzZXQiOiAxMDAwfQ==')).toBe(1000);
    expect(decodePageToken(encodePageToken(25))).toBe(25);
  });

  it('treats a missing token as the first page', () => {
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });

  it('rejects malformed tokens', () => {
    expectRejected(() => decodePageToken('not base64!'), 'page_token', 'Invalid page token, could not base64-decode');
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    expectRejected(() => decodePageToken(b64('nope')), 'page_token', 'Invalid page token, decoded value=nope');
    expectRejected(() => decodePageToken(b64('{"offset": -1}')), 'page_token', /^Invalid page token, parsed value=/);
    expectRejected(() => decodePageToken(b64('{"offset": 1.5}')), 'page_token', /^Invalid page token, parsed value=/);
    expectRejected(() => decodePageToken(b64('{"limit": 3}')), 'page_token', /^Invalid page token, parsed value=/);
    expectRejected(() => decodePageToken(b64('[1]')), 'page_token', /^Invalid page token, parsed value=/);
  });
});

describe('compileRunSearch SQL', () => {
  const base: RunSearchInput = { experimentIds: ['1'], limit: 10, offset: 0 };

  it('passes every value as a parameter, never in the SQL text', () => {
    const sneaky = "x'; drop table runs; --";
    const { sql, params } = compileRunSearch({
      ...base,
      filter: `params.\`${'k'}\` = "${sneaky}" AND tags.t LIKE 'zz%' AND metrics.m > 0.123 AND run_id IN ('rq1')`,
      orderBy: ['tags.`ordered tag` DESC'],
    });
    expect(sql).not.toContain('drop table');
    expect(sql).not.toContain('zz%');
    expect(sql).not.toContain('0.123');
    expect(sql).not.toContain('rq1');
    expect(sql).not.toContain('ordered tag');
    expect(params).toContain(sneaky);
    expect(params).toContain('ordered tag');
    expect(sql).toMatch(/limit \$\d+ offset \$\d+$/);
  });

  it('rejects a bad filter or order_by with the field at fault', () => {
    expectRejected(() => compileRunSearch({ ...base, filter: 'metrics.a >> 1' }), 'filter', /^Invalid comparator/);
    expectRejected(() => compileRunSearch({ ...base, orderBy: ['metrics.x DESCENDING'] }), 'order_by', /^Invalid ordering key/);
  });

  it('refuses a negative or fractional limit or offset', () => {
    expect(() => compileRunSearch({ ...base, limit: -1 })).toThrow(RangeError);
    expect(() => compileRunSearch({ ...base, offset: 1.5 })).toThrow(RangeError);
  });
});

describe(`run search on ${backendName}`, () => {
  let testDb: TestDb;

  interface RunRow {
    id: string;
    experiment: number;
    name: string;
    user: string;
    status: string;
    start: number;
    end: number | null;
    stage: 'active' | 'deleted';
  }
  const runs: RunRow[] = [
    { id: 'r1', experiment: 1, name: 'alpha', user: 'alice', status: 'FINISHED', start: 1000, end: 2000, stage: 'active' },
    { id: 'r2', experiment: 1, name: 'beta', user: 'bob', status: 'FAILED', start: 2000, end: 3000, stage: 'active' },
    { id: 'r3', experiment: 1, name: 'Gamma run', user: 'alice', status: 'RUNNING', start: 3000, end: null, stage: 'active' },
    { id: 'r4', experiment: 1, name: 'delta', user: 'bob', status: 'FINISHED', start: 4000, end: 5000, stage: 'deleted' },
    { id: 'r5', experiment: 2, name: 'epsilon', user: 'carol', status: 'FINISHED', start: 5000, end: 6000, stage: 'active' },
    // Same start_time as r3: the run_id tiebreaker decides.
    { id: 'r6', experiment: 1, name: 'zeta', user: 'alice', status: 'FINISHED', start: 3000, end: 3500, stage: 'active' },
  ];
  const metrics: Array<[run: string, key: string, value: string]> = [
    ['r1', 'acc', '0.7'],
    ['r2', 'acc', '0.9'],
    ['r3', 'acc', 'NaN'],
    ['r4', 'acc', '0.95'],
    ['r5', 'acc', '0.99'],
    ['r1', 'loss', '0.3'],
    ['r2', 'loss', '0.1'],
    ['r6', 'loss', '0.2'],
  ];
  const params: Array<[run: string, key: string, value: string]> = [
    ['r1', 'lr', '0.01'],
    ['r2', 'lr', '0.1'],
    ['r3', 'lr', '0.1'],
    ['r6', 'lr', '0.001'],
    ['r1', 'learning rate', 'high'],
  ];
  const tags: Array<[run: string, key: string, value: string]> = [
    ['r1', 'mlflow.user', 'Alice'],
    ['r2', 'mlflow.user', 'bob'],
    ['r3', 'mlflow.user', 'ALICE'],
    ['r6', 'mlflow.user', 'alice'],
    ['r1', 'team', 'vision'],
  ];

  beforeAll(async () => {
    testDb = await openTestDb();
    await testDb.db.exec(trackingTablesSql);
    for (const run of runs) {
      await testDb.db.query(
        `insert into runs (run_id, experiment_id, run_name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [run.id, run.experiment, run.name, run.user, run.status, run.start, run.end, run.stage, `mlflow-artifacts:/${run.experiment}/${run.id}/artifacts`],
      );
    }
    for (const [run, key, value] of metrics) {
      await testDb.db.query(
        'insert into latest_metrics (run_id, key, step, timestamp, value) values ($1, $2, 0, 0, $3::float8)',
        [run, key, value],
      );
    }
    for (const [run, key, value] of params) {
      await testDb.db.query('insert into run_params (run_id, key, value) values ($1, $2, $3)', [run, key, value]);
    }
    for (const [run, key, value] of tags) {
      await testDb.db.query('insert into run_tags (run_id, key, value) values ($1, $2, $3)', [run, key, value]);
    }
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  async function search(input: Partial<RunSearchInput>): Promise<string[]> {
    const { sql, params: values } = compileRunSearch({ experimentIds: ['1'], limit: 100, offset: 0, ...input });
    const result = await testDb.db.query<{ run_id: string }>(sql, values);
    return result.rows.map((row) => row.run_id);
  }

  it('lists active runs by start_time DESC, then run_id', async () => {
    expect(await search({})).toEqual(['r3', 'r6', 'r2', 'r1']);
  });

  it.each<[string, string[]]>([
    ['metrics.acc > 0.75', ['r2']],
    ['metrics.acc >= 0.7', ['r2', 'r1']],
    ['metrics.acc < 0.8', ['r1']],
    ['metrics.acc = 0.9', ['r2']],
    ['metrics.acc != 0.7', ['r3', 'r2']],
    ['metrics.loss <= 0.2 AND metrics.acc > 0', ['r2']],
    ["params.lr = '0.1'", ['r3', 'r2']],
    ["params.lr != '0.1'", ['r6', 'r1']],
    ["params.`learning rate` = 'high'", ['r1']],
    ["params.lr LIKE '0.0%'", ['r6', 'r1']],
    ["tags.`mlflow.user` LIKE 'al%'", ['r6']],
    ["tags.\"mlflow.user\" ILIKE 'al%'", ['r3', 'r6', 'r1']],
    ["tags.mlflow.user = 'alice'", ['r6']],
    ["tags.team = 'vision'", ['r1']],
    ["run_id IN ('r1', 'r2', 'r4', 'r5')", ['r2', 'r1']],
    ["run_id NOT IN ('r1', 'r3')", ['r6', 'r2']],
    ["attributes.status = 'FINISHED'", ['r6', 'r1']],
    ["status != 'FINISHED'", ['r3', 'r2']],
    ["user_id ILIKE 'ALICE'", ['r3', 'r6', 'r1']],
    ["`run name` = 'Gamma run'", ['r3']],
    ["run_name LIKE '%a'", ['r6', 'r2', 'r1']],
    ["artifact_uri LIKE '%/r2/%'", ['r2']],
    ['created >= 2000 AND start_time < 3000', ['r2']],
    ['start_time >= 1000.5', ['r3', 'r6', 'r2']],
    ['end_time > 2500', ['r6', 'r2']],
    ["metrics.loss < 0.25 AND params.lr != '0.1'", ['r6']],
    ["params.lr = '0.1'' or ''1''=''1'", []],
    ['metrics.missing > 0', []],
  ])('filters %s', async (filter, expected) => {
    expect(await search({ filter })).toEqual(expected);
  });

  it.each<[string[], string[]]>([
    // NaN after every number, a missing metric after NaN, in both directions.
    [['metrics.acc DESC'], ['r2', 'r1', 'r3', 'r6']],
    [['metrics.acc'], ['r1', 'r2', 'r3', 'r6']],
    [['metrics.loss DESC'], ['r1', 'r6', 'r2', 'r3']],
    [['params.lr ASC'], ['r6', 'r1', 'r3', 'r2']],
    [['params.lr DESC'], ['r3', 'r2', 'r1', 'r6']],
    [['tags.team DESC', 'metrics.loss'], ['r1', 'r2', 'r6', 'r3']],
    [['start_time'], ['r1', 'r2', 'r3', 'r6']],
    [['created DESC', 'run_id DESC'], ['r6', 'r3', 'r2', 'r1']],
    [['end_time DESC'], ['r6', 'r2', 'r1', 'r3']],
    // Byte order: capitals before lower case, on every backend.
    [['attributes.run_name'], ['r3', 'r1', 'r2', 'r6']],
    [['user_id DESC', 'status'], ['r2', 'r6', 'r1', 'r3']],
  ])('orders by %j', async (orderBy, expected) => {
    expect(await search({ orderBy })).toEqual(expected);
  });

  it('combines a filter with an order', async () => {
    expect(await search({ filter: "tags.mlflow.user ILIKE 'a%'", orderBy: ['metrics.loss'] })).toEqual(['r6', 'r1', 'r3']);
  });

  it.each<[string, string[], string[]]>([
    ['metrics.acc > 0.75', ['metrics.acc DESC'], ['r2']],
    ['metrics.acc >= 0.7', ['metrics.acc DESC'], ['r2', 'r1']],
    ['metrics.acc != 0.7', ['metrics.acc'], ['r2', 'r3']],
    ['metrics.acc > 0 AND metrics.acc < 0.8', ['metrics.acc'], ['r1']],
    ["params.lr != '0.1'", ['params.lr DESC'], ['r1', 'r6']],
    ["tags.team = 'vision'", ['tags.team', 'metrics.loss'], ['r1']],
  ])('filters %s on the key it orders by %j, testing the order join once per run', async (filter, orderBy, expected) => {
    expect(await search({ filter, orderBy })).toEqual(expected);
    // The same runs as filtering alone, in the order asked for.
    expect([...(await search({ filter }))].sort()).toEqual([...expected].sort());
    const { sql } = compileRunSearch({ experimentIds: ['1'], limit: 10, offset: 0, filter, orderBy });
    expect(sql).not.toMatch(/exists/);
  });

  it('honours the view type', async () => {
    expect(await search({ viewType: 'ACTIVE_ONLY' })).toEqual(['r3', 'r6', 'r2', 'r1']);
    expect(await search({ viewType: 'DELETED_ONLY' })).toEqual(['r4']);
    expect(await search({ viewType: 'ALL' })).toEqual(['r4', 'r3', 'r6', 'r2', 'r1']);
    expect(await search({ viewType: 'ALL', filter: 'metrics.acc > 0.92' })).toEqual(['r4']);
  });

  it('searches several experiments at once and ignores ids that cannot exist', async () => {
    expect(await search({ experimentIds: ['1', '2'] })).toEqual(['r5', 'r3', 'r6', 'r2', 'r1']);
    expect(await search({ experimentIds: ['2', 'not-a-number'] })).toEqual(['r5']);
    expect(await search({ experimentIds: [] })).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    const page = (offset: number) => search({ experimentIds: ['1', '2'], viewType: 'ALL', limit: 2, offset });
    expect(await page(0)).toEqual(['r5', 'r4']);
    expect(await page(decodePageToken(encodePageToken(2)))).toEqual(['r3', 'r6']);
    expect(await page(4)).toEqual(['r2', 'r1']);
    expect(await page(6)).toEqual([]);
    expect(await search({ limit: 0 })).toEqual([]);
  });
});
