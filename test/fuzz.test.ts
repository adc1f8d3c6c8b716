import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mlflowRoutes } from '../src/mlflow/mlflowRouter.ts';
import { startAuthTestApp, type AuthTestApp } from './support/authTestApp.ts';
import { readLog } from './support/readModelDump.ts';
import { encodeAny, Prng, randomArtifactPath, randomDocument, randomFields, randomFilter, randomJson, randomString } from './support/fuzzInputs.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20260517);
const CASES = Number(process.env.FUZZ_CASES ?? 150);

interface Outcome {
  status: number;
  body: string;
}

/**
 * Random and malformed bodies, filter strings, GraphQL documents and artifact paths
 * thrown at a server with authentication on (mostly as the admin, so the checks past
 * the permission rules are reached). Each answer must be a client error or a success,
 * never a 5xx (501 for APIs not offered aside); the server must stay up; and the log
 * may only grow when a write was accepted. Reproduce with FUZZ_SEED.
 */
describe(`fuzzing both APIs (seed ${SEED})`, () => {
  let t: AuthTestApp;
  let exp: string;
  let run: string;
  const auth = { authorization: `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}` };
  const problems: string[] = [];
  let accepted = 0;

  beforeAll(async () => {
    t = await startAuthTestApp();
    exp = (await t.admin.ok<{ experiment_id: string }>('POST', 'experiments/create', { name: 'fuzz' })).experiment_id;
    run = (await t.admin.ok<{ run: { info: { run_id: string } } }>('POST', 'runs/create', { experiment_id: exp })).run.info.run_id;
    await t.admin.ok('POST', 'runs/log-batch', { run_id: run, metrics: [{ key: 'loss', value: 1, timestamp: 1 }], params: [{ key: 'lr', value: '0.1' }] });
    await t.admin.ok('POST', 'registered-models/create', { name: 'fuzz-model' });
  });
  afterAll(() => t?.close());

  beforeEach(() => {
    problems.length = 0;
  });

  /** Sends one request and checks the answer and the log against each other. */
  async function attempt(label: string, send: () => Promise<Response>, acceptedWhen: (o: Outcome) => boolean): Promise<void> {
    const before = await t.app.backend.store.headPosition();
    let outcome: Outcome;
    try {
      const response = await send();
      outcome = { status: response.status, body: await response.text() };
    } catch (error) {
      problems.push(`${label}: no answer (${String(error)})`);
      return;
    }
    if (outcome.status >= 500 && outcome.status !== 501) problems.push(`${label}: ${outcome.status} ${outcome.body.slice(0, 200)}`);
    const after = await t.app.backend.store.headPosition();
    if (after !== before) {
      if (acceptedWhen(outcome)) accepted++;
      else problems.push(`${label}: the log grew, but the answer was ${outcome.status} ${outcome.body.slice(0, 200)}`);
    }
  }

  const headersFor = (r: Prng): Record<string, string> => {
    if (r.chance(0.9)) return auth;
    // Header values a client can send at all: Latin-1 (fetch refuses anything else itself).
    const header = () => randomString(r).replace(/[^\x20-\x7e]/g, '?');
    return r.pick<Record<string, string>>([{}, { authorization: header() }, { authorization: `Bearer ${header()}` }, { authorization: `Basic ${Buffer.from(randomString(r)).toString('base64')}` }]);
  };

  it('MLflow REST: random routes, methods, fields, bodies and filter strings', async () => {
    const r = new Prng(SEED);
    const routes = mlflowRoutes.map((route) => route.path.replace('{model_id}', 'm-0123').replace('{tag_key}', 'k'));
    for (let i = 0; i < CASES; i++) {
      const path = r.chance(0.9) ? r.pick(routes) : randomString(r).replace(/[?#]/g, '');
      const method = r.pick(['GET', 'POST', 'POST', 'PATCH', 'DELETE', 'PUT']);
      const fields = randomFields(r);
      if (r.chance(0.3)) fields.filter = randomFilter(r);
      if (r.chance(0.3)) fields.run_id = run;
      if (r.chance(0.3)) fields.experiment_id = r.chance(0.5) ? exp : randomString(r);
      if (r.chance(0.3)) fields.experiment_ids = [exp];
      const raw = r.int(6);
      const body = raw === 0 ? randomString(r) : raw === 1 ? JSON.stringify(randomJson(r)) : JSON.stringify(fields);
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(fields)) query.append(key, typeof value === 'string' ? value : JSON.stringify(value) ?? '');
      const url = `${t.url}/${r.pick(['api/2.0', 'api/3.0', 'ajax-api/2.0'])}/mlflow/${encodeURI(path.replace(/[\ud800-\udfff]/g, '?'))}${method === 'GET' ? `?${query}` : ''}`;
      const headers = { ...headersFor(r), ...(r.chance(0.8) ? { 'content-type': 'application/json' } : {}) };
      await attempt(`REST #${i} ${method} ${path} ${body.slice(0, 120)}`, () => fetch(url, { method, headers, body: method === 'GET' ? undefined : body }), (o) => o.status === 200);
    }
    expect(problems).toEqual([]);
  }, 240_000);

  it('GraphQL: broken documents, hostile variables and filters', async () => {
    const r = new Prng(SEED + 1);
    const valid = [
      '{ experiments { nodes { id name tags { key value } } pageInfo { endCursor } } }',
      `query($r: ID!) { run(id: $r) { id params { key value } metricHistory(key: "loss") { nodes { value } } } }`,
      'query($f: String) { searchRuns(experimentIds: ["0", "1"], filter: $f, orderBy: ["metrics.loss DESC"]) { nodes { id } } }',
      'mutation($r: ID!, $m: [MetricInput!]) { logBatch(runId: $r, metrics: $m) { __typename ... on DomainError { code } } }',
      'mutation($n: String!) { createExperiment(input: { name: $n }) { __typename ... on DomainError { code } } }',
      'query($n: String!) { registeredModel(name: $n) { name versions { version run { id } } } }',
      'mutation($n: String!) { setRegisteredModelTag(name: $n, key: "k", value: "v") { __typename ... on DomainError { code } } }',
      '{ me { username } registryChainVerification { ok } }',
    ];
    for (let i = 0; i < CASES; i++) {
      const query = randomDocument(r, valid);
      const variables: Record<string, unknown> = { r: r.chance(0.6) ? run : randomJson(r), f: r.chance(0.7) ? randomFilter(r) : randomJson(r), n: r.chance(0.5) ? randomString(r) : randomJson(r) };
      if (r.chance(0.5)) variables.m = Array.from({ length: r.int(4) }, () => ({ key: r.chance(0.7) ? 'm' : randomString(r), value: randomJson(r, 0), step: randomJson(r, 0) }));
      const raw = r.int(8);
      const body = raw === 0 ? randomString(r) : raw === 1 ? JSON.stringify(randomJson(r)) : JSON.stringify({ query, variables: r.chance(0.9) ? variables : randomJson(r) });
      const method = r.chance(0.9) ? 'POST' : 'GET';
      const url = method === 'GET' ? `${t.url}/graphql?query=${encodeAny(query)}` : `${t.url}/graphql`;
      const headers = { ...headersFor(r), 'content-type': r.chance(0.9) ? 'application/json' : 'text/plain', accept: 'application/json' };
      await attempt(
        `GraphQL #${i} ${body.slice(0, 160)}`,
        () => fetch(url, { method, headers, body: method === 'GET' ? undefined : body }),
        (o) => o.status === 200 && !o.body.includes('"errors"') && !o.body.includes('DomainError'),
      );
    }
    expect(problems).toEqual([]);
  }, 240_000);

  it('artifact paths: traversal, encodings and junk at the proxy and the listings', async () => {
    const r = new Prng(SEED + 2);
    const root = `${exp}/${run}/artifacts`;
    for (let i = 0; i < CASES; i++) {
      const path = randomArtifactPath(r, root);
      const method = r.pick(['GET', 'GET', 'PUT', 'DELETE', 'POST']);
      const kind = r.int(4);
      const url =
        kind === 0
          ? `${t.url}/api/2.0/mlflow-artifacts/artifacts?path=${encodeAny(path)}`
          : kind === 1
            ? `${t.url}/api/2.0/mlflow/artifacts/list?run_id=${run}&path=${encodeAny(path)}`
            : kind === 2
              ? `${t.url}/api/2.0/mlflow-artifacts/mpu/create/${path}`
              : `${t.url}/api/2.0/mlflow-artifacts/artifacts/${path}`;
      const body = method === 'GET' || method === 'DELETE' ? undefined : kind === 2 ? JSON.stringify({ path: randomString(r), num_parts: randomJson(r, 0) }) : randomString(r);
      await attempt(`artifact #${i} ${method} ${url.slice(t.url.length)}`, () => fetch(url, { method, headers: headersFor(r), body }), (o) => o.status === 200);
    }
    // Nothing was written outside the store's folder: every stored path is under an experiment root.
    const stored = (await readLog(t.app.backend.store)).filter((event) => event.type === 'ArtifactStored').map((event) => (event.data as { path: string }).path);
    for (const path of stored) expect(path.startsWith(`${exp}/`) || !path.includes('..')).toBe(true);
    expect(problems).toEqual([]);
  }, 240_000);

  it('is still up, and sees the log grow for a write it accepts (the check above is not vacuous)', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect((await t.admin.graphql('{ me { username } }')).data).toEqual({ me: { username: 'admin' } });
    const acceptedBefore = accepted;
    const body = JSON.stringify({ run_id: run, metrics: [{ key: 'after-fuzz', value: 1, timestamp: 1 }] });
    await attempt('a valid write', () => fetch(`${t.url}/api/2.0/mlflow/runs/log-batch`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body }), (o) => o.status === 200);
    expect(accepted).toBe(acceptedBefore + 1);
    expect(problems).toEqual([]);
  });
});
