/**
 * Replays the HTTP requests the mlflow Python client sends, one by one, the way
 * it sends them (GET fields in the query string, repeated keys for lists; JSON
 * bodies otherwise; raw bodies for artifact uploads; its User-Agent), and keeps a
 * log of "METHOD /path" so a test can check the sequence it performed. Every call
 * states the status it expects; anything else fails the test with the body.
 */

export type Query = Record<string, string | number | readonly (string | number)[] | undefined>;

export interface WireError {
  error_code: string;
  message: string;
}

export class MlflowWire {
  /** Every request sent, as "METHOD /path" (no query string). */
  readonly log: string[] = [];

  constructor(
    readonly baseUrl: string,
    readonly userAgent: string,
  ) {}

  /** A call to the tracking or registry API under /api/2.0/mlflow/ (or another prefix), answered with JSON. */
  async json<T = Record<string, unknown>>(method: string, endpoint: string, options: { query?: Query; body?: unknown; status?: number; prefix?: string } = {}): Promise<T> {
    const path = `${options.prefix ?? '/api/2.0/mlflow/'}${endpoint}`;
    const answer = await this.send(method, path, {
      query: options.query,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      contentType: options.body === undefined ? undefined : 'application/json',
    });
    const text = answer.body.toString('utf8');
    if (answer.status !== (options.status ?? 200)) throw new Error(`${method} ${path} answered ${answer.status} (expected ${options.status ?? 200}): ${text}`);
    expectJson(answer.headers, method, path);
    return JSON.parse(text) as T;
  }

  get<T = Record<string, unknown>>(endpoint: string, query: Query = {}, status?: number): Promise<T> {
    return this.json<T>('GET', endpoint, { query, status });
  }

  post<T = Record<string, unknown>>(endpoint: string, body: unknown, status?: number): Promise<T> {
    return this.json<T>('POST', endpoint, { body, status });
  }

  /** An error answer: the status, and MLflow's error body. */
  async refused(method: string, endpoint: string, status: number, options: { query?: Query; body?: unknown } = {}): Promise<WireError> {
    return this.json<WireError>(method, endpoint, { ...options, status });
  }

  /** HttpArtifactRepository.log_artifact: PUT the raw file to the proxy. */
  async upload(storePath: string, bytes: Buffer | string, contentType = 'application/octet-stream'): Promise<void> {
    const path = `/api/2.0/mlflow-artifacts/artifacts/${storePath}`;
    const answer = await this.send('PUT', path, { body: bytes, contentType });
    if (answer.status !== 200 || answer.body.toString('utf8') !== '{}') throw new Error(`PUT ${path} answered ${answer.status}: ${answer.body.toString('utf8')}`);
  }

  /** HttpArtifactRepository.list_artifacts: GET …/artifacts?path=<dir>. */
  listArtifacts(storeDir: string): Promise<{ files?: { path: string; is_dir: boolean; file_size?: number }[] }> {
    return this.json('GET', 'artifacts', { prefix: '/api/2.0/mlflow-artifacts/', query: { path: storeDir } });
  }

  /** HttpArtifactRepository._download_file: the bytes of one file. */
  async download(storePath: string): Promise<Buffer> {
    const path = `/api/2.0/mlflow-artifacts/artifacts/${storePath}`;
    const answer = await this.send('GET', path);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.body.toString('utf8')}`);
    return answer.body;
  }

  private async send(method: string, path: string, options: { query?: Query; body?: Buffer | string; contentType?: string } = {}) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
    }
    this.log.push(`${method} ${path}`);
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (options.contentType) headers['content-type'] = options.contentType;
    const body = typeof options.body === 'string' || options.body === undefined ? options.body : new Uint8Array(options.body);
    const response = await fetch(`${this.baseUrl}${path}${query.size > 0 ? `?${query}` : ''}`, { method, headers, body });
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  }
}

function expectJson(headers: Headers, method: string, path: string): void {
  const type = headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) throw new Error(`${method} ${path} answered ${type}, not JSON`);
}

/** The files mlflow.sklearn.log_model writes into a model directory, small stand-ins with the real names. */
export function sklearnModelFiles(runId: string | undefined, artifactPath: string, modelId?: string): Record<string, Buffer> {
  const mlmodel = [
    `artifact_path: ${artifactPath}`,
    'flavors:',
    '  python_function:',
    '    env: {conda: conda.yaml, virtualenv: python_env.yaml}',
    '    loader_module: mlflow.sklearn',
    '    model_path: model.pkl',
    '    predict_fn: predict',
    '  sklearn: {code: null, pickled_model: model.pkl, serialization_format: cloudpickle, sklearn_version: 1.5.2}',
    ...(modelId ? [`model_id: ${modelId}`] : []),
    'mlflow_version: 3.11.1',
    ...(runId ? [`run_id: ${runId}`] : []),
    'utc_time_created: 2026-01-01 12:00:00.000000',
  ].join('\n');
  return {
    MLmodel: Buffer.from(`${mlmodel}\n`),
    'model.pkl': Buffer.from([0x80, 0x05, 0x95, 0x00, 0x01, 0xff, 0x2e]),
    'conda.yaml': Buffer.from('channels: [conda-forge]\ndependencies: [python=3.11, pip, {pip: [mlflow, scikit-learn==1.5.2]}]\nname: mlflow-env\n'),
    'python_env.yaml': Buffer.from('python: 3.11.9\nbuild_dependencies: [pip]\ndependencies: [-r requirements.txt]\n'),
    'requirements.txt': Buffer.from('mlflow==3.11.1\nscikit-learn==1.5.2\n'),
  };
}
