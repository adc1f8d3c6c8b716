import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isClientRoute } from '../src/ui/uiRoutes.ts';
import { backendName } from './support/testDb.ts';
import { startUiTestApp, type UiTestApp } from './support/uiTestApp.ts';

describe(`the web UI served at / (${backendName})`, () => {
  let t: UiTestApp;
  beforeAll(async () => {
    t = await startUiTestApp();
  });
  afterAll(() => t?.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers });

  it('answers / with the built index.html, its security headers, and revalidation instead of caching', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    const host = new URL(t.url).host;
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).toMatch(/<script type="module" src="\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/app-[A-Z0-9]+\.css">/);
  });

  it('serves hashed assets with their content type, cached for a year, gzipped when asked, and 304 on a matching etag', async () => {
    const html = await (await get('/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
    const js = await get(script, { 'accept-encoding': 'gzip' });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    const body = await js.text(); // fetch inflates it
    expect(body.length).toBeGreaterThan(Number(js.headers.get('content-length')));
    const css = await get(style);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = js.headers.get('etag')!;
    const again = await get(script, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect((await get('/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers the client routes with index.html (a reload or a shared link opens the page) and keeps API 404s', async () => {
    for (const path of ['/experiments', '/experiments/1', '/runs/0123456789abcdef0123456789abcdef', '/compare?runs=a,b', '/models', '/models/team%2Fmodel', '/monitoring', '/monitoring/m/1']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
    }
    const missing = await get('/assets/nope-123.js');
    expect(missing.status).toBe(404);
    const api = await get('/api/2.0/mlflow/no-such-endpoint');
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error_code: 'ENDPOINT_NOT_FOUND' });
    expect((await get('/nonsense/path')).status).toBe(404);
    expect(isClientRoute('/runs')).toBe(false);
    // POST to a page path is not the UI's.
    const post = await fetch(`${t.url}/experiments`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('leaves GraphiQL at /graphql', async () => {
    const response = await get('/graphql', { accept: 'text/html' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('graphiql');
  });
});
