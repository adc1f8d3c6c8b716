import type { SqlExecutor } from '../db/sqlDb.ts';
import { ApiTokenCreated, ApiTokenRevoked, UserDeleted } from '../events/identityEvents.ts';
import { toNumber, toOptionalNumber, type ReadModel } from './readModel.ts';

export interface ApiTokenRow {
  tokenId: string;
  username: string;
  name: string;
  createdAt: number;
  expiresAt?: number;
  revokedAt?: number;
}

/** API tokens by their sha256 hash (the token itself is never stored). */
export const identityTokensReadModel: ReadModel = {
  name: 'auth-api-tokens',
  tables: ['auth_api_tokens'],
  schemaSql: `
    create table if not exists auth_api_tokens (
      token_id text primary key,
      token_hash text not null unique,
      username text not null,
      name text not null,
      created_at bigint not null,
      expires_at bigint,
      revoked_at bigint
    );
    create index if not exists auth_api_tokens_user on auth_api_tokens (username);`,
  async apply(events, tx) {
    for (const event of events) {
      const at = Date.parse(event.metadata.recordedAt);
      if (ApiTokenCreated.is(event)) {
        const d = event.data;
        await tx.query(`insert into auth_api_tokens values ($1, $2, $3, $4, $5, $6, null)`, [d.tokenId, d.tokenHash, d.username, d.name, at, d.expiresAt ?? null]);
      } else if (ApiTokenRevoked.is(event)) {
        await tx.query(`update auth_api_tokens set revoked_at = coalesce(revoked_at, $2) where token_id = $1`, [event.data.tokenId, at]);
      } else if (UserDeleted.is(event)) {
        await tx.query(`update auth_api_tokens set revoked_at = coalesce(revoked_at, $2) where username = $1`, [event.data.username, at]);
      }
    }
  },
};

const columns = `token_id as "tokenId", username, name, created_at as "createdAt", expires_at as "expiresAt", revoked_at as "revokedAt"`;
const toToken = (row: ApiTokenRow): ApiTokenRow => ({
  ...row,
  createdAt: toNumber(row.createdAt),
  expiresAt: toOptionalNumber(row.expiresAt),
  revokedAt: toOptionalNumber(row.revokedAt),
});

/** The live token with this hash and its user's admin flag; revoked, expired and orphaned tokens find nothing. */
export async function findActiveToken(db: SqlExecutor, tokenHash: string, now: number): Promise<{ tokenId: string; username: string; isAdmin: boolean } | undefined> {
  const { rows } = await db.query<{ tokenId: string; username: string; isAdmin: boolean }>(
    `select t.token_id as "tokenId", t.username, u.is_admin as "isAdmin"
       from auth_api_tokens t join auth_users u on u.username = t.username
      where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)`,
    [tokenHash, now],
  );
  return rows[0];
}

/** Whether a token is still live (not revoked, not expired, its user still there). */
export async function isTokenActive(db: SqlExecutor, tokenId: string, now: number): Promise<boolean> {
  const { rows } = await db.query<{ ok: number }>(
    `select 1 as ok from auth_api_tokens t join auth_users u on u.username = t.username
      where t.token_id = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)`,
    [tokenId, now],
  );
  return rows.length > 0;
}

export async function listTokens(db: SqlExecutor, username?: string): Promise<ApiTokenRow[]> {
  const { rows } = await db.query<ApiTokenRow>(
    `select ${columns} from auth_api_tokens where ($1::text is null or username = $1) order by created_at, token_id`,
    [username ?? null],
  );
  return rows.map(toToken);
}
