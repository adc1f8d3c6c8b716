import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../src/db/sqlDb.ts';
import { localAccess } from '../src/auth/access.ts';
import { createMlflowHandler } from '../src/mlflow/mlflowHandler.ts';
import type { TrackingService } from '../src/tracking/trackingService.ts';

/**
 * Failures we did not foresee (a database error, a bug) answer 500 INTERNAL_ERROR
 * with a fixed message: no SQL, stack or internal names reach the client, and the
 * error goes to the log instead.
 */
describe('MLflow REST API: unexpected errors', () => {
  const SECRET = 'relation "runs" does not exist: select secret_column from runs';
  const logLines: string[] = [];
  let server: Server;
  let url: string;
  const handledPaths: boolean[] = [];

  beforeAll(async () => {
    const readDb: SqlExecutor = {
      query: () => Promise.reject(new Error(SECRET)),
    };
    // Only the method these tests reach; the rest of TrackingService is never called.
    const tracking = {
      createExperiment: () => Promise.reject(new TypeError(`Cannot read properties of undefined (${SECRET})`)),
    } as unknown as TrackingService;
    const logger = pino({ level: 'error' }, { write: (line: string) => void logLines.push(line) });
    const handler = createMlflowHandler({ tracking, readDb, accessOf: () => localAccess('tester', readDb), logger });
    server = createServer(async (req, res) => {
      const handled = await handler(req, res);
      handledPaths.push(handled);
      if (!handled) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['a failing query', 'GET', '/api/2.0/mlflow/runs/get?run_id=abc', undefined],
    ['a failing command', 'POST', '/api/2.0/mlflow/experiments/create', '{"name": "x"}'],
  ])('answers %s with a bare 500 INTERNAL_ERROR and logs it', async (_label, method, path, body) => {
    const before = logLines.length;
    const response = await fetch(`${url}${path}`, { method, body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error_code: 'INTERNAL_ERROR', message: 'The server failed to handle the request; the error has been logged.' });
    expect(text).not.toMatch(/secret_column|select|at .*\.ts/);
    expect(logLines.slice(before).join('')).toContain('secret_column');
  });

  it('leaves other paths to the server (resolves false)', async () => {
    const response = await fetch(`${url}/graphql`);
    expect(response.status).toBe(418);
    expect(handledPaths[handledPaths.length - 1]).toBe(false);
  });
});
