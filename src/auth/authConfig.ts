import { readFileSync } from 'node:fs';
import { ConfigError } from '../server/configError.ts';
import { isPermissionLevel, PERMISSION_LEVELS, type PermissionLevel } from './permissionLevel.ts';

export interface RateLimit {
  /** Requests per second a token (or user) may make, sustained. */
  perSecond: number;
  /** Requests it may make at once after a quiet spell. */
  burst: number;
}

export interface AuthConfig {
  /** false (the embedded default): one local user who may do everything; no credentials asked. */
  enabled: boolean;
  /** What a user holds on an experiment or model without an explicit grant (MLflow's default_permission). */
  defaultPermission: PermissionLevel;
  /** Created at start when no user of that name exists. */
  admin?: { username: string; password: string };
  /** Per token (or user) while authentication is on; undefined: no limit. */
  rateLimit?: RateLimit;
  /** Failed password sign-ins per address and user name (default: ten, then one every five seconds). */
  failedSignInLimit?: RateLimit;
}

export const defaultAuthConfig: AuthConfig = { enabled: false, defaultPermission: 'READ' };
export const defaultRateLimit: RateLimit = { perSecond: 200, burst: 400 };

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off', ''];

/**
 * Authentication settings from `serve --auth` and the environment: MLLEDGER_AUTH,
 * MLLEDGER_DEFAULT_PERMISSION, MLLEDGER_ADMIN_USERNAME with MLLEDGER_ADMIN_PASSWORD
 * (or MLLEDGER_ADMIN_PASSWORD_FILE, for container secrets) and MLLEDGER_RATE_LIMIT
 * ("200" or "200/400": per second / burst; "off"). Secrets come only from here.
 */
export function resolveAuthConfig(flags: { auth?: boolean }, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const enabled = flags.auth === true || parseBoolean('MLLEDGER_AUTH', env.MLLEDGER_AUTH);
  const permission = env.MLLEDGER_DEFAULT_PERMISSION?.trim().toUpperCase() || 'READ';
  if (!isPermissionLevel(permission)) throw new ConfigError('MLLEDGER_DEFAULT_PERMISSION', `expected one of ${PERMISSION_LEVELS.join(', ')}, got '${permission}'`);
  return { enabled, defaultPermission: permission, admin: adminFrom(env), rateLimit: enabled ? rateLimitFrom(env.MLLEDGER_RATE_LIMIT) : undefined };
}

function parseBoolean(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new ConfigError(name, `expected 1/0, true/false, yes/no or on/off, got '${value}'`);
}

function adminFrom(env: NodeJS.ProcessEnv): AuthConfig['admin'] {
  const username = env.MLLEDGER_ADMIN_USERNAME?.trim();
  let password = env.MLLEDGER_ADMIN_PASSWORD;
  if (password === undefined && env.MLLEDGER_ADMIN_PASSWORD_FILE) {
    try {
      password = readFileSync(env.MLLEDGER_ADMIN_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError('MLLEDGER_ADMIN_PASSWORD_FILE', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (!username && password === undefined) return undefined;
  if (!username) throw new ConfigError('MLLEDGER_ADMIN_USERNAME', 'must be set together with MLLEDGER_ADMIN_PASSWORD');
  if (password === undefined) throw new ConfigError('MLLEDGER_ADMIN_PASSWORD', 'must be set (or MLLEDGER_ADMIN_PASSWORD_FILE) together with MLLEDGER_ADMIN_USERNAME');
  return { username, password };
}

function rateLimitFrom(value: string | undefined): RateLimit | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '') return defaultRateLimit;
  if (v === 'off' || v === '0') return undefined;
  const match = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(v);
  const perSecond = match ? Number(match[1]) : NaN;
  if (!match || !(perSecond > 0)) throw new ConfigError('MLLEDGER_RATE_LIMIT', `expected requests per second, optionally /burst (e.g. 200/400), or off; got '${value}'`);
  return { perSecond, burst: match[2] ? Math.max(1, Number(match[2])) : Math.max(1, Math.ceil(perSecond * 2)) };
}
