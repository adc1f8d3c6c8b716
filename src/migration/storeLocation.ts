import { isAbsolute, resolve } from 'node:path';
import { parsePostgresUrl, type PostgresLocation } from '../db/postgresUrl.ts';
import { ConfigError } from '../server/configError.ts';

/** An event store named by a URI on the command line (mlledger migrate --from/--to). */
export type StoreLocation =
  | { kind: 'pglite'; dataDir: string; display: string }
  | { kind: 'postgres'; postgres: PostgresLocation; schema: string; display: string }
  | { kind: 'esdb'; url: string; display: string };

const EXPECTED = 'pglite:///path/to/data-dir, postgres://user@host:5432/db[?schema=name] or esdb://host:2113[?tls=false]';

/**
 * pglite:///absolute/data-dir (or pglite:relative/dir): an embedded data folder, as --data-dir names it;
 * postgres://…[?schema=x]: the Postgres event store (schema public by default);
 * esdb://… or esdb+discover://…: EventStoreDB.
 */
export function parseStoreLocation(value: string, setting: string): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'pglite') {
    const dataDir = pgliteDir(value.slice('pglite:'.length), value, setting);
    return { kind: 'pglite', dataDir, display: `pglite://${dataDir}` };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const postgres = parsePostgresUrl(value, setting);
    const schema = postgres.schema ?? 'public';
    return { kind: 'postgres', postgres, schema, display: `postgres://${postgres.display}?schema=${schema}` };
  }
  if (scheme === 'esdb' || scheme === 'esdb+discover') {
    if (!/^esdb(\+discover)?:\/\/[^/?#\s]+/i.test(value)) throw new ConfigError(setting, `'${hideCredentials(value)}' names no host; expected esdb://host:2113[,host2:2113…][?tls=false]`);
    return { kind: 'esdb', url: value, display: hideCredentials(value) };
  }
  throw new ConfigError(setting, `'${hideCredentials(value)}' is not an event store URI; expected ${EXPECTED}`);
}

/** pglite:///abs → /abs; pglite:rel → resolved against the working directory; a host is refused. */
function pgliteDir(rest: string, value: string, setting: string): string {
  if (rest.startsWith('//')) {
    const path = rest.slice(2);
    if (!path.startsWith('/')) throw new ConfigError(setting, `'${value}' names a host; an embedded store is a local folder: pglite:///absolute/path or pglite:relative/path`);
    return decodeURIComponent(path);
  }
  if (rest === '') throw new ConfigError(setting, `'${value}' names no folder; expected pglite:///path/to/data-dir`);
  const path = decodeURIComponent(rest);
  return isAbsolute(path) ? path : resolve(path);
}

/** Whether two locations are the same store (copying a store onto itself is refused). */
export function sameStore(a: StoreLocation, b: StoreLocation): boolean {
  if (a.kind === 'pglite' && b.kind === 'pglite') return resolve(a.dataDir) === resolve(b.dataDir);
  if (a.kind === 'postgres' && b.kind === 'postgres') return a.postgres.display === b.postgres.display && a.schema === b.schema;
  if (a.kind === 'esdb' && b.kind === 'esdb') return a.url === b.url;
  return false;
}

export function hideCredentials(text: string): string {
  return text.replace(/\/\/[^@/\s]*@/g, '//***@');
}
