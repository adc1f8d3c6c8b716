import type { SqlExecutor } from '../db/sqlDb.ts';
import { UserAdminChanged, UserCreated, UserDeleted, UserPasswordChanged } from '../events/identityEvents.ts';
import { toNumber, type ReadModel } from './readModel.ts';

export interface UserRow {
  username: string;
  /** scrypt$…: never leaves the server. */
  passwordHash: string;
  isAdmin: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Users as they are now: what authentication checks every request against. */
export const identityUsersReadModel: ReadModel = {
  name: 'auth-users',
  tables: ['auth_users'],
  schemaSql: `
    create table if not exists auth_users (
      username text primary key,
      password_hash text not null,
      is_admin boolean not null,
      created_at bigint not null,
      updated_at bigint not null
    );`,
  async apply(events, tx) {
    for (const event of events) {
      const at = Date.parse(event.metadata.recordedAt);
      if (UserCreated.is(event)) {
        await tx.query(`insert into auth_users values ($1, $2, $3, $4, $4)`, [event.data.username, event.data.passwordHash, event.data.isAdmin, at]);
      } else if (UserPasswordChanged.is(event)) {
        await tx.query(`update auth_users set password_hash = $2, updated_at = $3 where username = $1`, [event.data.username, event.data.passwordHash, at]);
      } else if (UserAdminChanged.is(event)) {
        await tx.query(`update auth_users set is_admin = $2, updated_at = $3 where username = $1`, [event.data.username, event.data.isAdmin, at]);
      } else if (UserDeleted.is(event)) {
        await tx.query(`delete from auth_users where username = $1`, [event.data.username]);
      }
    }
  },
};

const columns = `username, password_hash as "passwordHash", is_admin as "isAdmin", created_at as "createdAt", updated_at as "updatedAt"`;
const toUser = (row: UserRow): UserRow => ({ ...row, createdAt: toNumber(row.createdAt), updatedAt: toNumber(row.updatedAt) });

export async function findUser(db: SqlExecutor, username: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`select ${columns} from auth_users where username = $1`, [username]);
  return rows[0] && toUser(rows[0]);
}

export async function listUsers(db: SqlExecutor): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(`select ${columns} from auth_users order by username`);
  return rows.map(toUser);
}

export async function countUsers(db: SqlExecutor): Promise<number> {
  const { rows } = await db.query<{ n: unknown }>(`select count(*) as n from auth_users`);
  return toNumber(rows[0].n);
}
