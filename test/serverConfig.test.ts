import { describe, expect, it } from 'vitest';
import { parseArtifactLocation } from '../src/artifacts/artifactLocation.ts';
import { parsePostgresUrl } from '../src/db/postgresUrl.ts';
import { ConfigError } from '../src/server/configError.ts';
import { resolveServerConfig } from '../src/server/serverConfig.ts';

const s3Env = { AWS_ACCESS_KEY_ID: 'key', AWS_SECRET_ACCESS_KEY: 'secret' };

/** The message a ConfigError carries, or a failure when fn does not throw one. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('server configuration', () => {
  it('is all embedded when nothing is set (npm start)', () => {
    expect(resolveServerConfig({ dataDir: '/tmp/data' }, {})).toEqual({ eventStore: { kind: 'postgres' }, postgres: undefined, schema: undefined, dataDir: '/tmp/data', artifacts: undefined });
  });

  it('takes the event store from the flag, else MLLEDGER_EVENT_STORE, and names whichever was wrong', () => {
    const env = { EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' };
    expect(resolveServerConfig({ dataDir: '.', eventStore: 'esdb' }, env).eventStore).toEqual({ kind: 'esdb', url: env.EVENTSTORE_URL });
    expect(resolveServerConfig({ dataDir: '.' }, { ...env, MLLEDGER_EVENT_STORE: 'esdb' }).eventStore.kind).toBe('esdb');
    expect(resolveServerConfig({ dataDir: '.', eventStore: 'postgres' }, { ...env, MLLEDGER_EVENT_STORE: 'esdb' }).eventStore.kind).toBe('postgres');
    expect(configError(() => resolveServerConfig({ dataDir: '.', eventStore: 'mongo' }, {}))).toBe("--event-store: unknown event store 'mongo'; expected one of postgres, esdb");
    expect(configError(() => resolveServerConfig({ dataDir: '.' }, { MLLEDGER_EVENT_STORE: 'ESDB' }))).toMatch(/^MLLEDGER_EVENT_STORE: unknown event store 'ESDB'/);
  });

  it('needs a well-formed EVENTSTORE_URL for esdb, and hides credentials in the message', () => {
    expect(configError(() => resolveServerConfig({ dataDir: '.', eventStore: 'esdb' }, {}))).toMatch(/^EVENTSTORE_URL: must be set for --event-store esdb/);
    const message = configError(() => resolveServerConfig({ dataDir: '.', eventStore: 'esdb' }, { EVENTSTORE_URL: 'http://admin:changeit@localhost:2113' }));
    expect(message).toMatch(/^EVENTSTORE_URL: expected esdb:\/\//);
    expect(message).not.toContain('changeit');
    expect(resolveServerConfig({ dataDir: '.', eventStore: 'esdb' }, { EVENTSTORE_URL: 'esdb+discover://a:2113,b:2113,c:2113' }).eventStore).toEqual({ kind: 'esdb', url: 'esdb+discover://a:2113,b:2113,c:2113' });
  });

  it('checks DATABASE_URL and the schema, never echoing a password', () => {
    const config = resolveServerConfig({ dataDir: '.' }, { DATABASE_URL: 'postgres://me:pw@db:5433/ledger?schema=prod' });
    expect(config.postgres).toEqual({ connectionString: 'postgres://me:pw@db:5433/ledger', schema: 'prod', display: 'db:5433/ledger' });
    expect(config.schema).toBe('prod');
    expect(resolveServerConfig({ dataDir: '.' }, { DATABASE_URL: 'postgres://db/ledger?schema=prod', MLLEDGER_DB_SCHEMA: 'other' }).schema).toBe('other');
    expect(configError(() => parsePostgresUrl('mysql://me:pw@db/x', 'DATABASE_URL'))).toBe("DATABASE_URL: expected a postgres:// or postgresql:// URL, got 'mysql://…'");
    const malformed = configError(() => parsePostgresUrl('postgres://me:secret@db:notaport/x', 'DATABASE_URL'));
    expect(malformed).toMatch(/^DATABASE_URL: '.*' is not a URL/);
    expect(malformed).not.toContain('secret');
    expect(configError(() => parsePostgresUrl('postgres://db/x?schema=Robert%27);drop', '--to'))).toMatch(/^--to: schema .* must be a lower-case SQL identifier/);
    expect(configError(() => resolveServerConfig({ dataDir: '.' }, { MLLEDGER_DB_SCHEMA: 'a-b' }))).toMatch(/^MLLEDGER_DB_SCHEMA:/);
  });

  it('reads file:// and s3:// artifact locations', () => {
    expect(parseArtifactLocation('file:///srv/artifacts', '--artifacts', {})).toEqual({ kind: 'local', root: '/srv/artifacts' });
    expect(parseArtifactLocation('s3://ml-artifacts/team/a/', '--artifacts', s3Env)).toEqual({
      kind: 's3',
      endPoint: 's3.amazonaws.com',
      useSSL: true,
      accessKey: 'key',
      secretKey: 'secret',
      region: undefined,
      bucket: 'ml-artifacts',
      prefix: 'team/a',
    });
  });

  it('takes the S3 endpoint from MLLEDGER_S3_ENDPOINT_URL, else MLflow’s MLFLOW_S3_ENDPOINT_URL, and the region from AWS_REGION', () => {
    const minio = parseArtifactLocation('s3://bucket', 'MLLEDGER_ARTIFACTS', { ...s3Env, MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000', AWS_REGION: 'eu-west-1' });
    expect(minio).toMatchObject({ endPoint: 'minio', port: 9000, useSSL: false, region: 'eu-west-1', prefix: '' });
    const both = parseArtifactLocation('s3://bucket', '--artifacts', { ...s3Env, MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000', MLLEDGER_S3_ENDPOINT_URL: 'https://s3.example.org' });
    expect(both).toMatchObject({ endPoint: 's3.example.org', port: undefined, useSSL: true });
    expect(configError(() => parseArtifactLocation('s3://bucket', '--artifacts', { ...s3Env, MLLEDGER_S3_ENDPOINT_URL: 'minio:9000' }))).toMatch(/^MLLEDGER_S3_ENDPOINT_URL: /);
    expect(configError(() => parseArtifactLocation('s3://bucket', '--artifacts', { ...s3Env, MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000/bucket' }))).toMatch(/^MLFLOW_S3_ENDPOINT_URL: an endpoint has no path/);
  });

  it('refuses malformed artifact locations and missing credentials, naming the setting', () => {
    expect(configError(() => parseArtifactLocation('ftp://host/x', '--artifacts', s3Env))).toMatch(/^--artifacts: unsupported artifact URI scheme 'ftp:'/);
    expect(configError(() => parseArtifactLocation('artifacts', 'MLLEDGER_ARTIFACTS', s3Env))).toMatch(/^MLLEDGER_ARTIFACTS: 'artifacts' is not a URI/);
    expect(configError(() => parseArtifactLocation('file://server/share', '--artifacts', {}))).toMatch(/^--artifacts: file URIs name a local folder/);
    expect(configError(() => parseArtifactLocation('s3://My_Bucket/x', '--artifacts', s3Env))).toMatch(/^--artifacts: 'My_Bucket' in .* is not a valid S3 bucket name/);
    expect(configError(() => parseArtifactLocation('s3://key:secret@bucket/x', '--artifacts', s3Env))).toMatch(/^--artifacts: put S3 credentials and endpoint in the environment/);
    expect(configError(() => parseArtifactLocation('s3://bucket/x', '--artifacts', {}))).toMatch(/^AWS_ACCESS_KEY_ID: must be set for S3 artifacts/);
    expect(configError(() => parseArtifactLocation('s3://bucket/x', '--artifacts', { AWS_ACCESS_KEY_ID: 'k' }))).toMatch(/^AWS_SECRET_ACCESS_KEY: must be set/);
  });
});
