import { resolve } from 'node:path';
import { buildApp } from '../server/buildApp.ts';
import { localUser } from './localUser.ts';

export interface ServeOptions {
  host: string;
  port: string;
  dataDir: string;
  user?: string;
}

/** mlledger serve: embedded PGlite in the data folder, or Postgres when DATABASE_URL is set. */
export async function serve(options: ServeOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got '${options.port}'`);
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const schema = process.env.MLLEDGER_DB_SCHEMA || undefined;
  const app = await buildApp({
    host: options.host,
    port,
    databaseUrl,
    schema,
    dataDir: databaseUrl ? undefined : resolve(options.dataDir),
    user: options.user ?? localUser(),
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
