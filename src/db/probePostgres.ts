import pg from 'pg';
import { ConfigError, reasonOf } from '../server/configError.ts';
import type { PostgresLocation } from './postgresUrl.ts';

/** Connects once and runs `select 1`, so a wrong or unreachable database fails at start rather than at the first request. */
export async function probePostgres(location: PostgresLocation, setting: string, timeoutMs = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: location.connectionString, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new ConfigError(setting, `cannot connect to Postgres at ${location.display}: ${reasonOf(error)}`);
  } finally {
    await client.end().catch(() => {});
  }
}
