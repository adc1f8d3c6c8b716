import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_STREAM } from '../src/events/identityEvents.ts';
import { cliDataSource, type CliDataSource } from './support/cliDataSource.ts';
import { cliPath, runCli, startServerProcess } from './support/cliProcess.ts';
import { backendName } from './support/testDb.ts';

/** Runs a CLI command with text on its stdin (a password, as a script would pipe it). */
function runCliWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe(`users, tokens and permissions from the CLI, then serve --auth (${backendName})`, () => {
  let data: CliDataSource;
  let args: string[];

  beforeAll(async () => {
    data = await cliDataSource('authcli');
    args = ['--data-dir', data.dataDir];
  });
  afterAll(() => data?.remove());

  it('creates an admin with a piped password and a token shown once, then the server asks for them', async () => {
    const created = await runCliWithInput(['users', 'create', 'alice', '--admin', ...args], data.env, 'alice-secret-1\n');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('created admin user alice');
    const short = await runCliWithInput(['users', 'create', 'bob', ...args], data.env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password must be 8 to 1024 characters/);
    expect((await runCliWithInput(['users', 'create', 'bob', ...args], data.env, 'bob-secret-12\n')).code).toBe(0);

    const token = await runCli(['tokens', 'create', '--user', 'alice', '--name', 'ci', ...args], data.env);
    expect(token.code, token.stderr).toBe(0);
    const secret = token.stdout.trim();
    expect(secret).toMatch(/^mll_[A-Za-z0-9_-]{43}$/);
    expect(token.stderr).toMatch(/shown only this once/);
    const listed = await runCli(['tokens', 'list', ...args], data.env);
    expect(listed.stdout).toMatch(/\talice\tci\tactive/);
    expect(listed.stdout).not.toContain(secret);
    const users = await runCli(['users', 'list', ...args], data.env);
    expect(users.stdout).toMatch(/^alice\tadmin\t/m);
    expect(users.stdout).toMatch(/^bob\tuser\t/m);

    const server = await startServerProcess(['--auth', ...args], { ...data.env, MLLEDGER_ADMIN_USERNAME: 'root', MLLEDGER_ADMIN_PASSWORD: 'root-secret-1', MLLEDGER_DEFAULT_PERMISSION: 'NO_PERMISSIONS' });
    try {
      expect(server.output()).not.toContain('root-secret-1');
      const search = `${server.url}/api/2.0/mlflow/experiments/search`;
      expect((await fetch(search)).status).toBe(401);
      expect((await fetch(search, { headers: basic('alice', 'alice-secret-1') })).status).toBe(200);
      expect((await fetch(search, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
      expect((await fetch(search, { headers: basic('root', 'root-secret-1') })).status).toBe(200);
      const me = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { ...basic('bob', 'bob-secret-12'), 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { username isAdmin defaultPermission } }' }) });
      expect(await me.json()).toEqual({ data: { me: { username: 'bob', isAdmin: false, defaultPermission: 'NO_PERMISSIONS' } } });
      const made = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { ...basic('alice', 'alice-secret-1'), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'cli-exp' }) });
      expect(made.status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    // Grants from the CLI while the server is down; the next server honours them.
    const granted = await runCli(['permissions', 'set', '--user', 'bob', '--permission', 'read', '--experiment-id', '1', ...args], data.env);
    expect(granted.code, granted.stderr).toBe(0);
    expect((await runCli(['permissions', 'list', '--user', 'bob', ...args], data.env)).stdout).toBe('experiment\t1\tREAD\n');
    // A token revoked from the CLI: listed as revoked, refused by the next server.
    const old = (await runCli(['tokens', 'create', '--user', 'bob', '--name', 'old', ...args], data.env)).stdout.trim();
    const oldId = /^(\S+)\tbob\told\tactive$/m.exec((await runCli(['tokens', 'list', '--user', 'bob', ...args], data.env)).stdout)?.[1] ?? '';
    const revoked = await runCli(['tokens', 'revoke', oldId, ...args], data.env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await runCli(['tokens', 'list', '--user', 'bob', ...args], data.env)).stdout).toMatch(new RegExp(`^${oldId}\tbob\told\trevoked `, 'm'));
    const again = await startServerProcess(['--auth', ...args], { ...data.env, MLLEDGER_DEFAULT_PERMISSION: 'NO_PERMISSIONS' });
    try {
      expect((await fetch(`${again.url}/api/2.0/mlflow/experiments/get?experiment_id=1`, { headers: { authorization: `Bearer ${old}` } })).status).toBe(401);
      expect((await fetch(`${again.url}/api/2.0/mlflow/experiments/get?experiment_id=1`, { headers: basic('bob', 'bob-secret-12') })).status).toBe(200);
      expect((await fetch(`${again.url}/api/2.0/mlflow/experiments/update`, { method: 'POST', headers: { ...basic('bob', 'bob-secret-12'), 'content-type': 'application/json' }, body: JSON.stringify({ experiment_id: '1', new_name: 'x' }) })).status).toBe(403);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 240_000);

  it('records each CLI command as an identity event by the OS user, and serves as the OS user without --auth', async () => {
    const osUser = userInfo().username;
    const backend = await data.openBackend();
    try {
      const events = await backend.store.readStream(IDENTITY_STREAM);
      // CLI commands act as the OS user; the admin from the environment was created by the server in its own name.
      expect(events.map((e) => [e.type, (e.data as { username?: string }).username, e.metadata.actor])).toEqual([
        ['UserCreated', 'alice', osUser],
        ['UserCreated', 'bob', osUser],
        ['ApiTokenCreated', 'alice', osUser],
        ['UserCreated', 'root', 'root'],
        ['ExperimentPermissionSet', 'bob', osUser],
        ['ApiTokenCreated', 'bob', osUser],
        ['ApiTokenRevoked', 'bob', osUser],
      ]);
    } finally {
      await backend.close();
    }
    const server = await startServerProcess(args, data.env);
    try {
      const me = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { username isAdmin authenticationEnabled } }' }) });
      expect(await me.json()).toEqual({ data: { me: { username: osUser, isAdmin: true, authenticationEnabled: false } } });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);
});
