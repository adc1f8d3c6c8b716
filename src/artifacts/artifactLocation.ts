import { fileURLToPath } from 'node:url';
import { ConfigError } from '../server/configError.ts';
import type { ArtifactStoreConfig } from './openArtifactStore.ts';

/** S3 bucket names: 3–63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Reads an artifact location as MLflow writes one: file:///absolute/folder or
 * s3://bucket/prefix. For S3 the endpoint (MinIO, …) and credentials come from
 * the environment, as for MLflow and the AWS tools.
 */
export function parseArtifactLocation(value: string, setting: string, env: NodeJS.ProcessEnv = process.env): ArtifactStoreConfig {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `'${value}' is not a URI; expected file:///absolute/folder or s3://bucket/prefix`);
  }
  if (url.protocol === 'file:') {
    if (url.host !== '' && url.host !== 'localhost') throw new ConfigError(setting, `file URIs name a local folder (file:///absolute/folder), got host '${url.host}'`);
    if (url.search || url.hash) throw new ConfigError(setting, `a file URI takes no query or fragment, got '${value}'`);
    return { kind: 'local', root: fileURLToPath(url) };
  }
  if (url.protocol === 's3:') return s3Location(url, value, setting, env);
  throw new ConfigError(setting, `unsupported artifact URI scheme '${url.protocol}'; expected file:///absolute/folder or s3://bucket/prefix`);
}

function s3Location(url: URL, value: string, setting: string, env: NodeJS.ProcessEnv): ArtifactStoreConfig {
  const bucket = url.host;
  if (!BUCKET.test(bucket)) throw new ConfigError(setting, `'${bucket}' in '${value}' is not a valid S3 bucket name (3-63 of a-z 0-9 . -)`);
  if (url.username || url.password || url.port) throw new ConfigError(setting, `put S3 credentials and endpoint in the environment, not in '${value}'`);
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  const accessKey = env.AWS_ACCESS_KEY_ID;
  const secretKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKey) throw new ConfigError('AWS_ACCESS_KEY_ID', `must be set for S3 artifacts (${value})`);
  if (!secretKey) throw new ConfigError('AWS_SECRET_ACCESS_KEY', `must be set for S3 artifacts (${value})`);
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  return { kind: 's3', ...s3Endpoint(env), accessKey, secretKey, region, bucket, prefix };
}

/** MLLEDGER_S3_ENDPOINT_URL, else MLflow's MLFLOW_S3_ENDPOINT_URL (MinIO: http://minio:9000), else AWS S3. */
function s3Endpoint(env: NodeJS.ProcessEnv): { endPoint: string; port?: number; useSSL: boolean } {
  const setting = env.MLLEDGER_S3_ENDPOINT_URL ? 'MLLEDGER_S3_ENDPOINT_URL' : env.MLFLOW_S3_ENDPOINT_URL ? 'MLFLOW_S3_ENDPOINT_URL' : undefined;
  if (!setting) return { endPoint: 's3.amazonaws.com', useSSL: true };
  const value = env[setting]!;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `'${value}' is not a URL; expected e.g. http://minio:9000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(setting, `expected an http:// or https:// URL, got '${value}'`);
  if (url.pathname !== '/' && url.pathname !== '') throw new ConfigError(setting, `an endpoint has no path (the bucket goes in the artifact URI), got '${value}'`);
  return { endPoint: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : undefined, useSSL: url.protocol === 'https:' };
}
