/**
 * Calls MLflow's REST API the way the mlflow Python client (2.x/3.x) does:
 * GET with the message fields in the query string (repeated fields as repeated
 * keys), POST with a JSON body, the client's User-Agent.
 */

export type QueryValue = string | number | readonly (string | number)[];

export interface MlflowAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface MlflowErrorBody {
  error_code: string;
  message: string;
}

export interface KeyValueJson {
  key: string;
  value: string;
}
export interface MetricJson {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
  run_id?: string;
}
export interface RunInfoJson {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: string;
}
export interface RunJson {
  info: RunInfoJson;
  data: { metrics?: MetricJson[]; params?: KeyValueJson[]; tags?: KeyValueJson[] };
  inputs: Record<string, unknown>;
}
export interface ExperimentJson {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
  tags?: KeyValueJson[];
}

const USER_AGENT = 'mlflow-python-client/3.11.1';

export class MlflowRestClient {
  constructor(
    readonly baseUrl: string,
    /** "/api/2.0/mlflow/" unless a test wants the ajax or 3.0 routes. */
    readonly prefix = '/api/2.0/mlflow/',
  ) {}

  /** The same client on another prefix, e.g. "/ajax-api/2.0/mlflow/". */
  withPrefix(prefix: string): MlflowRestClient {
    return new MlflowRestClient(this.baseUrl, prefix);
  }

  get<T = Record<string, unknown>>(endpoint: string, params: Record<string, QueryValue | undefined> = {}): Promise<MlflowAnswer<T>> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
    }
    const suffix = query.size > 0 ? `?${query}` : '';
    return this.send<T>('GET', `${this.prefix}${endpoint}${suffix}`);
  }

  post<T = Record<string, unknown>>(endpoint: string, body: unknown = {}): Promise<MlflowAnswer<T>> {
    return this.send<T>('POST', `${this.prefix}${endpoint}`, JSON.stringify(body));
  }

  /** Any method, path and raw body: for malformed requests. */
  async send<T = Record<string, unknown>>(method: string, path: string, body?: string): Promise<MlflowAnswer<T>> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const parsed: unknown = contentType.startsWith('application/json') ? JSON.parse(text) : text;
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** POSTs and expects 200, returning the body. */
  async ok<T = Record<string, unknown>>(endpoint: string, body: unknown = {}): Promise<T> {
    const answer = await this.post<T>(endpoint, body);
    if (answer.status !== 200) throw new Error(`${endpoint} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** GETs and expects 200, returning the body. */
  async read<T = Record<string, unknown>>(endpoint: string, params: Record<string, QueryValue | undefined> = {}): Promise<T> {
    const answer = await this.get<T>(endpoint, params);
    if (answer.status !== 200) throw new Error(`${endpoint} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** mlflow.set_experiment(name): get-by-name, create when missing (404), then get. */
  async setExperiment(name: string): Promise<ExperimentJson> {
    const found = await this.get<{ experiment: ExperimentJson } | MlflowErrorBody>('experiments/get-by-name', { experiment_name: name });
    if (found.status === 200 && 'experiment' in found.body) return found.body.experiment;
    const { experiment_id } = await this.ok<{ experiment_id: string }>('experiments/create', { name });
    return (await this.read<{ experiment: ExperimentJson }>('experiments/get', { experiment_id })).experiment;
  }

  /** mlflow.start_run(run_name=…): runs/create with the tags the client adds. */
  async startRun(experimentId: string, runName: string, extraTags: KeyValueJson[] = []): Promise<RunJson> {
    const tags = [
      { key: 'mlflow.user', value: 'alice' },
      { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.runName', value: runName },
      ...extraTags,
    ];
    const body = await this.ok<{ run: RunJson }>('runs/create', { experiment_id: experimentId, user_id: 'alice', start_time: Date.now(), tags, run_name: runName });
    return body.run;
  }
}
