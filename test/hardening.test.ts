import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAuthConfig } from '../src/auth/authConfig.ts';
import { createLogger } from '../src/server/logger.ts';
import { graphqlLimits } from '../src/server/graphqlLimits.ts';
import { startAuthTestApp, type AuthTestApp } from './support/authTestApp.ts';

/** A request with exactly these headers (fetch would add its own). */
function rawRequest(url: string, options: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${options.path}`, { method: options.method, headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

describe('hardening', () => {
  let t: AuthTestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await startAuthTestApp({}, { maxArtifactUploadBytes: 1024, allowedOrigins: ['https://ui.example'] });
    auth = { authorization: `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}` };
    await t.admin.ok('POST', 'experiments/create', { name: 'hard' });
  });
  afterAll(() => t?.close());

  it('refuses GraphQL documents nested too deep, too costly or too long, and pages that are too large, naming the limit', async () => {
    // Introspection types nest without bound: the simplest way to build a deep document.
    const nested = (levels: number) => `{ __schema { types { fields { type { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } } } } }`;
    expect((await t.admin.graphql(nested(graphqlLimits.maxDepth - 5))).errors).toBeUndefined();
    const deepAnswer = await t.admin.graphqlRaw(nested(graphqlLimits.maxDepth));
    // (Yoga answers GraphQL errors with 200 to clients that accept application/json, as the spec's legacy mode says.)
    expect(deepAnswer.status).toBeLessThan(500);
    expect(deepAnswer.body.errors?.[0].message).toMatch(new RegExp(`at most ${graphqlLimits.maxDepth}`));
    expect(deepAnswer.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // Fragments count where they are spread.
    const viaFragments = `{ __schema { types { ...A } } } fragment A on __Type { fields { type { ...B } } } fragment B on __Type { ${'ofType { '.repeat(graphqlLimits.maxDepth)}name${' }'.repeat(graphqlLimits.maxDepth)} }`;
    expect((await t.admin.graphqlRaw(viaFragments)).body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');

    // Page sizes multiply: each alone is fine, the product is refused (literal or variable).
    const costly = 'query($n: Int) { searchRuns(experimentIds: ["0"], first: $n) { nodes { metricHistory(key: "m", first: 25000) { nodes { value } } } } }';
    expect((await t.admin.graphql(costly, { n: 10 })).errors).toBeUndefined();
    const refused = await t.admin.graphqlRaw(costly, { n: 1000 });
    expect(refused.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(refused.body.errors?.[0].message).toMatch(new RegExp(`more than ${graphqlLimits.maxCost}`));
    const aliases = `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: experiments(first: 1000) { nodes { tags { key } } }`).join(' ')} }`;
    expect((await t.admin.graphqlRaw(aliases)).body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');

    const tokens = `{ ${Array.from({ length: graphqlLimits.maxTokens / 2 + 10 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const tooLong = await t.admin.graphqlRaw(tokens);
    expect(tooLong.status).toBeLessThan(500);
    expect(tooLong.body.errors?.[0].message).toMatch(/Document contains more th(an|at) 100000 tokens/);

    const page = await t.admin.graphql('{ experiments(first: 100000) { nodes { id } } }');
    expect(page.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_PARAMETER_VALUE', field: 'first' } });
    expect(page.errors?.[0].message).toMatch(/between 1 and 1000/);
  });

  it('limits request bodies: GraphQL by Content-Length (413, 411 without one), REST JSON (400) and artifact uploads (413)', async () => {
    const big = await rawRequest(t.url, { method: 'POST', path: '/graphql', headers: { ...auth, 'content-type': 'application/json', 'content-length': String(17 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).errors[0].message).toMatch(/at most 16777216/);
    const chunked = await rawRequest(t.url, { method: 'POST', path: '/graphql', headers: { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: '{"query":"{ me { username } }"}' });
    expect(chunked.status).toBe(411);
    const rest = await t.admin.rest<{ message: string }>('POST', 'experiments/create', { name: 'x'.repeat(17 * 1024 * 1024) });
    expect(rest.status).toBe(400);
    expect(rest.body.message).toMatch(/at most 16777216/);
    const upload = await t.admin.rest<{ error_code: string; message: string }>('PUT', '/api/2.0/mlflow-artifacts/artifacts/1/run/artifacts/big.bin', { data: 'y'.repeat(2000) });
    expect(upload.status).toBe(413);
    expect(upload.body.message).toMatch(/at most 1024/);
    const small = await t.admin.rest('PUT', '/api/2.0/mlflow-artifacts/artifacts/1/run/artifacts/small.bin', { data: 'y' });
    expect(small.status).toBe(200);
  });

  it('refuses state-changing requests a browser sends from another site, on both APIs and WebSocket', async () => {
    const post = (headers: Record<string, string>) =>
      rawRequest(t.url, { method: 'POST', path: '/api/2.0/mlflow/experiments/create', headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: `csrf-${Math.random()}` }) });
    const host = new URL(t.url).host;
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post({ origin: 'https://ui.example' })).status).toBe(200);
    expect((await post({})).status).toBe(200);
    const graphql = await rawRequest(t.url, {
      method: 'POST',
      path: '/graphql',
      headers: { ...auth, 'content-type': 'text/plain', origin: 'https://evil.example', 'content-length': '60' },
      body: JSON.stringify({ query: 'mutation { createExperiment(input: { name: "z" }) { __typename } }' }).slice(0, 60),
    });
    expect(graphql.status).toBe(403);
    // Reads carry no side effects (and no CORS headers let another site read the answer).
    const read = await rawRequest(t.url, { method: 'GET', path: '/api/2.0/mlflow/experiments/search', headers: { ...auth, origin: 'https://evil.example' } });
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => resolve(-1));
    });
    expect(status).toBe(403);
  });

  it('sends security headers: a content policy for GraphiQL, a sandbox for data, no sniffing or framing anywhere', async () => {
    const page = await rawRequest(t.url, { method: 'GET', path: '/graphql', headers: { ...auth, accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<html/i);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'unsafe-inline' https:\/\/unpkg\.com/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    await t.admin.ok('PUT', '/api/2.0/mlflow-artifacts/artifacts/1/run/artifacts/page.html', { x: '<script>alert(1)</script>' });
    const artifact = await rawRequest(t.url, { method: 'GET', path: '/api/2.0/mlflow-artifacts/artifacts/1/run/artifacts/page.html', headers: auth });
    expect(artifact.status).toBe(200);
    expect(artifact.headers['content-security-policy']).toMatch(/sandbox/);
    const refusal = await rawRequest(t.url, { method: 'GET', path: '/api/2.0/mlflow/experiments/search', headers: {} });
    expect(refusal.status).toBe(401);
    expect(refusal.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers bad input without stack traces or SQL', async () => {
    const filter = await t.admin.rest<{ error_code: string; message: string }>('POST', 'runs/search', { experiment_ids: ['0'], filter: "params.x = '1' or 1=1; drop table events --" });
    expect(filter.status).toBe(400);
    const graphql = await t.admin.graphql('{ searchRuns(experimentIds: ["0"], filter: "metrics.a >>> 1") { nodes { id } } }');
    for (const message of [filter.body.message, graphql.errors?.[0].message ?? '']) {
      expect(message).not.toMatch(/\bselect\b|\binsert\b|\.ts:\d+|\n\s+at /i);
    }
    const nonsense = await t.admin.graphqlRaw('{ run(id: 12) { id nonexistentField } }');
    expect(nonsense.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(nonsense.body)).not.toMatch(/\.ts:\d+|node_modules|\n\s+at /);
  });
});

describe('secrets', () => {
  it('never reach the logs: credentials, passwords and tokens are redacted wherever they appear', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ authorization: 'Basic c2VjcmV0', req: { headers: { authorization: 'Bearer mll_secret1' } }, config: { password: 'hunter2', token: 'mll_secret2' } }, 'request');
    logger.info({ connectionParams: { authorization: 'Bearer mll_secret3' } }, 'ws');
    const out = lines.join('');
    expect(out).toContain('[redacted]');
    for (const secret of ['c2VjcmV0', 'mll_secret1', 'hunter2', 'mll_secret2', 'mll_secret3']) expect(out).not.toContain(secret);
  });

  it('come only from the environment or a file, and bad settings name themselves', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlledger-secret-'));
    try {
      const file = join(dir, 'admin-password');
      writeFileSync(file, 'from-a-file-123\n');
      expect(resolveAuthConfig({}, { MLLEDGER_AUTH: '1', MLLEDGER_ADMIN_USERNAME: 'root', MLLEDGER_ADMIN_PASSWORD_FILE: file })).toMatchObject({
        enabled: true,
        defaultPermission: 'READ',
        admin: { username: 'root', password: 'from-a-file-123' },
        rateLimit: { perSecond: 200, burst: 400 },
      });
      expect(resolveAuthConfig({ auth: true }, { MLLEDGER_DEFAULT_PERMISSION: 'no_permissions', MLLEDGER_RATE_LIMIT: '50/10' })).toMatchObject({ defaultPermission: 'NO_PERMISSIONS', rateLimit: { perSecond: 50, burst: 10 } });
      expect(resolveAuthConfig({}, {})).toMatchObject({ enabled: false, rateLimit: undefined });
      expect(() => resolveAuthConfig({}, { MLLEDGER_ADMIN_USERNAME: 'root', MLLEDGER_ADMIN_PASSWORD_FILE: join(dir, 'missing') })).toThrow(/^MLLEDGER_ADMIN_PASSWORD_FILE: cannot be read: ENOENT/);
      expect(() => resolveAuthConfig({}, { MLLEDGER_ADMIN_USERNAME: 'root' })).toThrow(/^MLLEDGER_ADMIN_PASSWORD/);
      expect(() => resolveAuthConfig({}, { MLLEDGER_DEFAULT_PERMISSION: 'ALL' })).toThrow(/^MLLEDGER_DEFAULT_PERMISSION: expected one of NO_PERMISSIONS, READ, EDIT, MANAGE/);
      expect(() => resolveAuthConfig({}, { MLLEDGER_AUTH: 'maybe' })).toThrow(/^MLLEDGER_AUTH/);
      expect(() => resolveAuthConfig({ auth: true }, { MLLEDGER_RATE_LIMIT: 'fast' })).toThrow(/^MLLEDGER_RATE_LIMIT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
