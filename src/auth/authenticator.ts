import { createHash } from 'node:crypto';
import type { SqlExecutor } from '../db/sqlDb.ts';
import { findActiveToken, isTokenActive } from '../projections/identityTokensReadModel.ts';
import { findUser } from '../projections/identityUsersReadModel.ts';
import { hashApiToken, TOKEN_PREFIX } from './apiTokens.ts';
import type { Credentials } from './credentials.ts';
import { verifyPassword } from './passwords.ts';
import type { Principal } from './principal.ts';

const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 10_000;

/**
 * Checks credentials against the identity read models on every call: a deleted user,
 * changed password or revoked token fails from the next request on. scrypt is slow
 * on purpose, so a password already verified against the *current* stored hash is
 * remembered for a few minutes (keyed by a digest of user, password and that hash;
 * a new hash matches no old entry).
 */
export class Authenticator {
  private readonly verified = new Map<string, number>();

  constructor(private readonly readDb: SqlExecutor) {}

  async authenticate(credentials: Credentials): Promise<Principal | undefined> {
    if (credentials.kind === 'bearer') return this.byToken(credentials.token);
    // Tools that speak only Basic may send a token as the password.
    if (credentials.password.startsWith(TOKEN_PREFIX)) {
      const principal = await this.byToken(credentials.password);
      return principal && principal.username === credentials.username ? principal : undefined;
    }
    return this.byPassword(credentials.username, credentials.password);
  }

  private async byToken(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const found = await findActiveToken(this.readDb, hashApiToken(token), Date.now());
    return found && { username: found.username, isAdmin: found.isAdmin, tokenId: found.tokenId };
  }

  private async byPassword(username: string, password: string): Promise<Principal | undefined> {
    if (username.length === 0 || username.length > 64 || password.length > 1024) return undefined;
    const user = await findUser(this.readDb, username);
    if (!user) return undefined;
    const key = createHash('sha256').update(`${username}\u0000${password}\u0000${user.passwordHash}`).digest('base64');
    const until = this.verified.get(key);
    if (until === undefined || until < Date.now()) {
      if (!(await verifyPassword(password, user.passwordHash))) return undefined;
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
    }
    return { username: user.username, isAdmin: user.isAdmin, stamp: stampOf(user.passwordHash) };
  }

  /** Whether a principal found earlier still holds: its token live, or its user still there with the same admin flag. */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.tokenId) {
      return isTokenActive(this.readDb, principal.tokenId, Date.now());
    }
    const user = await findUser(this.readDb, principal.username);
    return user !== undefined && user.isAdmin === principal.isAdmin && stampOf(user.passwordHash) === principal.stamp;
  }
}

/** A digest of the stored password hash: a connection opened with the old password ends when it changes. */
const stampOf = (passwordHash: string) => createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
