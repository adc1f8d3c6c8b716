import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_STREAM } from '../src/events/identityEvents.ts';
import { within } from './support/liveClient.ts';
import { readLog } from './support/readModelDump.ts';
import { authorization, startAuthTestApp, type AuthTestApp, type Credentials, type UserClient } from './support/authTestApp.ts';
import { startTestApp } from './support/testApp.ts';

interface Received {
  data?: { runMetrics?: { points: { value: number }[] } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A graphql-ws client signing in with connectionParams, as a browser dashboard would. lazy: false keeps one connection open between operations. */
function wsClient(url: string, credentials: Credentials, lazy = true): Client {
  return createClient({ url: url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, retryAttempts: 0, lazy, connectionParams: authorization(credentials) });
}

const METRICS = 'subscription($r: [ID!]!) { runMetrics(runIds: $r) { points { value } } }';

/** Subscribes and hands back everything received so far, and how the stream ended (an error, or undefined while open). */
function subscribe(client: Client, runIds: string[]) {
  const received: Received[] = [];
  let ended: unknown = undefined;
  let done = false;
  const finished = new Promise<void>((resolve) => {
    client.subscribe<Received['data']>(
      { query: METRICS, variables: { r: runIds } },
      {
        next: (value) => received.push(value as Received),
        error: (error) => {
          ended = error;
          done = true;
          resolve();
        },
        complete: () => {
          done = true;
          resolve();
        },
      },
    );
  });
  return { received, finished, ended: () => ended, done: () => done };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One query or mutation over an open graphql-ws connection. */
function wsOperation(client: Client, query: string): Promise<Received> {
  return new Promise((resolve) => {
    let result: Received = {};
    client.subscribe(
      { query },
      {
        next: (value) => (result = value as Received),
        // An operation refused by the server comes as a list of errors; a closed connection as a CloseEvent.
        error: (error) => resolve({ errors: Array.isArray(error) ? (error as Received['errors']) : [{ message: `connection closed: ${String((error as { code?: number }).code)}` }] }),
        complete: () => resolve(result),
      },
    );
  });
}

/**
 * A runMetrics subscription over server-sent events (GraphQL over SSE, as yoga serves it):
 * what it received, and when its stream ended. joinedAt: the join count to wait for.
 */
async function sseSubscribe(url: string, credentials: Credentials, runIds: string[], joins: () => number) {
  const joinedAt = joins() + 1;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { ...authorization(credentials), 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: METRICS, variables: { r: runIds } }),
  });
  if (response.status !== 200 || !response.body) throw new Error(`the event stream answered ${response.status}`);
  const received: Received[] = [];
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const finished = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data:'));
        if (block.includes('event: next') && data) received.push(JSON.parse(data.slice(5)) as Received);
        if (block.includes('event: complete')) return;
      }
    }
  })();
  return { received, finished, joinedAt };
}

const values = (received: Received[]) => received.flatMap((r) => r.data?.runMetrics?.points.map((p) => p.value) ?? []);

