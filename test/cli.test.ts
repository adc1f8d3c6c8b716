import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliDataSource, type CliDataSource } from './support/cliDataSource.ts';
import { gql, runCli, startServerProcess } from './support/cliProcess.ts';
import { usingPostgres } from './support/testDb.ts';

/** The CLI as a user runs it: a real process, embedded PGlite in a data folder or Postgres from DATABASE_URL, events in the test event store. */
describe('mlledger CLI', () => {
  let data: CliDataSource;
  let env: NodeJS.ProcessEnv;
  let args: string[];

  beforeAll(async () => {
    data = await cliDataSource('cli');
    env = data.env;
    args = ['--data-dir', data.dataDir, '--user', 'carol'];
  });
  afterAll(() => data?.remove());

  let runId = '';
  const acknowledged: number[] = [];

  it('serves, and a SIGTERM during writes loses nothing it acknowledged', async () => {
    const server = await startServerProcess(args, env);
    expect(await (await fetch(`${server.url}/health`)).text()).toBe('OK');
    const created = await gql<{ createRun: { id: string; userId: string } }>(server.url, `mutation { createRun(input: { experimentId: "0", runName: "cli" }) { ... on Run { id userId } } }`);
    runId = created.createRun.id;
    expect(created.createRun.userId).toBe('carol');

    // Writers keep going until the server refuses; every write it answered must survive.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; ; i++) {
        const step = w * 100_000 + i;
        try {
          await gql(server.url, `mutation($r: ID!, $s: Long!) { logMetric(runId: $r, key: "m", value: 1, step: $s) { __typename } }`, { r: runId, s: step });
          acknowledged.push(step);
        } catch {
          return;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await Promise.all(writers);
    expect(server.output()).toContain('mlledger stopped');
    expect(acknowledged.length).toBeGreaterThan(0);
  });

  it('restarts on the same data with every acknowledged write present', async () => {
    const server = await startServerProcess(args, env);
    const steps = await allSteps(server.url, runId);
    for (const step of acknowledged) expect(steps.has(step)).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('rebuilds the read models from the log with a progress report, ending equal', async () => {
    const result = await runCli(['rebuild', '--data-dir', data.dataDir], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rebuilding read models .*events/);
    expect(result.stderr).toMatch(/rebuilt in/);
    const server = await startServerProcess(args, env);
    const steps = await allSteps(server.url, runId);
    for (const step of acknowledged) expect(steps.has(step)).toBe(true);
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('refuses a second server on the same embedded data folder', async () => {
    if (usingPostgres) return; // the lock guards PGlite's folder only; Postgres servers may run side by side
    const first = await startServerProcess(args, env);
    const second = await runCli(['serve', '--port', '0', ...args], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/is in use by process/);
    first.child.kill('SIGTERM');
    await first.exited;
  });

  it('rejects a bad port with a clear message', async () => {
    const result = await runCli(['serve', '--port', 'abc', ...args], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--port must be a port number, got 'abc'");
  });
});

async function allSteps(url: string, runId: string): Promise<Set<number>> {
  const steps = new Set<number>();
  let after: string | null = null;
  do {
    const data: { run: { metricHistory: { nodes: { step: number }[]; pageInfo: { endCursor: string | null } } } } = await gql(
      url,
      `query($id: ID!, $after: String) { run(id: $id) { metricHistory(key: "m", after: $after) { nodes { step } pageInfo { endCursor } } } }`,
      { id: runId, after },
    );
    for (const node of data.run.metricHistory.nodes) steps.add(node.step);
    after = data.run.metricHistory.pageInfo.endCursor;
  } while (after);
  return steps;
}
