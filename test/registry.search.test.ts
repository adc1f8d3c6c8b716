import { describe, expect, it } from 'vitest';
import { parseModelVersionFilter, parseModelVersionOrderBy, parseRegisteredModelFilter, parseRegisteredModelOrderBy } from '../src/registry/registrySearchSyntax.ts';
import { SearchSyntaxError } from '../src/search/searchErrors.ts';

describe('registry search grammar', () => {
  it('reads registered model filters: name with = LIKE ILIKE, tags', () => {
    expect(parseRegisteredModelFilter("name ILIKE '%churn%' and tags.`team name` = 'ml'")).toEqual([
      { kind: 'name', comparator: 'ILIKE', value: '%churn%' },
      { kind: 'tag', key: 'team name', comparator: '=', value: 'ml' },
    ]);
    expect(parseRegisteredModelFilter(undefined)).toEqual([]);
  });

  it('reads model version filters: name, version_number, run_id with IN, source_path, tags', () => {
    expect(parseModelVersionFilter("name = 'm' AND version_number > 2 AND run_id IN ('a', 'b') AND source_path LIKE 's3://%' AND tags.k != 'v'")).toEqual([
      { kind: 'name', comparator: '=', value: 'm' },
      { kind: 'version_number', comparator: '>', value: 2 },
      { kind: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { kind: 'source_path', comparator: 'LIKE', value: 's3://%' },
      { kind: 'tag', key: 'k', comparator: '!=', value: 'v' },
    ]);
    expect(parseModelVersionFilter("run_id = 'abc'")).toEqual([{ kind: 'run_id', comparator: '=', value: ['abc'] }]);
  });

  it('refuses what MLflow refuses, as filter errors', () => {
    const refused = (parse: () => unknown, message: RegExp) => {
      const error = (() => {
        try {
          parse();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SearchSyntaxError);
      expect((error as SearchSyntaxError).message).toMatch(message);
    };
    refused(() => parseRegisteredModelFilter("name > 'a'"), /Invalid comparator '>'/);
    refused(() => parseRegisteredModelFilter("version_number = 1"), /Invalid attribute key 'version_number'/);
    refused(() => parseRegisteredModelFilter("name = 'a' OR name = 'b'"), /Invalid clause/);
    refused(() => parseModelVersionFilter("run_id IN 'a'"), /list/);
    refused(() => parseModelVersionFilter("version_number = 'x'"), /numeric/);
    refused(() => parseModelVersionFilter("metrics.acc > 1"), /Invalid entity type/);
    refused(() => parseRegisteredModelOrderBy(['version_number']), /Invalid order by key/);
    refused(() => parseModelVersionOrderBy(['name', 'name DESC']), /duplicate/);
  });

  it('reads order_by with MLflow aliases', () => {
    expect(parseRegisteredModelOrderBy(['timestamp DESC', 'name'])).toEqual([
      { key: 'creation_timestamp', ascending: false },
      { key: 'name', ascending: true },
    ]);
    expect(parseModelVersionOrderBy(['version_number desc'])).toEqual([{ key: 'version_number', ascending: false }]);
  });
});