describe('authentication', () => {
  let t: AuthTestApp;
  let alice: UserClient;
  let exp: string;
  let run: string;
  /** Subscriptions that have joined the server's live feed (from then on they see every new event). */
  let joined = 0;

  /** Subscribes, and returns once the server has the subscription on its live feed (no fixed wait). */
  async function subscribeLive(client: Client, runIds: string[]) {
    const before = joined;
    const stream = subscribe(client, runIds);
    await until(() => joined > before || stream.done(), 'the subscription to join the live feed', 30_000);
    if (stream.done()) throw new Error(`the subscription ended at once: ${JSON.stringify(stream.received)} ${String(stream.ended())}`);
    return stream;
  }

  beforeAll(async () => {
    t = await startAuthTestApp({ defaultPermission: 'NO_PERMISSIONS', rateLimit: { perSecond: 1000, burst: 1000 } }, { subscriptions: { onJoin: () => joined++ } });
    alice = await t.user('alice');
    exp = (await alice.ok<{ experiment_id: string }>('POST', 'experiments/create', { name: 'alice-exp' })).experiment_id;
    run = (await alice.ok<{ run: { info: { run_id: string } } }>('POST', 'runs/create', { experiment_id: exp })).run.info.run_id;
  });
  afterAll(() => t?.close());

  it('asks for credentials with 401 and a Basic challenge on both APIs, and accepts Basic, Bearer, and a token as the Basic password', async () => {
    for (const answer of [await t.as('none').rest('GET', 'experiments/search'), await t.as({ basic: { username: 'alice', password: 'wrong-password' } }).rest('GET', 'experiments/search')]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="mlledger"/);
      expect(answer.body).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    }
    const graphql = await t.as('none').graphqlRaw('{ me { username } }');
    expect(graphql.status).toBe(401);
    expect(graphql.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.as({ header: 'Basic !!!' }).rest('GET', 'experiments/search')).status).toBe(401);
    expect((await t.as({ header: 'Digest x' }).rest('GET', 'experiments/search')).status).toBe(401);
    // /health stays open (load balancers), everything else needs credentials.
    expect((await fetch(`${t.url}/health`)).status).toBe(200);

    const { client, token } = await t.tokenClient('alice');
    expect(token).toMatch(/^mll_/);
    expect((await client.graphql('{ me { username isAdmin authenticationEnabled } }')).data).toEqual({ me: { username: 'alice', isAdmin: false, authenticationEnabled: true } });
    expect((await t.as({ basic: { username: 'alice', password: token } }).rest('GET', 'runs/get', { run_id: run })).status).toBe(200);
    // A token is only good as the password of the user it belongs to.
    await t.user('bob');
    expect((await t.as({ basic: { username: 'bob', password: token } }).rest('GET', 'runs/get', { run_id: run })).status).toBe(401);
    // Stored hashed: neither the token nor the password appears in the log or the read models.
    const log = (await readLog(t.app.backend.store)).map((event) => event.data);
    const everything = JSON.stringify(log) + JSON.stringify((await t.testDb.db.query('select * from auth_api_tokens')).rows) + JSON.stringify((await t.testDb.db.query('select * from auth_users')).rows);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain('alice-password-1');
  });

  it('manages tokens over GraphQL: the secret shown once and stored hashed, listed without it, revoked only by its owner or an admin; all as events', async () => {
    const hank = await t.user('hank');
    const created = await hank.graphql('mutation { createApiToken(name: "laptop") { __typename ... on CreatedApiToken { token apiToken { id username name revokedAt } } } }');
    const { token, apiToken } = (created.data as { createApiToken: { token: string; apiToken: { id: string; username: string; name: string; revokedAt: number | null } } }).createApiToken;
    expect(token).toMatch(/^mll_/);
    expect(apiToken).toMatchObject({ username: 'hank', name: 'laptop', revokedAt: null });
    const listed = await hank.graphql('{ apiTokens { id name revokedAt } }');
    expect(listed.data).toEqual({ apiTokens: [{ id: apiToken.id, name: 'laptop', revokedAt: null }] });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await t.as({ bearer: token }).graphql('{ me { username } }')).data).toEqual({ me: { username: 'hank' } });

    // Another user may neither list nor revoke it, nor make tokens for hank; an admin may.
    const ivy = await t.user('ivy');
    expect((await ivy.graphql('{ apiTokens(username: "hank") { id } }')).errors?.[0].extensions?.code).toBe('PERMISSION_DENIED');
    expect((await ivy.graphql('mutation { createApiToken(name: "x", username: "hank") { __typename ... on DomainError { code } } }')).data).toEqual({ createApiToken: { __typename: 'DomainError', code: 'PERMISSION_DENIED' } });
    const byIvy = await ivy.graphql('mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on DomainError { code } } }', { id: apiToken.id });
    expect(byIvy.data).toMatchObject({ revokeApiToken: { __typename: 'DomainError' } });
    expect((await t.as({ bearer: token }).rest('GET', 'experiments/search')).status).toBe(200);
    const byAdmin = await t.admin.graphql('mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on ApiToken { revokedAt } } }', { id: apiToken.id });
    expect(byAdmin.data).toMatchObject({ revokeApiToken: { __typename: 'ApiToken' } });
    expect((await t.as({ bearer: token }).rest('GET', 'experiments/search')).status).toBe(401);

    // Each step is an event on the identity stream, by whoever took it, holding a hash and never the secret.
    const events = (await t.app.backend.store.readStream(IDENTITY_STREAM)).filter((e) => JSON.stringify(e.data).includes('"hank"'));
    expect(events.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['UserCreated', 'admin'],
      ['ApiTokenCreated', 'hank'],
      ['ApiTokenRevoked', 'admin'],
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain('hank-password-1');
  });

  it('refuses a revoked token from the very next request on every surface, and ends what it holds open', async () => {
    const { client, tokenId, token } = await t.tokenClient('alice');
    const bearer = { bearer: token };
    await alice.ok('PUT', `/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/revoke.txt`, { x: 1 });
    await alice.ok('POST', 'registered-models/create', { name: 'revoke-model' });
    await alice.ok('POST', 'model-versions/create', { name: 'revoke-model', source: 's3://bucket/model' });
    const surfaces: Record<string, () => Promise<number>> = {
      'REST': async () => (await client.rest('GET', 'runs/get', { run_id: run })).status,
      'REST (ajax-api)': async () => (await client.rest('GET', '/ajax-api/2.0/mlflow/runs/get', { run_id: run })).status,
      'REST, the token as the Basic password': async () => (await t.as({ basic: { username: 'alice', password: token } }).rest('GET', 'runs/get', { run_id: run })).status,
      'GraphQL POST': async () => (await client.graphqlRaw('{ me { username } }')).status,
      'GraphQL GET': async () => (await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ me { username } }')}`, { headers: { ...authorization(bearer), accept: 'application/json' } })).status,
      'artifact proxy': async () => (await client.rest('GET', `/api/2.0/mlflow-artifacts/artifacts/${exp}/${run}/artifacts/revoke.txt`)).status,
      'artifact listing': async () => (await client.rest('GET', 'artifacts/list', { run_id: run })).status,
      'monitoring REST': async () => (await client.rest('GET', '/api/2.0/mlledger/monitoring/metrics', { model: 'revoke-model', version: 1 })).status,
    };
    const statuses = async () => Object.fromEntries(await Promise.all(Object.entries(surfaces).map(async ([name, ask]) => [name, await ask()] as const)));
    const all = (status: number) => Object.fromEntries(Object.keys(surfaces).map((name) => [name, status]));
    expect(await statuses()).toEqual(all(200));

    // Held open: a WebSocket subscription, a WebSocket connection between operations, a server-sent-events subscription.
    const ws = wsClient(t.url, bearer);
    const stream = await subscribeLive(ws, [run]);
    let connections = 0;
    const idle = wsClient(t.url, bearer, false);
    idle.on('connected', () => connections++);
    expect(await wsOperation(idle, '{ me { username } }')).toEqual({ data: { me: { username: 'alice' } } });
    const sse = await sseSubscribe(t.url, bearer, [run], () => joined);
    await until(() => joined >= sse.joinedAt, 'the event-stream subscription to join the live feed', 30_000);
    await alice.ok('POST', 'runs/log-metric', { run_id: run, key: 'm', value: 1, timestamp: 1 });
    await until(() => values(stream.received).includes(1) && values(sse.received).includes(1), 'the first point on both streams');

    const revoked = await alice.graphql('mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on ApiToken { revokedAt } } }', { id: tokenId });
    expect(revoked.data).toMatchObject({ revokeApiToken: { __typename: 'ApiToken' } });
    expect(await statuses()).toEqual(all(401));
    // The open connection runs no further operation.
    const refusedOperation = await wsOperation(idle, '{ me { username } }');
    expect(refusedOperation.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(refusedOperation.data ?? null).toBeNull();
    expect(connections).toBe(1);
    await idle.dispose();

    // The open subscriptions get no further point: the next one ends them as unauthenticated.
    await alice.ok('POST', 'runs/log-metric', { run_id: run, key: 'm', value: 2, timestamp: 2 });
    await within(stream.finished, 10_000, 'the WebSocket subscription to end');
    await within(sse.finished, 10_000, 'the event stream to end');
    for (const received of [stream.received, sse.received]) {
      expect(values(received)).toEqual([1]);
      expect(received.at(-1)?.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    await ws.dispose();

    // A new connection with it is refused at connection_init.
    const again = wsClient(t.url, bearer);
    const refused = subscribe(again, [run]);
    await within(refused.finished, 10_000, 'the refused connection');
    expect(String((refused.ended() as { code?: number })?.code)).toBe('4403');
    await again.dispose();
  });

  it('ends what a changed password or a deleted user held, at once', async () => {
    const carol = await t.user('carol');
    const { client: carolToken } = await t.tokenClient('carol');
    expect((await carol.graphql('{ me { username } }')).data).toEqual({ me: { username: 'carol' } });
    const changed = await carol.graphql('mutation { changePassword(username: "carol", password: "a-new-password-2") { __typename } }');
    expect(changed.data).toEqual({ changePassword: { __typename: 'User' } });
    expect((await carol.graphqlRaw('{ me { username } }')).status).toBe(401);
    expect((await t.as({ basic: { username: 'carol', password: 'a-new-password-2' } }).graphql('{ me { username } }')).data).toEqual({ me: { username: 'carol' } });
    // Someone else's password is an admin's business only.
    expect((await carolToken.graphql('mutation { changePassword(username: "alice", password: "hijacked-123") { __typename ... on DomainError { code } } }')).data).toEqual({
      changePassword: { __typename: 'DomainError', code: 'PERMISSION_DENIED' },
    });
    await t.admin.ok('DELETE', 'users/delete', { username: 'carol' });
    expect((await carolToken.rest('GET', 'experiments/search')).status).toBe(401);
  });

  it('refuses an expired token, and accepts one until it expires', async () => {
    // Made as if an hour ago, expired a minute ago: no waiting on the clock.
    const hourAgo = Date.now() - 3_600_000;
    const expired = await t.app.backend.identity.createToken({ username: 'alice', name: 'expired', expiresAt: Date.now() - 60_000 }, { actor: 'alice', correlationId: 'c', now: new Date(hourAgo) });
    const live = await t.app.backend.identity.createToken({ username: 'alice', name: 'an-hour', expiresAt: Date.now() + 3_600_000 }, { actor: 'alice', correlationId: 'c', now: new Date() });
    expect((await t.as({ bearer: live.token }).rest('GET', 'runs/get', { run_id: run })).status).toBe(200);
    for (const client of [t.as({ bearer: expired.token }), t.as({ basic: { username: 'alice', password: expired.token } })]) {
      expect((await client.rest('GET', 'runs/get', { run_id: run })).status).toBe(401);
      expect((await client.graphqlRaw('{ me { username } }')).status).toBe(401);
    }
  });

  it('stops delivering a subscription the moment its reader loses READ, and resumes when it is granted again', async () => {
    const dave = await t.user('dave');
    await alice.ok('POST', 'experiments/permissions/create', { experiment_id: exp, username: 'dave', permission: 'READ' });
    // A second run dave may read all along: its points mark how far the stream has got (it delivers in log order).
    const markers = (await alice.ok<{ experiment_id: string }>('POST', 'experiments/create', { name: 'dave-may-read' })).experiment_id;
    await alice.ok('POST', 'experiments/permissions/create', { experiment_id: markers, username: 'dave', permission: 'READ' });
    const marker = (await alice.ok<{ run: { info: { run_id: string } } }>('POST', 'runs/create', { experiment_id: markers })).run.info.run_id;
    const ws = wsClient(t.url, dave.credentials);
    const stream = await subscribeLive(ws, [run, marker]);
    await alice.ok('POST', 'runs/log-metric', { run_id: run, key: 'm', value: 10, timestamp: 10 });
    await until(() => values(stream.received).includes(10), 'the point dave may read');

    await alice.ok('PATCH', 'experiments/permissions/update', { experiment_id: exp, username: 'dave', permission: 'NO_PERMISSIONS' });
    expect((await dave.rest('GET', 'runs/get', { run_id: run })).status).toBe(403);
    await alice.ok('POST', 'runs/log-metric', { run_id: run, key: 'm', value: 11, timestamp: 11 });
    // Once the marker logged after 11 has arrived, 11 has been judged (and withheld), whatever the machine's speed.
    await alice.ok('POST', 'runs/log-metric', { run_id: marker, key: 'm', value: 1011, timestamp: 11 });
    await until(() => values(stream.received).includes(1011), 'the marker after the point dave may not read');
    expect(values(stream.received)).toEqual([10, 1011]);

    await alice.ok('PATCH', 'experiments/permissions/update', { experiment_id: exp, username: 'dave', permission: 'READ' });
    await alice.ok('POST', 'runs/log-metric', { run_id: run, key: 'm', value: 12, timestamp: 12 });
    await until(() => values(stream.received).includes(12), 'the point after READ came back');
    expect(values(stream.received)).toEqual([10, 1011, 12]);
    expect(stream.done()).toBe(false);
    await ws.dispose();

    // Without READ a subscription is refused outright, and so is a connection without credentials.
    await t.user('eve');
    const eve = wsClient(t.url, { basic: { username: 'eve', password: 'eve-password-1' } });
    const denied = subscribe(eve, [run]);
    await within(denied.finished, 10_000, 'the denied subscription');
    expect(denied.received).toHaveLength(1);
    expect(denied.received[0].errors?.[0].extensions?.code).toBe('PERMISSION_DENIED');
    await eve.dispose();
    const anonymous = wsClient(t.url, 'none');
    const refused = subscribe(anonymous, [run]);
    await within(refused.finished, 10_000, 'the anonymous connection');
    expect(String((refused.ended() as { code?: number })?.code)).toBe('4403');
    await anonymous.dispose();
  });

  it('answers 429 with Retry-After past the rate limit of a token, and slows down password guessing', async () => {
    // Buckets that refill one request per 1000 s: however slowly a loaded machine answers, nothing refills
    // during the test. (The refill arithmetic itself is in auth.rateLimiter.test.ts, on a test clock.)
    const slow = 0.001;
    const limited = await startAuthTestApp({ rateLimit: { perSecond: slow, burst: 5 }, failedSignInLimit: { perSecond: slow, burst: 10 } });
    try {
      const frank = await limited.user('frank');
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await frank.rest<{ error_code?: string }>('GET', 'experiments/search'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      for (const refused of answers.slice(5)) {
        expect(refused.body.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
        // The whole seconds until a request may go: about 1000 here.
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(900);
        expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(1000);
      }
      // GraphQL shares the bucket, and answers in its own shape.
      const graphql = await frank.graphqlRaw('{ me { username } }');
      expect(graphql.status).toBe(429);
      expect(graphql.body.errors?.[0].extensions?.code).toBe('REQUEST_LIMIT_EXCEEDED');
      // Another user's bucket is their own, and so is each token's.
      expect((await limited.admin.rest('GET', 'experiments/search')).status).toBe(200);
      const { client: franksToken } = await limited.tokenClient('frank');
      expect((await franksToken.rest('GET', 'experiments/search')).status).toBe(200);

      // Ten wrong guesses, then the address waits, right password or not.
      await limited.user('grace');
      const guesses: number[] = [];
      for (let i = 0; i < 13; i++) guesses.push((await limited.as({ basic: { username: 'grace', password: `guess-${i}` } }).rest('GET', 'experiments/search')).status);
      expect(guesses).toEqual([...Array(10).fill(401), 429, 429, 429]);
      const meanwhile = await limited.as({ basic: { username: 'grace', password: 'grace-password-1' } }).rest('GET', 'experiments/search');
      expect(meanwhile.status).toBe(429);
      expect(Number(meanwhile.headers.get('retry-after'))).toBeGreaterThan(900);
      // Other users, and grace's token, are not held up by guesses at grace's password.
      expect((await limited.admin.rest('GET', 'experiments/search')).status).toBe(200);
      expect((await (await limited.tokenClient('grace')).client.rest('GET', 'experiments/search')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('without authentication (the embedded default)', () => {
  it('acts as the local user, admits requests without credentials, and ignores credentials sent anyway', async () => {
    const app = await startTestApp({ user: 'osuser' });
    try {
      expect(await app.graphql('{ me { username isAdmin authenticationEnabled } }')).toEqual({ data: { me: { username: 'osuser', isAdmin: true, authenticationEnabled: false } } });
      const response = await fetch(`${app.url}/api/2.0/mlflow/experiments/search`, { headers: { authorization: 'Bearer nonsense' } });
      expect(response.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
