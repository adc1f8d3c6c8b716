import { resolve } from 'node:path';
import { parseArtifactLocation } from '../artifacts/artifactLocation.ts';
import type { ArtifactStoreConfig } from '../artifacts/openArtifactStore.ts';
import { parsePostgresUrl, type PostgresLocation } from '../db/postgresUrl.ts';
import { ConfigError } from './configError.ts';

export const EVENT_STORE_KINDS = ['postgres', 'esdb'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

/** postgres: the SQL event store next to the read models (Postgres, or embedded PGlite); esdb: EventStoreDB/KurrentDB. */
export type EventStoreChoice = { kind: 'postgres' } | { kind: 'esdb'; url: string };

/** What the command line gave; each falls back to its environment variable. */
export interface ServerFlags {
  eventStore?: string;
  artifacts?: string;
  dataDir: string;
}

/** Where events and read models live, checked for form (reachability is checked when they are opened). */
export interface StoreConfig {
  eventStore: EventStoreChoice;
  /** Read models, and events for the postgres store; undefined keeps both in embedded PGlite in dataDir. */
  postgres?: PostgresLocation;
  schema?: string;
  /** Embedded data folder: PGlite when there is no Postgres, and the default artifact folder. */
  dataDir: string;
}

/** StoreConfig plus where artifact bytes go. */
export interface ServerConfig extends StoreConfig {
  /** Undefined: a folder 'artifacts' in the data folder. */
  artifacts?: { config: ArtifactStoreConfig; setting: string };
}

/** A flag, else its environment variable, with the name to quote when the value is wrong. */
function setting(flag: string, flagValue: string | undefined, envName: string, env: NodeJS.ProcessEnv): { value: string; name: string } | undefined {
  if (flagValue !== undefined) return { value: flagValue, name: flag };
  const fromEnv = env[envName];
  return fromEnv ? { value: fromEnv, name: envName } : undefined;
}

/**
 * Reads `mlledger serve`'s configuration from flags and environment:
 * --event-store (MLLEDGER_EVENT_STORE), EVENTSTORE_URL, DATABASE_URL,
 * MLLEDGER_DB_SCHEMA, --artifacts (MLLEDGER_ARTIFACTS) and the S3 variables.
 * Nothing set means what `npm start` has always done: everything embedded.
 */
export function resolveServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const stores = resolveStoreConfig(flags, env);
  const artifactSetting = setting('--artifacts', flags.artifacts, 'MLLEDGER_ARTIFACTS', env);
  const artifacts = artifactSetting ? { config: parseArtifactLocation(artifactSetting.value, artifactSetting.name, env), setting: artifactSetting.name } : undefined;
  return { ...stores, artifacts };
}

/** The event store and read-model part alone (rebuild needs no artifacts). */
export function resolveStoreConfig(flags: Omit<ServerFlags, 'artifacts'>, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const kind = setting('--event-store', flags.eventStore, 'MLLEDGER_EVENT_STORE', env);
  if (kind && !(EVENT_STORE_KINDS as readonly string[]).includes(kind.value)) {
    throw new ConfigError(kind.name, `unknown event store '${kind.value}'; expected one of ${EVENT_STORE_KINDS.join(', ')}`);
  }
  const eventStore: EventStoreChoice = kind?.value === 'esdb' ? { kind: 'esdb', url: eventStoreUrl(env) } : { kind: 'postgres' };
  const postgres = env.DATABASE_URL ? parsePostgresUrl(env.DATABASE_URL, 'DATABASE_URL') : undefined;
  const schema = env.MLLEDGER_DB_SCHEMA || postgres?.schema || undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('MLLEDGER_DB_SCHEMA', `'${schema}' must be a lower-case SQL identifier (letters, digits, _; at most 63)`);
  }
  return { eventStore, postgres, schema, dataDir: resolve(flags.dataDir) };
}

const ESDB_URL = /^(esdb|esdb\+discover):\/\/[^/?#\s]+/;

function eventStoreUrl(env: NodeJS.ProcessEnv): string {
  const url = env.EVENTSTORE_URL;
  if (!url) throw new ConfigError('EVENTSTORE_URL', 'must be set for --event-store esdb, e.g. esdb://localhost:2113?tls=false');
  if (!ESDB_URL.test(url)) throw new ConfigError('EVENTSTORE_URL', `expected esdb://host:2113[,host2:2113…][?tls=false] or esdb+discover://host:2113, got '${url.replace(/\/\/[^@/]*@/, '//***@')}'`);
  return url;
}
