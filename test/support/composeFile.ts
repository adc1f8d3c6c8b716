import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ComposeValue = string | number | boolean | null | ComposeValue[] | { [key: string]: ComposeValue };
export type ComposeMap = { [key: string]: ComposeValue };

/**
 * Replaces ${VAR}, ${VAR:-default} and ${VAR-default} as Compose does, with
 * the given environment (empty: every default applies); $$ is a literal $.
 */
export function interpolate(text: string, env: Record<string, string | undefined> = {}): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (match, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (op === ':-') return value ? value : (fallback ?? '');
    if (op === '-') return value !== undefined ? value : (fallback ?? '');
    return value ?? '';
  });
}

function interpolateAll(value: ComposeValue, env: Record<string, string | undefined>): ComposeValue {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  return value;
}

/** A compose file as Compose reads it: YAML with merge keys (<<), interpolated. */
export function loadCompose(path: string, env: Record<string, string | undefined> = {}): ComposeMap {
  const raw = parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeMap;
  return interpolateAll(raw, env) as ComposeMap;
}

/** Applies an override file as `docker compose -f base -f override` does for what our files use: maps merge, lists append. */
export function mergeCompose(base: ComposeValue, override: ComposeValue): ComposeValue {
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...override];
  if (isMap(base) && isMap(override)) {
    const merged: ComposeMap = { ...base };
    for (const [key, value] of Object.entries(override)) merged[key] = key in base ? mergeCompose(base[key], value) : value;
    return merged;
  }
  return override;
}

export function isMap(value: ComposeValue | undefined): value is ComposeMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A service's environment as a map (Compose accepts a map or a list of NAME=value). */
export function environmentOf(service: ComposeMap): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map((line) => String(line).split(/=(.*)/s).slice(0, 2) as [string, string]));
  if (isMap(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
  return {};
}
