import { resolveServerConfig } from '../server/serverConfig.ts';
import { resolveAuthConfig } from '../auth/authConfig.ts';
import { localUser } from './localUser.ts';

export interface ServeOptions {
  host: string;
  port: string;
  dataDir: string;
  user?: string;
  eventStore?: string;
  artifacts?: string;
  auth?: boolean;
}

/**
 * mlledger serve: embedded PGlite in the data folder by default; Postgres when
 * DATABASE_URL is set; EventStoreDB for events with --event-store esdb; S3 for
 * artifacts with --artifacts s3://… Everything configured is checked before it listens.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got '${options.port}'`);
  const config = resolveServerConfig(options, process.env);
  const auth = resolveAuthConfig({ auth: options.auth }, process.env);
  // The server stack loads only once the flags are known good: a bad flag is refused at once.
  const { openConfiguredStores } = await import('../server/openConfiguredStores.ts');
  const { buildApp } = await import('../server/buildApp.ts');
  const stores = await openConfiguredStores(config);
  const app = await buildApp({
    host: options.host,
    port,
    ...stores.backend,
    artifacts: stores.artifacts,
    user: options.user ?? localUser(),
    auth,
    allowedOrigins: (process.env.MLLEDGER_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  });
  await app.start();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app
      .stop()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(`mlledger: error while stopping after ${signal}:`, error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
