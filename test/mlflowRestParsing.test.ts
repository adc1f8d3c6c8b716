import { describe, expect, it } from 'vitest';
import { parseExperimentFilter, parseExperimentOrderBy } from '../src/mlflow/experimentSearchSyntax.ts';
import { sampleSteps } from '../src/mlflow/metricHistoryQueries.ts';
import { MlflowError } from '../src/mlflow/mlflowErrors.ts';
import { metricValueJson } from '../src/mlflow/mlflowJson.ts';
import { parseMlflowPath, resolveRoute } from '../src/mlflow/mlflowRouter.ts';
import { RequestFields } from '../src/mlflow/requestFields.ts';
import { SearchSyntaxError } from '../src/search/searchErrors.ts';

/** The REST layer's pure parts: request fields, the experiments grammar, sampling, routing. */
describe('MLflow REST request fields', () => {
  it('reads a query string as MLflow does: repeated keys are lists, [] and [0] suffixes too', () => {
    const fields = RequestFields.fromQuery(new URLSearchParams('run_ids=a&run_ids=b&order_by[]=x&order_by[1]=y&metric_key=m&filter=a+b'));
    expect(fields.stringList('run_ids')).toEqual(['a', 'b']);
    expect(fields.stringList('order_by')).toEqual(['x', 'y']);
    expect(fields.stringList('metric_key')).toEqual(['m']);
    expect(fields.optionalString('filter')).toBe('a b');
    expect(fields.stringList('absent')).toEqual([]);
  });

  it('accepts int64 as numbers or numeric strings and refuses anything else', () => {
    const fields = new RequestFields({ a: 1_700_000_000_000, b: '1700000000000', c: ' -3 ', d: 1.5, e: '1e3', f: 2 ** 60 });
    expect(fields.optionalInteger('a')).toBe(1_700_000_000_000);
    expect(fields.optionalInteger('b')).toBe(1_700_000_000_000);
    expect(fields.optionalInteger('c')).toBe(-3);
    expect(() => fields.optionalInteger('d')).toThrow(/Value was of type 'float'/);
    expect(() => fields.optionalInteger('e')).toThrow(/Value was of type 'str'/);
    expect(() => fields.optionalInteger('f')).toThrow(MlflowError);
    expect(() => fields.requiredInteger('missing')).toThrow("Missing value for required parameter 'missing'.");
  });

  it('reads doubles with NaN and infinities in protobuf and Python spellings', () => {
    const fields = new RequestFields({ a: 'NaN', b: 'Infinity', c: '-Infinity', d: '-inf', e: '2.5', f: 3, g: true, h: 'high' });
    expect(fields.requiredDouble('a')).toBeNaN();
    expect(fields.requiredDouble('b')).toBe(Infinity);
    expect(fields.requiredDouble('c')).toBe(-Infinity);
    expect(fields.requiredDouble('d')).toBe(-Infinity);
    expect(fields.requiredDouble('e')).toBe(2.5);
    expect(fields.requiredDouble('f')).toBe(3);
    expect(() => fields.requiredDouble('g')).toThrow(/type 'bool'/);
    expect(() => fields.requiredDouble('h')).toThrow(/Invalid value "high" for parameter 'h'/);
    expect([NaN, Infinity, -Infinity, 0.5].map(metricValueJson)).toEqual(['NaN', 'Infinity', '-Infinity', 0.5]);
  });

  it('treats null as unset, empty as missing for required names, and ignores unknown enum values', () => {
    const fields = new RequestFields({ a: null, b: '', status: 'BOGUS', view: 3, run_uuid: 'r1' });
    expect(fields.optionalString('a')).toBeUndefined();
    expect(() => fields.requiredString('b')).toThrow(/Missing value for required parameter 'b'/);
    expect(fields.requiredString('b', { allowEmpty: true })).toBe('');
    expect(fields.enumValue('status', ['RUNNING', 'FINISHED'])).toBeUndefined();
    expect(fields.enumValue('view', ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'])).toBe('ALL');
    expect(fields.runId()).toBe('r1');
  });

  it('names nested fields by their position in messages', () => {
    const fields = new RequestFields({ metrics: [{ key: 'k' }, 'oops'] });
    expect(() => fields.messageList('metrics')).toThrow(/parameter 'metrics\[1\]'/);
    const [first] = new RequestFields({ metrics: [{ key: 'k' }] }).messageList('metrics');
    expect(() => first.requiredInteger('timestamp')).toThrow(/'metrics\[0\]\.timestamp'/);
  });
});

describe('experiments/search grammar', () => {
  it('parses names, times and tags joined by AND', () => {
    expect(parseExperimentFilter(`name LIKE 'a%' and tags.\`my key\` != "v" AND attributes.creation_time >= 10`)).toEqual([
      { kind: 'name', comparator: 'LIKE', value: 'a%' },
      { kind: 'tag', key: 'my key', comparator: '!=', value: 'v' },
      { kind: 'time', key: 'creation_time', comparator: '>=', value: 10 },
    ]);
    expect(parseExperimentFilter('  ')).toEqual([]);
    expect(parseExperimentOrderBy(['name', 'last_update_time DESC'])).toEqual([
      { key: 'name', ascending: true },
      { key: 'last_update_time', ascending: false },
    ]);
  });

  it.each([
    ["name > 'a'", /Invalid comparator '>'/],
    ['creation_time = abc', /Expected numeric value/],
    ['name = 3', /Expected a quoted string/],
    ["params.x = 'a'", /Invalid entity type 'params'/],
    ["owner = 'me'", /Invalid attribute key 'owner'/],
    ["name = 'a' OR name = 'b'", /Invalid clause/],
    ["name = 'a' AND", /not followed by a comparison/],
  ])('refuses filter %s', (filter, message) => {
    expect(() => parseExperimentFilter(filter)).toThrow(SearchSyntaxError);
    expect(() => parseExperimentFilter(filter)).toThrow(message);
  });

  it.each([
    [['name DESCENDING'], /Invalid ordering key/],
    [['tags.x'], /can only be ordered by/],
    [['name', 'name desc'], /duplicate fields/],
    [['name asc extra'], /Could not be parsed/],
  ])('refuses order_by %j', (orderBy, message) => {
    expect(() => parseExperimentOrderBy(orderBy)).toThrow(message);
  });
});

describe('get-history-bulk-interval sampling', () => {
  it("spreads picks evenly and keeps the last step, as MLflow's sample shows", () => {
    expect(sampleSteps([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)).toEqual([0, 2, 4, 6, 8, 9]);
    expect(sampleSteps([1, 5, 9], 5)).toEqual([1, 5, 9]);
    expect(sampleSteps([10, 20, 30, 40], 1)).toEqual([10, 40]);
    expect(sampleSteps([], 3)).toEqual([]);
  });
});

describe('MLflow routes', () => {
  it('knows its prefixes and versions', () => {
    expect(parseMlflowPath('/api/2.0/mlflow/runs/get')).toEqual({ ajax: false, version: '2.0', path: 'runs/get' });
    expect(parseMlflowPath('/ajax-api/3.0/mlflow/server-info')).toEqual({ ajax: true, version: '3.0', path: 'server-info' });
    expect(parseMlflowPath('/api/2.0/mlflow-artifacts/artifacts/x')).toBeUndefined();
    expect(parseMlflowPath('/graphql')).toBeUndefined();
    expect(resolveRoute('GET', { ajax: false, version: '2.0', path: 'experiments/search' }).route.method).toBe('GET');
    expect(resolveRoute('POST', { ajax: true, version: '2.0', path: 'experiments/search' }).route.method).toBe('POST');
    expect(() => resolveRoute('GET', { ajax: false, version: '3.0', path: 'runs/get' })).toThrow(/No API endpoint/);
  });

  it('matches {name} path segments, decoded once, after fixed paths', () => {
    const tag = resolveRoute('DELETE', { ajax: false, version: '2.0', path: 'logged-models/m-1/tags/a%20b' });
    expect([tag.route.path, tag.pathParams]).toEqual(['logged-models/{model_id}/tags/{tag_key}', { model_id: 'm-1', tag_key: 'a b' }]);
    expect(resolveRoute('POST', { ajax: false, version: '2.0', path: 'logged-models/search' })).toMatchObject({ route: { path: 'logged-models/search' }, pathParams: {} });
    expect(resolveRoute('PATCH', { ajax: false, version: '2.0', path: 'logged-models/m-1' }).pathParams).toEqual({ model_id: 'm-1' });
    expect(() => resolveRoute('PUT', { ajax: false, version: '2.0', path: 'logged-models/m-1' })).toThrow(/use GET, PATCH, DELETE/);
    expect(() => resolveRoute('GET', { ajax: false, version: '2.0', path: 'logged-models/m-1/tags' })).toThrow(/use PATCH/);
    expect(() => resolveRoute('GET', { ajax: false, version: '2.0', path: 'logged-models/m-1/extra/x' })).toThrow(/No API endpoint/);
  });
});
