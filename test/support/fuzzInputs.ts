/** A small seeded PRNG (mulberry32) and generators of hostile input for the fuzz test. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '..',
  '../../etc/passwd',
  "'; drop table events; --",
  "' or '1'='1",
  '%00',
  '%2e%2e%2f',
  '\\..\\',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃',
  '\ud800',
  '$where',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-Infinity',
  '1e309',
  '9999999999999999999999',
  '-1',
  '0x1f',
  '{"a":1}',
  '<script>alert(1)</script>',
];

/** A random string: nasty, random printable, random bytes-ish, or long. */
export function randomString(r: Prng): string {
  const kind = r.int(5);
  if (kind === 0) return r.pick(NASTY_STRINGS);
  if (kind === 1) return Array.from({ length: r.int(30) }, () => String.fromCharCode(32 + r.int(95))).join('');
  if (kind === 2) return Array.from({ length: r.int(20) }, () => String.fromCharCode(r.int(0x3000))).join('');
  if (kind === 3) return 'x'.repeat(r.pick([256, 1000, 5001, 8001, 70000]));
  return r.pick(['run_id', 'experiment_id', 'name', 'key', 'value', 'metrics', 'params', 'tags']) + r.int(3);
}

/** A random JSON value, nested up to depth. */
export function randomJson(r: Prng, depth = 3): unknown {
  const kind = r.int(depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER, r.int(1000)]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return r.pick(['RUNNING', 'FINISHED', 'ACTIVE_ONLY', 'Production', 'READ', 'MANAGE']);
    case 6:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = r.int(6); i > 0; i--) object[randomString(r)] = randomJson(r, depth - 1);
      return object;
    }
  }
}

const FIELDS = ['run_id', 'run_uuid', 'experiment_id', 'experiment_ids', 'name', 'new_name', 'key', 'value', 'timestamp', 'step', 'metrics', 'params', 'tags', 'filter', 'order_by', 'max_results', 'page_token', 'version', 'stage', 'alias', 'source', 'username', 'permission', 'status', 'view_type', 'metric_key', 'path', 'model_id', 'comment'];

/** A request body as MLflow fields would be: mostly the right names with wrong or hostile values. */
export function randomFields(r: Prng): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = 1 + r.int(5); i > 0; i--) fields[r.chance(0.85) ? r.pick(FIELDS) : randomString(r)] = randomJson(r);
  return fields;
}

const FILTER_PARTS = ['metrics.loss', 'params.lr', 'tags.`a b`', 'attributes.status', 'attribute.start_time', 'name', 'tag.x', '<', '>=', '!=', '=', 'LIKE', 'ILIKE', 'IN', 'and', 'AND', 'or', '(', ')', "'0.1'", '"x"', '1e5', 'NaN', '--', ';', "'", '`', 'null', '%', '\\'];

/** A filter string built from MLflow's grammar, with junk mixed in. */
export function randomFilter(r: Prng): string {
  return Array.from({ length: 1 + r.int(8) }, () => (r.chance(0.85) ? r.pick(FILTER_PARTS) : randomString(r))).join(r.pick([' ', '', '  ']));
}

const GRAPHQL_PIECES = ['{', '}', '(', ')', ':', '$x', '...', 'on', 'query', 'mutation', 'subscription', 'fragment F on Run', 'experiments', 'run(id: "x")', 'nodes', 'id', 'name', 'first: -1', 'first: 999999999', '@skip(if: true)', '"', '"""', '#', 'logBatch(runId: "x", metrics: [{ key: "m", value: "NaN" }])', 'createExperiment(input: { name: 1 })', '__schema', '__typename', 'searchRuns(experimentIds: [], filter: "metrics.a < ")', '\u0000'];

/** A GraphQL document: a valid one cut short or spliced, or a soup of its tokens. */
export function randomDocument(r: Prng, valid: readonly string[]): string {
  const kind = r.int(4);
  const base = r.pick(valid);
  if (kind === 0) return base.slice(0, r.int(base.length));
  if (kind === 1) {
    const at = r.int(base.length);
    return base.slice(0, at) + r.pick(GRAPHQL_PIECES) + base.slice(at);
  }
  if (kind === 2) return base;
  return Array.from({ length: 1 + r.int(15) }, () => r.pick(GRAPHQL_PIECES)).join(' ');
}

const PATH_SEGMENTS = ['..', '.', '', '%2e%2e', '%252e%252e', '%2f', '%5c', '%00', 'a%00b', '\\', 'C:', '~', 'x'.repeat(300), '%E2%98%83', '%', '%zz', 'model', 'artifacts', 'file.txt', '/'];

/** encodeURIComponent, for strings that may hold lone surrogates (which it refuses). */
export const encodeAny = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '?'));

/** An artifact path under an experiment's root, with traversal and encoding tricks mixed in. */
export function randomArtifactPath(r: Prng, root: string): string {
  const segments = Array.from({ length: 1 + r.int(5) }, () => (r.chance(0.7) ? r.pick(PATH_SEGMENTS) : encodeAny(randomString(r))));
  return (r.chance(0.7) ? `${root}/` : r.pick(['', '/', '../', '%2F'])) + segments.join(r.chance(0.9) ? '/' : '//');
}
