import type { IncomingMessage } from 'node:http';
import type { SqlExecutor } from '../db/sqlDb.ts';
import { Access } from './access.ts';
import type { AuthConfig, RateLimit } from './authConfig.ts';
import { Authenticator } from './authenticator.ts';
import { credentialsFromConnectionParams, parseAuthorization, type Credentials } from './credentials.ts';
import type { IdentityGeneration } from './identityGeneration.ts';
import type { Principal } from './principal.ts';
import { RateLimiter } from './rateLimiter.ts';

export interface Refusal {
  status: 401 | 429;
  code: 'UNAUTHENTICATED' | 'REQUEST_LIMIT_EXCEEDED';
  message: string;
  headers: Record<string, string>;
}

export type Admission = { access: Access } | { refusal: Refusal };

export interface AuthGateDeps {
  readDb: SqlExecutor;
  generation: IdentityGeneration;
  /** The identity read models caught up with the log (before a refusal is final). */
  settle(): Promise<void>;
  /** The actor while authentication is off. */
  localUser: string;
}

/** Failed password sign-ins per (address, user name), unless configured: ten, then one every five seconds. */
export const defaultFailedSignInLimit: RateLimit = { perSecond: 0.2, burst: 10 };
const CHALLENGE = { 'www-authenticate': 'Basic realm="mlledger", charset="UTF-8"' };

/**
 * Who a request is, decided once per request (or per WebSocket connection) before any
 * handler runs. Off: everyone is the local user. On: HTTP Basic (user and password, or
 * a token as the password) or Bearer token, checked against the read models each time;
 * then a per-token (or per-user) rate limit.
 */
export class AuthGate {
  private readonly authenticator: Authenticator;
  private readonly limiter?: RateLimiter;
  private readonly failures: RateLimiter;
  private readonly local: Principal;

  constructor(
    readonly config: AuthConfig,
    private readonly deps: AuthGateDeps,
  ) {
    this.authenticator = new Authenticator(deps.readDb);
    if (config.rateLimit) this.limiter = new RateLimiter(config.rateLimit);
    this.failures = new RateLimiter(config.failedSignInLimit ?? defaultFailedSignInLimit);
    this.local = { username: deps.localUser, isAdmin: true };
  }

  accessFor(principal: Principal): Access {
    return new Access(principal, {
      readDb: this.deps.readDb,
      authEnabled: this.config.enabled,
      defaultPermission: this.config.defaultPermission,
      generation: this.deps.generation,
      settle: this.deps.settle,
      stillValid: this.config.enabled ? () => this.authenticator.stillValid(principal) : undefined,
    });
  }

  /** An HTTP request, by its Authorization header. */
  admit(req: IncomingMessage): Promise<Admission> {
    return this.admitCredentials(parseAuthorization(req.headers.authorization), clientAddress(req));
  }

  /** A graphql-ws connection, by its connection_init payload (or, failing that, the upgrade request's header). */
  admitConnection(params: Readonly<Record<string, unknown>> | undefined, req: IncomingMessage): Promise<Admission> {
    const fromParams = credentialsFromConnectionParams(params);
    const credentials = fromParams ?? parseAuthorization(req.headers.authorization);
    return this.admitCredentials(credentials, clientAddress(req));
  }

  private async admitCredentials(credentials: Credentials | 'malformed' | undefined, address: string): Promise<Admission> {
    if (!this.config.enabled) return { access: this.accessFor(this.local) };
    if (credentials === undefined) return { refusal: unauthenticated('Authentication is required: send HTTP Basic credentials or a Bearer API token.') };
    // Password guessing against one user from one address is turned away before the (deliberately slow) check.
    // Tokens are not throttled: 256 random bits cannot be guessed, and a client retrying a revoked one must not lock out others.
    const failed = credentials !== 'malformed' && credentials.kind === 'basic' ? `${address}|${credentials.username}` : undefined;
    const cooling = failed ? this.failures.waitFor(failed) : 0;
    if (cooling > 0) return { refusal: tooMany(cooling, 'Too many failed sign-ins for this user from this address.') };
    const principal = credentials === 'malformed' ? undefined : await this.authenticator.authenticate(credentials);
    if (!principal) {
      if (failed) this.failures.take(failed);
      return { refusal: unauthenticated(credentials === 'malformed' ? 'The Authorization header is malformed.' : 'The credentials are not valid (unknown user, wrong password, or a revoked or expired token).') };
    }
    const wait = this.limiter?.take(principal.tokenId ? `token:${principal.tokenId}` : `user:${principal.username}`) ?? 0;
    if (wait > 0) return { refusal: tooMany(wait, `Rate limit exceeded for ${principal.tokenId ? 'this token' : principal.username}; retry after ${wait} s.`) };
    return { access: this.accessFor(principal) };
  }
}

function unauthenticated(message: string): Refusal {
  return { status: 401, code: 'UNAUTHENTICATED', message, headers: { ...CHALLENGE } };
}

function tooMany(seconds: number, message: string): Refusal {
  return { status: 429, code: 'REQUEST_LIMIT_EXCEEDED', message, headers: { 'retry-after': String(seconds) } };
}

function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
