import type { AuthConfig } from '../../src/auth/authConfig.ts';
import { buildApp, type App, type AppConfig } from '../../src/server/buildApp.ts';
import { createLogger } from '../../src/server/logger.ts';
import { commandContext } from '../../src/tracking/commandContext.ts';
import { openTestDb, type TestDb } from './testDb.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/** How a test client proves who it is. */
export type Credentials = { basic: { username: string; password: string } } | { bearer: string } | { header: string } | 'none';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export function authorization(credentials: Credentials): Record<string, string> {
  if (credentials === 'none') return {};
  if ('header' in credentials) return { authorization: credentials.header };
  if ('bearer' in credentials) return { authorization: `Bearer ${credentials.bearer}` };
  return { authorization: `Basic ${Buffer.from(`${credentials.basic.username}:${credentials.basic.password}`).toString('base64')}` };
}

/** One user's view of the server over real HTTP: MLflow REST calls and GraphQL. */
export class UserClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
  ) {}

  async rest<T = Record<string, unknown>>(method: string, endpoint: string, fields: Record<string, unknown> = {}): Promise<Answer<T>> {
    const path = endpoint.startsWith('/') ? endpoint : `/api/2.0/mlflow/${endpoint}`;
    let url = `${this.baseUrl}${path}`;
    let body: string | undefined;
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(fields)) for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
      if (query.size > 0) url += `?${query}`;
    } else body = JSON.stringify(fields);
    const response = await fetch(url, { method, headers: { ...authorization(this.credentials), ...(body ? { 'content-type': 'application/json' } : {}) }, body });
    const text = await response.text();
    const parsed: unknown = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** A REST call expected to succeed. */
  async ok<T = Record<string, unknown>>(method: string, endpoint: string, fields: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.rest<T>(method, endpoint, fields);
    if (answer.status !== 200) throw new Error(`${method} ${endpoint} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async graphqlRaw(query: string, variables: Record<string, unknown> = {}): Promise<Answer<GraphQLAnswer>> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { ...authorization(this.credentials), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as GraphQLAnswer, headers: response.headers };
  }

  async graphql(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
    return (await this.graphqlRaw(query, variables)).body;
  }
}

export interface AuthTestApp {
  app: App;
  url: string;
  testDb: TestDb;
  admin: UserClient;
  /** Creates a user (through the identity service) and a client that signs in with their password. */
  user(username: string, options?: { admin?: boolean }): Promise<UserClient>;
  /** A client with a fresh API token of that user. */
  tokenClient(username: string): Promise<{ client: UserClient; tokenId: string; token: string }>;
  as(credentials: Credentials): UserClient;
  close(): Promise<void>;
}

/** A real server with authentication on (admin from the config), over a fresh test database. */
export async function startAuthTestApp(auth: Partial<AuthConfig> = {}, extra: Partial<AppConfig> = {}): Promise<AuthTestApp> {
  const testDb = await openTestDb();
  const app = await buildApp({
    db: testDb.db,
    channel: testDb.channel,
    createEventStore: testDb.createEventStore,
    port: 0,
    user: 'local-user',
    logger: createLogger('silent'),
    auth: { enabled: true, defaultPermission: 'READ', admin: ADMIN, ...auth },
    ...extra,
  });
  const url = await app.start();
  const password = (username: string) => `${username}-password-1`;
  return {
    app,
    url,
    testDb,
    admin: new UserClient(url, { basic: ADMIN }),
    async user(username, options = {}) {
      await app.backend.identity.createUser({ username, password: password(username), isAdmin: options.admin ?? false }, commandContext(ADMIN.username));
      return new UserClient(url, { basic: { username, password: password(username) } });
    },
    async tokenClient(username) {
      const { tokenId, token } = await app.backend.identity.createToken({ username, name: 'test' }, commandContext(username));
      return { client: new UserClient(url, { bearer: token }), tokenId, token };
    },
    as: (credentials) => new UserClient(url, credentials),
    async close() {
      await app.stop();
      await testDb.drop();
    },
  };
}
