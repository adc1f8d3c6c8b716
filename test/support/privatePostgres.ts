import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of a test's own (initdb in a temporary folder, its own port), for
 * faults that would disturb every other test if done to the shared server: restarts and
 * crashes. Run as the 'postgres' system user when the tests run as root (initdb refuses root).
 */
export interface PrivatePostgres {
  url: string;
  /** pg_ctl restart, resolving once it accepts connections again: 'fast' ends sessions cleanly; 'immediate' is a crash (recovery on start). */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const asRoot = process.getuid?.() === 0;

function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const [, , uid, gid] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** Whether this machine can run a private cluster (PostgreSQL's server binaries, and a user other than root to run them). */
export const privatePostgresAvailable = binDir() !== undefined && (!asRoot || systemUser('postgres') !== undefined);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries (pg_config --bindir) are not installed');
  const dir = mkdtempSync(join(tmpdir(), 'mlledger-pg-'));
  const owner = asRoot ? systemUser('postgres') : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  // Asynchronous: the server under test runs in this process and must go on answering meanwhile.
  const run = (program: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const [command, fullArgs] = owner ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
      execFile(command, fullArgs, { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${stderr || stdout || error.message}`));
        else resolve(stdout);
      });
    });
  const data = join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  // Sockets in the private folder; no fsync (the machine does not crash, only the server does).
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off -c max_connections=60`;
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-t', '120', ...args]);
  await pgCtl('-o', options, '-w', 'start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(mode) {
      await pgCtl('-o', options, '-m', mode, '-w', 'restart');
    },
    async stop() {
      try {
        await pgCtl('-m', 'immediate', '-w', 'stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
