import { ConfigError } from '../server/configError.ts';

export interface PostgresLocation {
  /** What pg connects with (the schema parameter taken out). */
  connectionString: string;
  /** From `?schema=`; undefined leaves the choice to the caller. */
  schema?: string;
  /** host:port/database, with no credentials: safe for messages and logs. */
  display: string;
}

/** Checks a postgres:// (or postgresql://) URL; `?schema=name` selects a schema for all tables. */
export function parsePostgresUrl(value: string, setting: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `'${redact(value)}' is not a URL; expected postgres://user:password@host:5432/database`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(setting, `expected a postgres:// or postgresql:// URL, got '${url.protocol}//…'`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(setting, `schema '${schema}' must be a lower-case SQL identifier (letters, digits, _; at most 63)`);
  }
  url.searchParams.delete('schema');
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
  const host = url.host || url.searchParams.get('host') || 'localhost';
  return { connectionString: url.toString(), schema, display: `${host}/${database}` };
}

/** Hides a password in something that failed to parse as a URL. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}
