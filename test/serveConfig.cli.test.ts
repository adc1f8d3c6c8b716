import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../src/artifacts/s3ArtifactStore.ts';
import { gql, runCli, startServerProcess } from './support/cliProcess.ts';
import { startEsdbTestServer } from './support/esdb/esdbTestServer.ts';
import { startTestS3Server, type TestS3Server } from './support/s3Server.ts';
import { usingPostgres } from './support/testDb.ts';

/**
 * `mlledger serve` as a real process: bad or unreachable configuration ends it
 * at start with one line naming the setting and a non-zero exit code; good S3
 * configuration puts artifacts in the bucket.
 */
describe('mlledger serve configuration', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlledger-serve-config-'));
  const schema = `serve_cfg_${randomBytes(5).toString('hex')}`;
  // The database this run of the suite uses, with every other setting cleared.
  const base: NodeJS.ProcessEnv = {
    DATABASE_URL: usingPostgres ? process.env.DATABASE_URL : '',
    MLLEDGER_DB_SCHEMA: usingPostgres ? schema : '',
    MLLEDGER_EVENT_STORE: '',
    EVENTSTORE_URL: '',
    MLLEDGER_ARTIFACTS: '',
    MLLEDGER_S3_ENDPOINT_URL: '',
    MLFLOW_S3_ENDPOINT_URL: '',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_REGION: '',
    LOG_LEVEL: 'info',
  };
  let s3: TestS3Server;
  let s3Env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    s3 = await startTestS3Server('ledger-artifacts');
    s3Env = { AWS_ACCESS_KEY_ID: s3.options.accessKey, AWS_SECRET_ACCESS_KEY: s3.options.secretKey, MLLEDGER_S3_ENDPOINT_URL: `http://127.0.0.1:${s3.options.port}` };
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (usingPostgres) {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });

  /** Runs serve expecting it to refuse; returns its one line of complaint. */
  async function refusal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir, ...args], { ...base, ...env });
    expect(result.code, result.stdout + result.stderr).not.toBe(0);
    expect(result.stdout).not.toContain('mlledger listening');
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    return lines[0];
  }

  it('refuses an unknown event store kind, from the flag or the environment', async () => {
    expect(await refusal(['--event-store', 'mongodb'], {})).toBe("mlledger: --event-store: unknown event store 'mongodb'; expected one of postgres, esdb");
    expect(await refusal([], { MLLEDGER_EVENT_STORE: 'kafka' })).toBe("mlledger: MLLEDGER_EVENT_STORE: unknown event store 'kafka'; expected one of postgres, esdb");
  });

  it('refuses esdb without EVENTSTORE_URL, or with a malformed one', async () => {
    expect(await refusal(['--event-store', 'esdb'], {})).toMatch(/^mlledger: EVENTSTORE_URL: must be set for --event-store esdb/);
    expect(await refusal([], { MLLEDGER_EVENT_STORE: 'esdb', EVENTSTORE_URL: 'localhost:2113' })).toMatch(/^mlledger: EVENTSTORE_URL: expected esdb:\/\//);
  });

  it('refuses an EventStoreDB it cannot reach, naming EVENTSTORE_URL', async () => {
    expect(await refusal(['--event-store', 'esdb'], { EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false' })).toMatch(/^mlledger: EVENTSTORE_URL: .*127\.0\.0\.1:1.*(UNAVAILABLE|ECONNREFUSED|no answer)/);
  });

  it('keeps its events in EventStoreDB with --event-store esdb (against the test double), and will not mix its read models with another log', async () => {
    const esdb = await startEsdbTestServer();
    const server = await startServerProcess(['--data-dir', dataDir, '--event-store', 'esdb'], { ...base, EVENTSTORE_URL: esdb.url });
    try {
      const created = await gql<{ createExperiment: { id: string } }>(server.url, `mutation { createExperiment(input: { name: "in-esdb" }) { ... on Experiment { id } } }`);
      expect(created.createExperiment.id).toMatch(/^\d+$/);
      const experimentEvents = esdb.log.stream('experiments') ?? [];
      expect(experimentEvents.map((r) => r.type)).toContain('ExperimentCreated');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    try {
      // rebuild reads the same configuration: the read models come back from EventStoreDB.
      const rebuilt = await runCli(['rebuild', '--data-dir', dataDir, '--event-store', 'esdb'], { ...base, EVENTSTORE_URL: esdb.url });
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      expect(rebuilt.stderr).toMatch(/rebuilding read models \(tracking\)/);
      const again = await startServerProcess(['--data-dir', dataDir], { ...base, MLLEDGER_EVENT_STORE: 'esdb', EVENTSTORE_URL: esdb.url });
      try {
        const found = await gql<{ experiments: { nodes: { name: string }[] } }>(again.url, `query { experiments(first: 50) { nodes { name } } }`);
        expect(found.experiments.nodes.map((e) => e.name)).toContain('in-esdb');
      } finally {
        again.child.kill('SIGTERM');
        await again.exited;
      }
      // The same read models with the default store: another log, so serve refuses until they are rebuilt from it.
      expect(await refusal([], {})).toMatch(/^mlledger: the read models were built from another event log \(.*\)\. Run `mlledger rebuild`/);
      const back = await runCli(['rebuild', '--data-dir', dataDir], base);
      expect(back.code, back.stderr).toBe(0);
    } finally {
      await esdb.stop();
    }
  });

  it('refuses an unreachable or malformed DATABASE_URL before listening', async () => {
    expect(await refusal([], { DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/nowhere' })).toMatch(
      /^mlledger: DATABASE_URL: cannot connect to Postgres at 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    );
    const malformed = await refusal([], { DATABASE_URL: 'postgres://postgres:hunter2@db:port/x' });
    expect(malformed).toMatch(/^mlledger: DATABASE_URL: '.*' is not a URL/);
    expect(malformed).not.toContain('hunter2');
  });

  it('refuses a malformed artifact URI', async () => {
    expect(await refusal(['--artifacts', 'ftp://files/x'], {})).toMatch(/^mlledger: --artifacts: unsupported artifact URI scheme 'ftp:'/);
    expect(await refusal([], { MLLEDGER_ARTIFACTS: 's3://Not_A_Bucket' })).toMatch(/^mlledger: MLLEDGER_ARTIFACTS: 'Not_A_Bucket' .* not a valid S3 bucket name/);
    expect(await refusal(['--artifacts', 's3://ledger-artifacts'], {})).toMatch(/^mlledger: AWS_ACCESS_KEY_ID: must be set for S3 artifacts/);
  });

  it('refuses an unreachable S3 endpoint and a missing bucket', async () => {
    expect(await refusal(['--artifacts', 's3://ledger-artifacts/x'], { ...s3Env, MLLEDGER_S3_ENDPOINT_URL: 'http://127.0.0.1:1' })).toMatch(
      /^mlledger: --artifacts: cannot reach S3 at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    expect(await refusal(['--artifacts', 's3://no-such-bucket/x'], s3Env)).toBe(
      `mlledger: --artifacts: bucket 'no-such-bucket' does not exist at http://127.0.0.1:${s3.options.port}; create it first (e.g. mc mb)`,
    );
  });

  it('serves artifacts from the configured bucket (MLflow’s endpoint variable, MLLEDGER_ARTIFACTS)', async () => {
    const env = { ...s3Env, MLLEDGER_S3_ENDPOINT_URL: '', MLFLOW_S3_ENDPOINT_URL: s3Env.MLLEDGER_S3_ENDPOINT_URL, MLLEDGER_ARTIFACTS: 's3://ledger-artifacts/team-a' };
    const server = await startServerProcess(['--data-dir', dataDir], { ...base, ...env });
    try {
      const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/run1/artifacts/notes.txt`, { method: 'PUT', body: 'in the bucket' });
      expect(put.status).toBe(200);
      // Read back with a client of our own, straight from the bucket under the prefix.
      const bucket = new S3ArtifactStore({ ...s3.options, bucket: 'ledger-artifacts', prefix: 'team-a' });
      const { stream } = await bucket.get('0/run1/artifacts/notes.txt');
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      expect(text).toBe('in the bucket');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
