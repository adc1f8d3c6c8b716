import { createHash, randomBytes } from 'node:crypto';

/**
 * API tokens are 32 random bytes, shown once and stored only as a sha256 hash: with
 * that much entropy a fast hash is enough (nothing to guess), and lookup is one index
 * probe. The prefix makes a leaked token easy to recognise in logs and scanners.
 */
export const TOKEN_PREFIX = 'mll_';

export interface NewApiToken {
  /** The secret: given to the caller once, never stored. */
  token: string;
  tokenHash: string;
}

export function generateApiToken(): NewApiToken {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, tokenHash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
