import { readFileSync } from 'node:fs';
import { route, type MlflowRoute } from './mlflowRoute.ts';

/** Our own version, from package.json: what GET /version answers (MLflow answers its own version there). */
export const serverVersion: string = readVersion();

function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The 3.x client's telemetry probe. We keep runs in SQL tables like MLflow's
 * SqlStore, and have no workspaces.
 */
export const serverInfoRoutes: MlflowRoute[] = [
  route('GET', 'server-info', async () => ({ store_type: 'SqlStore', workspaces_enabled: false }), { version: '3.0' }),
];
